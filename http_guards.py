"""What the Flask server under the dashboard refuses before any callback runs.

- A Host header that is not ours (DNS rebinding: a hostile page whose name resolves to 127.0.0.1 would
  otherwise drive a local dashboard): Flask's TRUSTED_HOSTS answers 400.
- A body larger than one full drop of files (MAX_CONTENT_LENGTH): 413 before the body is read.
- A POST sent by another site's page (cross-site request forgery): its Origin (or, without one, its Referer)
  names a host that is not ours: 403. A request with neither (curl, a script) is not a browser carrying a
  victim's cookies, and goes on to the other checks.
- A callback request the page could not have sent (missing keys, wrong types, an impossible date): 400 with
  a one-line warning in the log instead of a 500 and a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from dash.exceptions import CallbackException, InvalidCallbackReturnValue
from flask import Flask, Response, jsonify, request

from settings import Settings

log = logging.getLogger(__name__)
CALLBACK_ROUTE = "/_dash-update-component"
# What a handcrafted payload raises inside Dash's dispatch (unknown output, inputs that do not match the
# callback, outputs of another length) or in a callback's handling of its arguments (a number too large for an
# id, JSON nested deeper than Python recurses).
MALFORMED_REQUEST_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError,
                            RecursionError, CallbackException, InvalidCallbackReturnValue)


def _malformed_callback(error: Exception) -> tuple[Response, int]:
    """A malformed callback request is the client's fault: 400; any other route's error stays a 500."""
    if not request.path.endswith(CALLBACK_ROUTE):
        raise error
    log.warning("requête de callback refusée (%s: %s)", type(error).__name__, error)
    return jsonify({"message": "Requête invalide."}), 400


def _cross_site_refusal(accepted: frozenset[str]) -> Callable[[], tuple[Response, int] | None]:
    def refuse_cross_site() -> tuple[Response, int] | None:
        if request.method != "POST":
            return None
        sender = request.headers.get("Origin") or request.headers.get("Referer")
        if sender is None or (urlsplit(sender).hostname or "") in accepted:
            return None
        log.warning("requête POST d'un autre site refusée (%s)", sender[:100])
        return jsonify({"message": "Requête venue d'un autre site : refusée."}), 403

    return refuse_cross_site


def protect(server: Flask, settings: Settings) -> None:
    """Install the host check, the body limit, the cross-site check and the malformed-request answer."""
    server.config["TRUSTED_HOSTS"] = list(settings.accepted_hosts)
    server.before_request(_cross_site_refusal(frozenset(settings.accepted_hosts)))
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    for error in MALFORMED_REQUEST_ERRORS:
        server.register_error_handler(error, _malformed_callback)
