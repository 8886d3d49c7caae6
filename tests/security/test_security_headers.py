"""The headers every answer carries, over real HTTP: the Content-Security-Policy, nosniff, the framing and
referrer rules, and no server version, on the pages, Dash's JSON, the assets, the downloads, /health, the API,
the error answers and the sign-in page; under the dev server (`python app.py`) and under gunicorn."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import Settings
from tests.security.conftest import Served, serve
from tests.security.test_http_guards import ROOT, request

# Every directive but script-src, whose hashes are those of the page's own inline scripts.
POLICY = {
    "default-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)  # Dash's IE-only warning: a comment, never run
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.DOTALL)


def directives(policy: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def assert_protected(headers: dict[str, str]) -> None:
    """The headers of one answer, as a browser (or a scanner) reads them."""
    policy = directives(headers["Content-Security-Policy"])
    assert {name: value for name, value in policy.items() if name != "script-src"} == POLICY
    assert policy["script-src"].startswith("'self' 'sha256-")
    assert "unsafe" not in policy["script-src"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert not re.search(r"\d", headers.get("Server", "")), headers.get("Server")


def answer_headers(served: Served, method: str, path: str, **options: object) -> tuple[int, dict[str, str]]:
    response = request(served, method, path, **options)  # type: ignore[arg-type]
    return response.status, dict(response.getheaders())


def test_every_kind_of_answer_carries_the_headers(served: Served) -> None:
    port = served.url.rsplit(":", 1)[1]
    page = urllib.request.urlopen(served.url, timeout=20).read().decode()
    bundle = re.search(r'<script src="(/_dash-component-suites/[^"]+)"', page).group(1)
    answers = {
        "page": answer_headers(served, "GET", "/"),
        "performance page": answer_headers(served, "GET", "/performance"),
        "layout": answer_headers(served, "GET", "/_dash-layout"),
        "bundle": answer_headers(served, "GET", bundle),
        "asset": answer_headers(served, "GET", "/assets/dashboard.js"),
        "health": answer_headers(served, "GET", "/health"),
        "api without token": answer_headers(served, "GET", "/api/v1/deals"),
        "forged download": answer_headers(served, "GET", "/exports/forged"),
        "missing asset": answer_headers(served, "GET", "/assets/missing.js"),
        "other host": answer_headers(served, "GET", "/", host=f"evil.example:{port}"),
        "malformed callback": answer_headers(served, "POST", "/_dash-update-component", body=b"{}",
                                             headers={"Content-Type": "application/json"}),
        "cross-site post": answer_headers(served, "POST", "/_dash-update-component", body=b"{}",
                                          headers={"Origin": "https://evil.example"}),
    }
    assert {name: status for name, (status, _) in answers.items()} == {
        "page": 200, "performance page": 200, "layout": 200, "bundle": 200, "asset": 200, "health": 200,
        "api without token": 401, "forged download": 404, "missing asset": 404, "other host": 400,
        "malformed callback": 400, "cross-site post": 403}
    for _, headers in answers.values():
        assert_protected(headers)


def test_only_the_page_own_inline_scripts_may_run(served: Served) -> None:
    with urllib.request.urlopen(served.url, timeout=20) as response:
        page, policy = response.read().decode(), response.headers["Content-Security-Policy"]
    inline = INLINE_SCRIPT.findall(HTML_COMMENT.sub("", page))
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'" for script in inline}
    assert len(inline) > 1
    assert set(directives(policy)["script-src"].split()) == {"'self'", *hashes}


def test_the_sign_in_page_carries_the_headers(sqlite_url: str) -> None:
    for served in serve(Settings(database_url=sqlite_url, demo_data=False, cache_type="simple", auth=True,
                                 secret_key="k" * 48)):
        status, redirect = answer_headers(served, "GET", "/")
        assert status == 302
        assert_protected(redirect)
        status, sign_in = answer_headers(served, "GET", "/login")
        assert status == 200
        assert_protected(sign_in)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def started(command: list[str], tmp_path: Path) -> Iterator[Served]:
    """`command` run from the project root on a fresh SQLite database and a free port, until /health answers."""
    port = free_port()
    environment = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path / 'crm.sqlite3'}",
                   "PORT": str(port), "HOST": "127.0.0.1", "DEMO_DATA": "0", "DASH_DISABLE_VERSION_CHECK": "true"}
    process = subprocess.Popen([part.replace("{port}", str(port)) for part in command], cwd=ROOT,
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/health", timeout=5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read().decode()
                time.sleep(0.3)
        yield Served(url, None)  # type: ignore[arg-type]
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'auth.sqlite3'}"


@pytest.mark.parametrize("command", [
    pytest.param([sys.executable, "app.py"], id="python-app-py"),
    pytest.param([sys.executable, "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:{port}", "app:server"],
                 id="gunicorn"),
])
def test_no_server_names_its_version(command: list[str], tmp_path: Path) -> None:
    for served in started(command, tmp_path):
        for path in ("/", "/health", "/assets/dashboard.js", "/nowhere"):
            _, headers = answer_headers(served, "GET", path)
            assert_protected(headers)
            assert headers.get("Server") in (None, "gunicorn")
