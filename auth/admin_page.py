"""The admin page, `/admin/comptes`: the team's accounts, listed and managed by an admin (issue 14), in plain
Flask like the sign-in page.

The guard (auth/guard.py) has already sent anyone without a session to `/login`; here every GET and every POST
checks that the signed-in account is an admin (403 otherwise), and every POST carries this session's form token
(a random value kept in the signed session cookie), on top of the cross-site check of http_guards.py. A change
that works redirects back to the list (reloading the page then repeats nothing); a refused one shows the French
reason and changes nothing. Passwords are never put back in a page nor logged. In solo mode (AUTH=off) there are
no accounts: the route answers 404 and says why.
"""

from __future__ import annotations

import secrets

from flask import Flask, flash, get_flashed_messages, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user

from auth.admin_actions import act
from auth.admin_html import accounts_html, refused_html
from auth.guard import acting_user, remember_signed_in
from domain.accounts import Account, AccountInputError, PermissionDeniedError, check_may_administer, clean_login
from domain.errors import DatabaseUnavailableError
from services.accounts import Accounts
from settings import Settings

ADMIN_PATH = "/admin/comptes"
TOKEN_KEY = "jeton_admin"
STALE_FORM = "Formulaire expiré ou envoyé d'ailleurs : rechargez la page puis recommencez."
SOLO_MODE = "Pas de comptes en mode solo (AUTH=off) : la gestion des comptes n'existe qu'avec AUTH=on."


def _form_token() -> str:
    """This session's form token, made on first use (a new sign-in clears the session, hence a new token)."""
    return session.setdefault(TOKEN_KEY, secrets.token_urlsafe(32))


def _token_matches() -> bool:
    expected = session.get(TOKEN_KEY)
    sent = request.form.get("jeton", "")
    return bool(expected) and secrets.compare_digest(sent.encode(), str(expected).encode())


def _page(accounts: Accounts, me: Account, message: str, ok: bool, status: int,
          typed: dict[str, str] | None = None) -> tuple[str, int]:
    """The list with `message`; when the database is out of reach, its message alone (503)."""
    try:
        listed = accounts.all()
    except DatabaseUnavailableError as down:
        return refused_html(down.message), 503
    return accounts_html(listed, me.login, _form_token(), message, ok, typed), status


def _acted(accounts: Accounts, me: Account) -> ResponseReturnValue:
    """A POST from the page: do it and go back to the list, or show why not."""
    if not _token_matches():
        return refused_html(STALE_FORM), 403
    try:
        flash(act(accounts, request.form, me))
        own_password = (request.form.get("action") == "mot_de_passe"
                        and clean_login(request.form.get("identifiant", "")) == me.login)
        if own_password:  # one's own new password keeps one's own session
            remember_signed_in(accounts.by_login(me.login))
    except AccountInputError as refused:
        typed = {key: request.form.get(key, "") for key in ("identifiant", "nom", "email", "role")}
        return _page(accounts, me, str(refused), False, 422, typed if request.form.get("action") == "ajouter" else None)
    except DatabaseUnavailableError as down:
        return refused_html(down.message), 503
    return redirect(ADMIN_PATH, 303)


def install_admin_page(server: Flask, settings: Settings, accounts: Accounts) -> None:
    """`/admin/comptes` for admins with AUTH=on; a 404 that says why in solo mode."""
    if not settings.auth:
        server.add_url_rule(ADMIN_PATH, "admin_accounts", lambda: (refused_html(SOLO_MODE), 404))
        return

    def admin_accounts() -> ResponseReturnValue:
        try:
            check_may_administer(acting_user(settings.auth), "gérer les comptes")
        except PermissionDeniedError as refused:
            return refused_html(refused.message), 403
        me: Account = current_user.account
        if request.method == "POST":
            return _acted(accounts, me)
        done = get_flashed_messages()
        return _page(accounts, me, " ".join(done), True, 200)

    server.add_url_rule(ADMIN_PATH, "admin_accounts", admin_accounts, methods=["GET", "POST"])
