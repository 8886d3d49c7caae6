"""Signing in with AUTH=on, over real HTTP on both databases: what a wrong, unknown or disabled account gets,
the lock-out, the idle timeout, signing out, and that no page, script or callback answers without a session."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import pytest
from markupsafe import escape
from sqlalchemy import Engine

from app import create_app
from auth import guard
from auth.attempts import FAILURES_ALLOWED
from auth.guard import SESSION_ENDED, TOO_MANY_TRIES, WRONG_CREDENTIALS
from services.accounts import Accounts
from settings import Settings
from tests.conftest import allow_connections
from tests.security.conftest import Served, serve

PASSWORD = "un mot de passe solide"
FAILURES = int(FAILURES_ALLOWED.split()[0])
TEAM = Settings(demo_data=False, cache_type="simple", auth=True, secret_key="k" * 48)


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    location: str | None


class Browser:
    """A cookie jar and no automatic redirects: each answer is seen as the server sent it."""

    def __init__(self, base: str, timeout: float = 20) -> None:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *_args: object, **_kwargs: object) -> None:
                return None

        self.base = base
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def send(self, path: str, form: dict[str, str] | None = None, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else body
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, response.read().decode(), response.headers.get("Location"))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(), error.headers.get("Location"))

    def sign_in(self, login: str, password: str) -> Answer:
        return self.send("/login", {"login": login, "password": password, "next": "/"})


@pytest.fixture
def team(database_url: str, engine: Engine) -> Iterator[Served]:
    """The app with AUTH=on and two accounts: an active admin and a disabled commercial."""
    accounts = Accounts(engine)
    accounts.add("camille@exemple.fr", "Camille Martin", "admin", PASSWORD)
    accounts.add("leo", "Léo Petit", "commercial", PASSWORD)
    accounts.disable("leo")
    yield from serve(replace(TEAM, database_url=database_url))


def test_a_page_without_a_session_goes_to_the_sign_in_form(team: Served) -> None:
    browser = Browser(team.url)
    answer = browser.send("/")
    assert (answer.status, answer.location) == (302, "/login?next=%2F")
    form = browser.send(answer.location)
    assert form.status == 200 and 'action="/login"' in form.body and "Se connecter" in form.body
    assert "_dash-renderer" not in form.body


def test_signing_in_opens_the_dashboard_and_signing_out_closes_it(team: Served) -> None:
    browser = Browser(team.url)
    signed = browser.sign_in("Camille@Exemple.fr", PASSWORD)
    assert (signed.status, signed.location) == (302, "/")
    assert browser.send("/").status == 200
    assert browser.send("/_dash-layout").status == 200
    cookie = next(iter(browser.cookies))
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "Lax"

    assert browser.send("/logout", form={}).status == 302
    assert browser.send("/").status == 302


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(team: Served) -> None:
    """A copy of the cookie taken before signing out (a shared computer, malware) opens nothing afterwards, page,
    layout or callback; another session of the same account goes on."""
    browser, elsewhere = Browser(team.url), Browser(team.url)
    assert browser.sign_in("camille@exemple.fr", PASSWORD).status == 302
    assert elsewhere.sign_in("camille@exemple.fr", PASSWORD).status == 302
    copy = Browser(team.url)
    for cookie in browser.cookies:
        copy.cookies.set_cookie(cookie)
    assert copy.send("/_dash-layout").status == 200

    assert browser.send("/logout", form={}).status == 302
    assert copy.send("/").status == 302
    assert copy.send("/_dash-layout").status == 401
    assert elsewhere.send("/_dash-layout").status == 200


@pytest.mark.parametrize(("login", "password"), [
    ("camille@exemple.fr", "pas le bon mot de passe"),
    ("personne@exemple.fr", PASSWORD),
    ("leo", PASSWORD),  # disabled
])
def test_a_wrong_unknown_or_disabled_account_gets_one_french_message(team: Served, login: str,
                                                                    password: str) -> None:
    browser = Browser(team.url)
    answer = browser.sign_in(login, password)
    assert answer.status == 200 and escape(WRONG_CREDENTIALS) in answer.body
    assert browser.send("/").status == 302


def test_five_failures_lock_the_account_even_for_the_right_password(team: Served) -> None:
    browser = Browser(team.url)
    for _ in range(5):
        assert escape(WRONG_CREDENTIALS) in browser.sign_in("camille@exemple.fr", "essai au hasard").body
    locked = browser.sign_in("camille@exemple.fr", PASSWORD)
    assert locked.status == 429 and escape(TOO_MANY_TRIES) in locked.body
    assert browser.send("/").status == 302


def test_guesses_sent_at_the_same_moment_are_counted_before_any_password_is_checked(team: Served) -> None:
    """Twenty wrong passwords at once: a check made before the slow password hash, and counted only after it,
    would let most of them be tried."""
    def guess(_: int) -> int:
        return Browser(team.url, timeout=60).sign_in("camille@exemple.fr", "essai au hasard").status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(guess, range(20)))
    assert statuses.count(200) == FAILURES and statuses.count(429) == 20 - FAILURES
    assert Browser(team.url).sign_in("camille@exemple.fr", PASSWORD).status == 429


def test_a_right_password_starts_the_count_afresh(team: Served) -> None:
    """Only failures add up: a user who mistyped, then signed in, is not locked out by his next typos."""
    browser = Browser(team.url)
    for _ in range(2):
        for _ in range(FAILURES - 1):
            assert escape(WRONG_CREDENTIALS) in browser.sign_in("camille@exemple.fr", "faute de frappe").body
        assert browser.sign_in("camille@exemple.fr", PASSWORD).status == 302


@pytest.mark.parametrize("next_path", [
    "//piege.example/", "/\t/piege.example/", "/\\piege.example/", "https://piege.example/", "/\n/piege.example",
    "/\\/piege.example", "\t//piege.example",
])
def test_signing_in_never_leads_to_another_site(team: Served, next_path: str) -> None:
    """A link to the real sign-in page whose `next` a browser would read as another site (a tab or line break it
    drops, a backslash it reads as a slash) leads to the dashboard, never elsewhere, and never to an error."""
    answer = Browser(team.url).send("/login", {"login": "camille@exemple.fr", "password": PASSWORD,
                                               "next": next_path})
    assert (answer.status, answer.location) == (302, "/")


def test_signing_in_goes_back_to_the_page_asked_for(team: Served) -> None:
    answer = Browser(team.url).send("/login", {"login": "camille@exemple.fr", "password": PASSWORD,
                                               "next": "/performance"})
    assert (answer.status, answer.location) == (302, "/performance")


def test_a_session_idle_too_long_ends_on_the_server(team: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser still holds the cookie (as a stolen one would be held): the server ends the session anyway."""
    browser = Browser(team.url)
    assert browser.sign_in("camille@exemple.fr", PASSWORD).status == 302
    assert browser.send("/").status == 200
    clock = guard.now
    monkeypatch.setattr(guard, "now", lambda: clock() + TEAM.session_idle_minutes * 60 + 1)

    ended = browser.send("/")
    assert (ended.status, ended.location) == (302, "/login?next=%2F&expiree=1")
    assert escape(SESSION_ENDED) in browser.send(ended.location).body
    assert browser.send("/_dash-layout").status == 401


def test_nothing_answers_without_a_session(team: Served, database_url: str) -> None:
    """Every route the server has, and every callback, with no session: only /login, /health and the API's
    document and docs page (the API's shape, no data) answer; the API's operations ask for a token."""
    app = create_app(replace(TEAM, database_url=database_url))
    paths = {re.sub(r"<int[^>]*>", "1", re.sub(r"<path:[^>]+>", "x.js", rule.rule))
             for rule in app.server.url_map.iter_rules()}
    assert "/api/v1/deals/1" in paths and "/api/v1/docs/assets/x.js" in paths
    browser = Browser(team.url)
    opened = {path for path in paths if browser.send(path).status == 200}
    assert opened == {"/login", "/health", "/api/v1/openapi.json", "/api/v1/docs"}
    for near_a_token_path in ("/_mcpx", "/_mcp/", "/_mcp-autre/page", "/api/v1x"):  # Dash's page route would answer
        assert browser.send(near_a_token_path).status == 302, near_a_token_path
    assert len(app.callback_map) > 10
    for output in app.callback_map:  # every callback of the page, as the renderer names it
        callback = browser.send("/_dash-update-component", body=json.dumps({"output": output}).encode(),
                                headers={"Content-Type": "application/json"})
        assert callback.status == 401 and json.loads(callback.body) == {"message": "Connexion requise."}, output


def test_a_post_from_another_site_is_refused(team: Served) -> None:
    answer = Browser(team.url).send("/login", {"login": "camille@exemple.fr", "password": PASSWORD},
                                    headers={"Origin": "https://piege.example"})
    assert answer.status == 403


def test_a_database_outage_keeps_the_signed_in_page_working(team: Served, database_url: str) -> None:
    """The session's account is read from the database on each request; while it is out of reach the page still
    loads (and its callbacks report the outage) instead of every request failing."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file cannot refuse connections")
    browser = Browser(team.url)
    assert browser.sign_in("camille@exemple.fr", PASSWORD).status == 302
    allow_connections(database_url, allowed=False)
    try:
        during = browser.send("/_dash-layout").status
    finally:
        allow_connections(database_url, allowed=True)
    assert during == 200
    assert browser.send("/_dash-layout").status == 200
