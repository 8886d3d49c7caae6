"""Sign-in, sign-out, and the guard in front of every route when AUTH=on.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure in production behind HTTPS), managed by
Flask-Login. The idle timeout is checked on the server: the session holds when it was last used, and a
request after SESSION_IDLE_MINUTES without one ends it, whatever the browser kept. Signing out ends it on the
server too: each session carries a random id, which signing out records (`ended_sessions`), so a copy of the
cookie opens nothing afterwards. Without a session, a page
redirects to the sign-in page and a Dash request (callbacks, layout, scripts) gets 401: no route but
`/login` and `/health` answers anything else, and the REST API (`/api/v1/`) and the MCP endpoint (`/_mcp`) ask
for their own token instead.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, has_request_context, jsonify, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from auth.attempts import SignInAttempts
from auth.login_page import login_page
from domain.accounts import Account, AccountInputError, Actor, Role
from domain.errors import DatabaseUnavailableError
from services.accounts import Accounts
from settings import Settings

PUBLIC_PATHS = frozenset({"/login", "/health"})
# The REST API and the MCP endpoint check their own token (api/v1/token_auth.py): no session, no redirect.
API_PREFIX, MCP_PATH = "/api/v1/", "/_mcp"
LAST_SEEN = "vu_a"
SESSION_ID = "sid"
WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."
TOO_MANY_TRIES = "Trop d'essais manqués : réessayez dans 15 minutes."
SESSION_ENDED = "Votre session a expiré : reconnectez-vous."
SIGN_IN_NEEDED = "Connexion requise."
ENDED_FLAG = "expiree"
SIGNED_IN_AS = "compte"
log = logging.getLogger(__name__)
now = time.time  # the idle clock, in seconds (a test moves it forward instead of waiting)


class SignedIn(UserMixin):
    """The account behind a session, as Flask-Login wants it."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.id = str(account.id)


def _safe_next(path: str | None) -> str:
    """Where to go after signing in: a path of this site only, else the dashboard. Not `//other.site`, nor what
    browsers and URL parsers read as one: a backslash (`/\\other.site`), or a tab or line break they drop
    (`/<tab>/other.site` becomes `//other.site`; a line break in a header is a server error)."""
    if not path or not path.startswith("/") or "\\" in path or any(c.isspace() or not c.isprintable() for c in path):
        return "/"
    parts = urlsplit(path)
    return "/" if path.startswith("//") or parts.scheme or parts.netloc else path


def remember_signed_in(account: Account) -> None:
    """What the session keeps of its account: enough to serve it during a database outage, and the password
    stamp that a password change must match (the admin page calls this after one changes their own)."""
    session[SIGNED_IN_AS] = [account.id, account.login, account.display_name, account.role.value,
                             account.password_stamp]


def _signed_in_stamp() -> str:
    stored = session.get(SIGNED_IN_AS)
    return str(stored[4]) if stored and len(stored) > 4 else ""


def _signed_in_account(user_id: str) -> Account | None:
    """The account the session signed in as, from the session itself (for when the database is out of reach)."""
    stored = session.get(SIGNED_IN_AS)
    if not stored or str(stored[0]) != user_id:
        return None
    return Account(int(stored[0]), stored[1], stored[2], Role(stored[3]), True, _signed_in_stamp())


def _refused(message: str) -> Response | tuple[Response, int]:
    """No valid session: Dash's own requests get 401 (a callback cannot follow a redirect), a page goes to the
    sign-in, which brings the user back to it."""
    if "/_dash-" in request.path:
        return jsonify({"message": message}), 401
    ended = {ENDED_FLAG: "1"} if message == SESSION_ENDED else {}
    return redirect(f"/login?{urlencode({'next': _safe_next(request.path), **ended})}")


def install_auth(server: Flask, settings: Settings, accounts: Accounts) -> None:
    """With AUTH=on: the session settings, `/login`, `/logout` and the guard before every request."""
    if not settings.auth:
        return
    idle = timedelta(minutes=settings.session_idle_minutes)
    server.secret_key = settings.secret_key
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=settings.app_env == "production", PERMANENT_SESSION_LIFETIME=idle)
    manager = LoginManager(server)
    attempts = SignInAttempts(settings.redis_url if settings.cache_type == "redis" else "memory://")

    @manager.user_loader
    def load(user_id: str) -> SignedIn | None:
        session_id = session.get(SESSION_ID)
        if not isinstance(session_id, str):  # signed in before sessions had ids: sign in again
            return None
        try:
            account = accounts.get(int(user_id))
            if accounts.session_ended(session_id):
                return None
        except (AccountInputError, ValueError):
            return None
        except DatabaseUnavailableError:
            # The account as signed in, so the page keeps its outage behaviour (last figures, the message)
            # instead of failing every request; a disabled account or an ended session is refused again once the
            # database answers.
            account = _signed_in_account(user_id)
            if account is None:
                return None
        # A password changed since this session signed in (a reset after a leak) ends the session.
        return SignedIn(account) if account.active and account.password_stamp == _signed_in_stamp() else None

    @server.before_request
    def guard() -> Response | tuple[Response, int] | None:
        if request.path in PUBLIC_PATHS or request.path == MCP_PATH or request.path.startswith(API_PREFIX):
            return None
        if not current_user.is_authenticated:
            return _refused(SIGN_IN_NEEDED)
        if now() - session.get(LAST_SEEN, 0) > idle.total_seconds():
            logout_user()
            session.clear()
            return _refused(SESSION_ENDED)
        session[LAST_SEEN] = now()
        return None

    @server.route("/login", methods=["GET", "POST"])
    def sign_in() -> Response | tuple[str, int] | str:
        next_path = _safe_next(request.values.get("next"))
        if request.method == "GET":
            return login_page(SESSION_ENDED if request.args.get(ENDED_FLAG) else "", next_path=next_path)
        login, password = request.form.get("login", ""), request.form.get("password", "")
        address = request.remote_addr or ""
        if not attempts.admit(login, address):
            return login_page(TOO_MANY_TRIES, login, next_path), 429
        try:
            account = accounts.authenticate(login, password)
        except DatabaseUnavailableError as down:
            return login_page(down.message, login, next_path), 503
        if account is None:  # the form again with its message (a 401 would need an HTTP auth scheme)
            return login_page(WRONG_CREDENTIALS, login, next_path), 200
        attempts.succeeded(login, address)
        session.clear()  # a session fixed before the sign-in carries nothing over
        session[SESSION_ID] = secrets.token_urlsafe(24)
        login_user(SignedIn(account))
        remember_signed_in(account)
        session.permanent = True
        session[LAST_SEEN] = now()
        return redirect(next_path)

    @server.route("/logout", methods=["POST"])
    def sign_out() -> Response:
        session_id = session.get(SESSION_ID)
        if isinstance(session_id, str) and current_user.is_authenticated:
            try:
                accounts.end_session(session_id, idle)
            except DatabaseUnavailableError:  # the browser forgets its cookie; a copy lives until the idle timeout
                log.warning("déconnexion non enregistrée : base de données injoignable")
        logout_user()
        session.clear()
        return redirect("/login")


def acting_user(auth: bool) -> Actor | None:
    """Who asks for the current request's writes: None in solo mode (every right); with AUTH=on the signed-in
    account, or, outside a session (which the guard never lets through), a read-only nobody."""
    if not auth:
        return None
    if has_request_context() and current_user.is_authenticated:
        return Actor(current_user.account.display_name, current_user.account.role)
    return Actor("", Role.LECTURE)


def signed_in_id(auth: bool) -> int | None:
    """The id of the account asking (the export links are signed for it); None in solo mode or outside a session."""
    if auth and has_request_context() and current_user.is_authenticated:
        return current_user.account.id
    return None
