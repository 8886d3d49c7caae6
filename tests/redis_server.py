"""A redis-server process of a test's own, which the test may stop and start again on the same port (the shared
one of scripts/test.sh, TEST_REDIS_URL, must stay up for the other tests)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

START_SECONDS = 10


def require_redis_server() -> str:
    """The redis-server binary; a failure when the test command requires Redis, a skip otherwise."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is missing: run the tests with scripts/test.sh (it installs it)"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """One redis-server on loopback writing only under `directory`, and only when told to (`save`)."""

    def __init__(self, directory: Path) -> None:
        self._binary = require_redis_server()
        self._directory = directory
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it (again: with what `save` wrote) and wait until it answers PING."""
        self._process = subprocess.Popen(
            [self._binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self._directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise
                time.sleep(0.05)
        client.close()

    def save(self) -> None:
        """Write its data to disk, as Debian's configuration does on shutdown, so that `start` reloads it."""
        client = redis.Redis(port=self.port)
        client.save()
        client.close()

    def stored_keys(self) -> list[bytes]:
        client = redis.Redis(port=self.port)
        try:
            return client.keys("*")
        finally:
            client.close()

    def stop(self) -> None:
        """Terminate the process and wait for it (the port is then free for `start`)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=START_SECONDS)
        self._process = None
