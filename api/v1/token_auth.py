"""Who calls the API: the account behind an `Authorization: Bearer` token (`crm tokens create`).

The API takes no session cookie, only the token: a page of another site cannot make a browser send it, so
the API needs no cross-site check of its own, and it answers 401 (never a redirect to /login) without one.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, g, request

from api.v1.errors import api_error
from domain.accounts import Account, Actor

BEARER = "bearer "


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[len(BEARER):].strip() if header[:len(BEARER)].lower() == BEARER else None


def require_token(blueprint: Blueprint, account_for: Callable[[str], Account | None]) -> None:
    """Before every view of `blueprint` (so before its arguments are read): 401 unless the request carries the
    token of an active account; then `current_actor()` is that account."""

    @blueprint.before_request
    def authenticate() -> tuple[Response, int] | None:
        secret = _bearer_secret()
        account = account_for(secret) if secret else None
        if account is None:
            return api_error(401)
        g.api_actor = Actor(account.display_name, account.role)
        return None


def current_actor() -> Actor:
    """The account of the token this request carried (set by `require_token`)."""
    return g.api_actor
