"""What the server refuses at the HTTP level, over real requests: other hosts, framing, oversized bodies,
and a debugger that could be reached from the network."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from settings import Settings, load_settings
from tests.security.conftest import UPLOAD_LIMIT, Served

ROOT = Path(__file__).resolve().parents[2]


def request(served: Served, method: str, path: str, host: str | None = None, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """One HTTP request to the served app; `host` replaces the Host header, as a rebinding page would send."""
    address = urlsplit(served.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=20)
    connection.putrequest(method, path, skip_host=True)
    connection.putheader("Host", host or address.netloc)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(body or b"")))
    connection.endheaders(body)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_page_answers_its_own_hosts_only(served: Served) -> None:
    port = urlsplit(served.url).port
    assert request(served, "GET", "/", host=f"127.0.0.1:{port}").status == 200
    assert request(served, "GET", "/", host=f"localhost:{port}").status == 200
    assert request(served, "GET", "/", host=f"evil.example:{port}").status == 400
    assert request(served, "GET", "/_dash-layout", host="rebind.attacker.test").status == 400


def test_no_page_can_be_framed_by_another_site(served: Served) -> None:
    for path in ("/", "/_dash-layout", "/_dash-dependencies"):
        response = request(served, "GET", path)
        assert response.getheader("X-Frame-Options") == "DENY"
        assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy", "")


def test_a_body_larger_than_a_full_drop_is_refused_unread(served: Served) -> None:
    limit = Settings(upload_max_bytes=UPLOAD_LIMIT).max_request_bytes
    body = json.dumps({"payload": "A" * (limit + 1)}).encode()
    response = request(served, "POST", "/_dash-update-component", body=body,
                       headers={"Content-Type": "application/json"})
    assert response.status == 413


@pytest.mark.parametrize(("environment", "reason"), [
    ({"DEBUG": "1", "HOST": "0.0.0.0"}, "HOST=0.0.0.0"),
    ({"DEBUG": "1", "HOST": "192.168.1.20"}, "HOST=192.168.1.20"),
    ({"DEBUG": "1", "HOST": "127.0.0.1", "APP_ENV": "production"}, "APP_ENV=production"),
])
def test_debug_mode_never_starts_where_the_network_could_reach_it(tmp_path: Path, environment: dict[str, str],
                                                                  reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        load_settings(environ=environment, env_file=tmp_path / "none")
    started = subprocess.run([sys.executable, "app.py"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                                  **environment}, check=False)
    assert started.returncode == 1
    assert started.stderr.strip().splitlines()[-1].startswith("Erreur : DEBUG=1 est refusé")


def test_debug_mode_on_loopback_is_allowed(tmp_path: Path) -> None:
    assert load_settings(environ={"DEBUG": "1", "HOST": "127.0.0.1"}, env_file=tmp_path / "none").debug
