"""The Redis client options of the cache: fail fast, and note which life of the server each connection reached.

Why the server's life: Redis may come back from a restart with what it saved before stopping (Debian's default
configuration saves on shutdown), the data version and the figures cached under it included. A write made while
it was away could not start a new version, so that version must not be trusted again: every new connection reads
the server's `run_id` (a restart changes it), and `services.cache.VersionedCache` trusts only a version set
during the current one.
"""

from __future__ import annotations

from redis.backoff import NoBackoff
from redis.connection import AbstractConnection
from redis.retry import Retry

SOCKET_SECONDS = 1.0  # a Redis that does not answer costs one request this long, then the cache is skipped


class ServerLife:
    """The `run_id` of the Redis server the latest connection reached ("" before the first one)."""

    def __init__(self) -> None:
        self.run_id = ""

    def __call__(self) -> str:
        return self.run_id

    def connected(self, connection: AbstractConnection) -> None:
        """redis-py's connect hook: the usual handshake, then the server's `run_id`."""
        connection.on_connect()
        connection.send_command("INFO", "server")
        info = connection.read_response()
        text = info.decode() if isinstance(info, bytes) else str(info)
        self.run_id = next((line.partition(":")[2].strip() for line in text.splitlines()
                            if line.startswith("run_id:")), "")


def client_options(life: ServerLife) -> dict[str, object]:
    """Keyword arguments of `redis.from_url`: short timeouts and no silent retries (a failure must reach the cache,
    which falls back to the database at once instead of waiting through redis-py's backoff)."""
    return {"socket_connect_timeout": SOCKET_SECONDS, "socket_timeout": SOCKET_SECONDS,
            "retry": Retry(NoBackoff(), 0), "redis_connect_func": life.connected}
