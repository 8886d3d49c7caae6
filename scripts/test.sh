#!/usr/bin/env bash
# The one test command: virtualenv, Chromium, poppler, a throwaway PostgreSQL and Redis, then every test (unit,
# SQLite, PostgreSQL, Redis, browser). Missing PostgreSQL, Redis or browser is a failure, never a skip. Extra args
# go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh" requirements-dev.txt
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "chromium and chromium-driver are missing: install them (apt) or run as root" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The PDF report's tests read it as a reader does: poppler's pdftotext and pdftoppm.
if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "pdftotext and pdftoppm are missing: install poppler-utils (apt) or run as root" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  source "$ROOT/scripts/postgres.sh"
fi
if [ -z "${TEST_REDIS_URL:-}" ]; then
  source "$ROOT/scripts/redis.sh"
fi
export REQUIRE_POSTGRES=1 REQUIRE_REDIS=1 REQUIRE_BROWSER=1 DASH_DISABLE_VERSION_CHECK=true
ruff check .
lint-imports
python -m pytest --headless "$@"
