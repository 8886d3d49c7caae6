"""The real processes the fault tests start, stop and kill: a private PostgreSQL cluster, the served app and the
`crm import` command. Each waits on what it can observe (a port, an answer), never on a fixed delay."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
STARTUP_S = 120  # a loaded 2-core CI machine takes a while to import Dash and migrate a new database


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting after {timeout:.0f} s: {what}")
        time.sleep(0.05)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_pg_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as `postgres` (what scripts/postgres.sh does)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivateCluster:
    """A throwaway PostgreSQL 15 cluster of one test module, which the test may stop and start at will
    (the shared test server must keep running for the other tests)."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="crm-faults-pg."))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        subprocess.run(_as_pg_owner([str(PG_BIN / "initdb"), "-D", str(self.directory / "data"), "-U", "postgres",
                                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True, timeout=STARTUP_S)

    def _pg_ctl(self, arguments: list[str]) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-w", "-t", str(STARTUP_S),
                   *arguments]
        subprocess.run(_as_pg_owner(command), check=True, capture_output=True, timeout=STARTUP_S + 30)

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self._pg_ctl(["-l", str(self.directory / "server.log"), "-o", options, "start"])

    def stop(self, mode: str = "fast") -> None:
        """Stop and wait until the server has exited: `fast` ends the sessions, as an administrator would."""
        self._pg_ctl(["-m", mode, "stop"])

    def remove(self) -> None:
        """Stop it whatever its state, and delete its files."""
        subprocess.run(_as_pg_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate",
                                     "stop"]), capture_output=True, timeout=STARTUP_S)
        shutil.rmtree(self.directory, ignore_errors=True)


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    """The test process's environment with the app's settings given explicitly (no `.env` surprise)."""
    return {**os.environ, "DATABASE_URL": database_url, "DEMO_DATA": "0", "CACHE_TYPE": "simple", "AUTH": "off",
            "DASH_DISABLE_VERSION_CHECK": "true", **extra}


@dataclass
class ServedApp:
    """`python app.py` in its own process, on a free loopback port."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @classmethod
    def start(cls, database_url: str, log: Path) -> ServedApp:
        port = free_port()
        with log.open("wb") as output:
            process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                       env=_environment(database_url, PORT=str(port), HOST="127.0.0.1"))
        served = cls(process, f"http://127.0.0.1:{port}", log)
        wait_until(served.answers, STARTUP_S, f"the app to answer on port {port} (log: {log})")
        return served

    def answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # a 503 is an answer: the app is up
        except OSError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


def start_import(database_url: str, file: Path, report: Path) -> subprocess.Popen[bytes]:
    """`python cli.py import FILE` in its own process; what it prints goes to `report`."""
    with report.open("wb") as output:
        return subprocess.Popen([sys.executable, "cli.py", "import", str(file)], cwd=ROOT, stdout=output,
                                stderr=subprocess.STDOUT, env=_environment(database_url))
