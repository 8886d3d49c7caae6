"""The headers every answer carries, and the dev server without its version banner.

The Content-Security-Policy lets the browser run, style, show and fetch only what this origin serves: a
script slipped into a deal's text (or a compromised asset elsewhere) cannot load or send anything. Dash's
only inline scripts (its renderer bootstrap and the string clientside callbacks) are allowed by their
sha256 hashes, so no other inline script runs. The README's "Security headers" section gives each source's
reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from flask import Flask, Response
from werkzeug.serving import WSGIRequestHandler


@cache
def content_security_policy(script_hashes: tuple[str, ...]) -> str:
    """The policy, with the hashes of the inline scripts Dash writes into its index page."""
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


def _header_setter(script_hashes: Callable[[], Sequence[str]]) -> Callable[[Response], Response]:
    def set_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(tuple(script_hashes()))
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    return set_headers


def install_headers(server: Flask, script_hashes: Callable[[], Sequence[str]]) -> None:
    """Every answer of `server`, error pages included, carries the policy and the other headers. `script_hashes`
    is asked at each answer: Dash adds an inline script (the page title's clientside callback) on its first
    request, after start-up."""
    server.after_request(_header_setter(script_hashes))


class BannerlessRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler (`python app.py`) without `Server: Werkzeug/x.y Python/x.y`: the versions only help
    someone looking for a known flaw."""

    def send_response(self, code: int, message: str | None = None) -> None:
        """The standard library's `send_response` minus its Server header."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
