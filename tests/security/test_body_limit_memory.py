"""A request body far beyond the upload limit is refused with 413 before it is read: the serving process's memory
does not grow by the body's size. Sent over a raw socket to `python app.py` in its own process, whose peak
resident memory (VmHWM) is read from /proc before and after."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from settings import Settings
from tests.faults.processes import ServedApp

BODY_BYTES = 400 * 1024 * 1024  # six times the default limit of a full drop (five files of 10 MiB, in base64)
CHUNK = b"A" * (1024 * 1024)
MIB = 1024 * 1024


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[ServedApp]:
    served = ServedApp.start(database_url, tmp_path / "app.log")
    yield served
    served.stop()


def _peak_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def _post_huge_body(url: str) -> bytes:
    """Announce BODY_BYTES and send them (or until the server closes the connection); its answer's first line."""
    address = urlsplit(url)
    sent = 0
    with socket.create_connection((address.hostname, address.port), timeout=60) as connection:
        connection.sendall(f"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           f"Content-Type: application/json\r\nContent-Length: {BODY_BYTES}\r\n\r\n".encode())
        try:
            while sent < BODY_BYTES:
                connection.sendall(CHUNK)
                sent += len(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed the connection without reading the rest
        try:
            answer = connection.recv(200)
        except ConnectionResetError:
            answer = b""
    return answer.split(b"\r\n", 1)[0]


def test_a_huge_body_is_refused_unread_and_the_memory_stays(app: ServedApp) -> None:
    assert Settings().max_request_bytes < BODY_BYTES / 4
    before = _peak_mib(app.process.pid)

    status_line = _post_huge_body(app.url)

    assert status_line.startswith(b"HTTP/1.1 413 "), status_line
    assert _peak_mib(app.process.pid) - before < 50
    assert app.answers()  # and it goes on serving
