"""Who calls the API: the account behind an `Authorization: Bearer` token (`crm tokens create`).

The API takes no session cookie, only the token: a page of another site cannot make a browser send it, so
the API needs no cross-site check of its own, and it answers 401 (never a redirect to /login) without one.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, Response, g, request

from api.v1.errors import api_error
from domain.accounts import Account, Actor

BEARER = "bearer "


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[len(BEARER):].strip() if header[:len(BEARER)].lower() == BEARER else None


def _authenticated(account_for: Callable[[str], Account | None]) -> tuple[Response, int] | None:
    """None when the request carries the token of an active account (then `current_actor()` is that
    account), else the 401 to answer."""
    secret = _bearer_secret()
    account = account_for(secret) if secret else None
    if account is None:
        return api_error(401)
    g.api_actor = Actor(account.display_name, account.role)
    return None


def require_token(blueprint: Blueprint, account_for: Callable[[str], Account | None]) -> None:
    """Before every view of `blueprint` (so before its arguments are read): 401 unless the request carries a
    live token."""
    blueprint.before_request(lambda: _authenticated(account_for))


def require_token_on_path(server: Flask, path: str, account_for: Callable[[str], Account | None]) -> None:
    """The same check on a route that is not a blueprint of ours (Dash's MCP endpoint)."""

    @server.before_request
    def authenticate() -> tuple[Response, int] | None:
        return _authenticated(account_for) if request.path == path else None


def current_actor() -> Actor:
    """The account of the token this request carried (set by `require_token`)."""
    return g.api_actor
