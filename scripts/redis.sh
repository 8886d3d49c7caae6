# Sourced by test.sh: start a throwaway redis-server (Debian's, installed when missing) on a free loopback port,
# with no persistence, and export TEST_REDIS_URL; it is stopped and its folder deleted when the calling shell
# exits, after whatever exit trap was already set (postgres.sh's), which still runs.
set -euo pipefail
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "redis-server is missing: install it (apt-get install redis-server) or run as root" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
REDIS_DIR="$(mktemp -d /tmp/crm-redis.XXXXXX)"
REDIS_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$REDIS_DIR" \
  --logfile "$REDIS_DIR/server.log" &
REDIS_PID=$!
stop_redis() {
  kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$REDIS_DIR"
}
earlier_exit_trap() {  # `trap -p EXIT` prints `trap -- 'command' EXIT`: the command is the third word
  eval "set -- $1"
  printf '%s' "${3:-}"
}
REDIS_EARLIER_TRAP="$(earlier_exit_trap "$(trap -p EXIT)")"
trap "stop_redis${REDIS_EARLIER_TRAP:+; $REDIS_EARLIER_TRAP}" EXIT
for _ in $(seq 100); do
  [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
  kill -0 "$REDIS_PID" 2>/dev/null || { echo "redis-server did not start: $(cat "$REDIS_DIR/server.log")" >&2; exit 1; }
  sleep 0.1
done
[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] || { echo "redis-server does not answer PING" >&2; exit 1; }
export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
echo "Throwaway Redis: $TEST_REDIS_URL"
