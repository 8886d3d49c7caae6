# Sourced by test.sh: start a throwaway PostgreSQL 15 cluster on a free loopback port and export
# TEST_DATABASE_URL; the cluster is stopped and deleted when the calling shell exits, whatever happened.
set -euo pipefail
PG_BIN="$(pg_config --bindir 2>/dev/null || true)"
[ -x "$PG_BIN/initdb" ] || PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL binaries (initdb) not found" >&2; exit 1; }
PG_DIR="$(mktemp -d /tmp/crm-pg.XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_postgres() {
  as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
as_pg_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
echo "Throwaway PostgreSQL: $TEST_DATABASE_URL"
