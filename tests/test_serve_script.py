"""`scripts/serve.sh` as a team runs it: gunicorn with two workers on a PostgreSQL database and the Redis cache,
the page and a callback answered over HTTP, then a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from layouts import ids
from tests.auth.test_roles_over_http import _send
from tests.auth.test_sign_in import Browser
from tests.conftest import create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 90
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read().decode()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers, under its master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended while being read
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _wait_for_workers(pid: int, expected: int) -> int:
    """How many workers run under `pid` once `expected` are up, or after START_SECONDS. Gunicorn forks its workers
    one after the other with a short random pause, and the bound socket lets the first answer before the last exists,
    so a single count right after the first answers can see fewer."""
    deadline = time.monotonic() + START_SECONDS
    while len(workers := _children(pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return len(workers)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def test_serve_sh_runs_two_workers_on_postgresql_and_redis_and_stops_on_sigterm(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": postgres_url, "CACHE_TYPE": "redis", "REDIS_URL": redis_url,
           "WORKERS": str(WORKERS), "HOST": "127.0.0.1", "PORT": str(port), "AUTH": "off", "DEMO_DATA": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve.sh")], cwd=tmp_path, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                health = _get(f"{base}/health")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        assert (health[0], json.loads(health[1])) == (200, {"database": "ok", "migrations": "head", "cache": "ok"})

        status, page = _get(f"{base}/")
        assert status == 200 and "Tableau de bord CRM" in page

        options = _send(Browser(base), f"{ids.DATA_VERSION}.data", {})  # the filter options, as the page asks
        assert options["filter-assignee"]["options"], options  # the demo deals' salespeople, read through the cache

        assert _wait_for_workers(server.pid, WORKERS) == WORKERS, log.read_text()
        assert "GET /health" in log.read_text()  # the access log, on stdout
    finally:
        server.send_signal(signal.SIGTERM)
        returncode = server.wait(timeout=30)
    assert returncode == 0, log.read_text()
    assert _children(server.pid) == []
