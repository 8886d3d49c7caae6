#!/usr/bin/env bash
# Serve the dashboard for a team: gunicorn with WORKERS processes (4 by default), forked after one start-up
# (--preload: the migrations run once), the cache and the sign-in counts on Redis (CACHE_TYPE=redis, REDIS_URL),
# the database of DATABASE_URL (PostgreSQL). Settings come from .env and the environment, as for python app.py;
# one access-log line per request on stdout. Refused, with one French line, when CACHE_TYPE is not redis or when
# Redis does not answer at start (a later outage only costs the cache). The gunicorn on PATH (an active
# virtualenv) is used as is; without one, .venv is made as start.sh does.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if command -v gunicorn >/dev/null; then
  cd "$ROOT"
else
  source "$ROOT/scripts/bootstrap.sh" requirements.txt
fi
CHECKED="$(python - <<'PYTHON'
import sys

import redis

from settings import load_settings

try:
    settings = load_settings()
except ValueError as refused:
    sys.exit(f"Erreur : {refused}")
if settings.cache_type != "redis":
    sys.exit(f"Erreur : scripts/serve.sh demande CACHE_TYPE=redis (pas {settings.cache_type}) : les workers "
             "partagent le cache et le compte des connexions manquées par Redis (REDIS_URL).")
try:
    redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
except redis.RedisError as error:
    sys.exit(f"Erreur : Redis ne répond pas à l'adresse de REDIS_URL ({type(error).__name__}).")
host = f"[{settings.host}]" if ":" in settings.host else settings.host
print(f"{host}:{settings.port} {settings.workers}")
PYTHON
)"
read -r BIND WORKERS <<<"$CHECKED"
CONFIG=()
if [ -f "$ROOT/gunicorn.conf.py" ]; then
  CONFIG=(-c "$ROOT/gunicorn.conf.py")
fi
exec gunicorn "${CONFIG[@]}" --preload --workers "$WORKERS" --bind "$BIND" --access-logfile - app:server
