"""The admin page (/admin/comptes) over real HTTP on both databases: an admin lists, adds, changes a role or an
e-mail address, disables and resets a password, and what each change does to signing in; a commercial or a lecture
account gets 403 on every request and changes nothing; no session goes to /login; a refused input says why in
French and changes nothing; an admin cannot lock themselves out; a POST without this session's form token is
refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from markupsafe import escape
from sqlalchemy import Engine, text

from auth.admin_actions import NOT_THE_SAME, NOT_YOURSELF_DEMOTED, NOT_YOURSELF_DISABLED
from auth.admin_html import BOOTSTRAP_CSS
from auth.admin_page import ADMIN_PATH, SOLO_MODE, STALE_FORM
from auth.guard import WRONG_CREDENTIALS
from domain.accounts import AccountInputError
from domain.errors import DatabaseUnavailableError
from services.accounts import Accounts
from tests.auth.test_sign_in import PASSWORD, TEAM, Answer, Browser
from tests.conftest import allow_connections
from tests.security.conftest import Served, serve

ADMIN = "camille@exemple.fr"
NEW_PASSWORD = "un autre mot de passe"
ADMINS_ONLY = "Seul un admin peut gérer les comptes."
POSTS = {
    "ajouter": {"identifiant": "nina", "nom": "Nina Roux", "role": "admin", "mot_de_passe": NEW_PASSWORD,
                "confirmation": NEW_PASSWORD},
    "role": {"identifiant": "lou", "role": "admin"},
    "desactiver": {"identifiant": ADMIN},
    "mot_de_passe": {"identifiant": ADMIN, "mot_de_passe": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
    "email": {"identifiant": "lou", "email": "lou@exemple.fr"},
}
# A real address (an apostrophe and an ampersand may come before the @) that the page must escape.
ODD_ADDRESS = "o'hara&co@exemple.fr"


@pytest.fixture
def team(database_url: str, engine: Engine) -> Iterator[Served]:
    """AUTH=on with an admin, a commercial, a lecture account and a disabled one."""
    accounts = Accounts(engine)
    accounts.add(ADMIN, "Camille Martin", "admin", PASSWORD)
    accounts.add("lea", "Léa Dubois", "commercial", PASSWORD, email=ODD_ADDRESS)
    accounts.add("lou", "Lou Lecteur", "lecture", PASSWORD)
    accounts.add("max", "Max Ancien", "commercial", PASSWORD)
    accounts.disable("max")
    yield from serve(replace(TEAM, database_url=database_url))


def signed_in(served: Served, login: str, password: str = PASSWORD) -> Browser:
    browser = Browser(served.url)
    assert browser.sign_in(login, password).status == 302
    return browser


def post(browser: Browser, action: str, token: str | None = None, **fields: str) -> Answer:
    """A form of the page, with the session's token unless another is given."""
    if token is None:
        token = re.search(r'name="jeton" value="([^"]+)"', browser.send(ADMIN_PATH).body).group(1)
    return browser.send(ADMIN_PATH, {"jeton": token, "action": action, **fields})


def message(answer: Answer) -> str:
    return re.search(r'id="admin-message"[^>]*>([^<]*)<', answer.body).group(1)


def accounts_table(engine: Engine) -> list[tuple]:
    """Every account as stored, password hashes included: equal before and after means nothing changed."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT login, display_name, role, active, password_hash, email FROM users ORDER BY login"))]


def can_sign_in(served: Served, login: str, password: str) -> bool:
    answer = Browser(served.url).sign_in(login, password)
    assert answer.status == 302 or escape(WRONG_CREDENTIALS) in answer.body
    return answer.status == 302


def test_an_admin_sees_every_account_with_its_role_and_state(team: Served) -> None:
    browser = signed_in(team, ADMIN)
    page = browser.send(ADMIN_PATH)
    assert page.status == 200
    rows = dict(re.findall(r'<tr data-login="([^"]+)">(.*?)</tr>', page.body, re.S))
    assert list(rows) == [ADMIN, "lea", "lou", "max"]
    assert "Camille Martin" in rows[ADMIN] and ">vous<" in rows[ADMIN]
    assert '<option value="commercial" selected>' in rows["lea"] and '<option value="lecture" selected>' in rows["lou"]
    assert "désactivé" in rows["max"] and "Désactiver" not in rows["max"]
    assert "Désactiver" in rows["lea"] and "Désactiver" not in rows[ADMIN]  # no control to lock oneself out
    assert ODD_ADDRESS not in page.body and f'<span class="account-email">{escape(ODD_ADDRESS)}</span>' in rows["lea"]
    assert f'value="{escape(ODD_ADDRESS)}"' in rows["lea"]
    assert '<span class="account-email">aucune</span>' in rows["lou"]
    assert 'href="/"' in page.body and 'lang="fr"' in page.body
    assert f'href="{BOOTSTRAP_CSS}"' in page.body and browser.send(BOOTSTRAP_CSS).status == 200


def test_an_added_account_can_sign_in(team: Served) -> None:
    browser = signed_in(team, ADMIN)
    done = post(browser, "ajouter", identifiant="Nina@Exemple.fr", nom=" Nina  Roux ", role="lecture",
                mot_de_passe=NEW_PASSWORD, confirmation=NEW_PASSWORD)
    assert (done.status, done.location) == (303, ADMIN_PATH)

    shown = browser.send(ADMIN_PATH)
    assert message(shown) == "Compte créé : nina@exemple.fr (Nina Roux, lecture)."
    assert NEW_PASSWORD not in shown.body
    assert can_sign_in(team, "nina@exemple.fr", NEW_PASSWORD)
    assert Accounts(team.engine).by_login("nina@exemple.fr").role.value == "lecture"


def test_an_address_given_with_the_account_or_changed_later_is_where_the_digest_goes(team: Served) -> None:
    browser = signed_in(team, ADMIN)
    assert post(browser, "ajouter", identifiant="nina", nom="Nina Roux", role="lecture", email=" Nina@Exemple.FR ",
                mot_de_passe=NEW_PASSWORD, confirmation=NEW_PASSWORD).status == 303
    assert post(browser, "email", identifiant="lou", email="lou@exemple.fr").status == 303
    assert message(browser.send(ADMIN_PATH)) == "Adresse e-mail de lou : lou@exemple.fr."
    assert post(browser, "email", identifiant="lea", email="").status == 303
    assert message(browser.send(ADMIN_PATH)) == "Adresse e-mail de lea retirée."

    accounts = Accounts(team.engine)
    assert [(account.login, account.email) for account in accounts.all()] == [
        (ADMIN, None), ("lea", None), ("lou", "lou@exemple.fr"), ("max", None), ("nina", "Nina@exemple.fr")]
    assert accounts.recipients() == ["lou@exemple.fr", "Nina@exemple.fr"]


def test_a_role_changed_by_an_admin_applies_at_once(team: Served) -> None:
    lea = signed_in(team, "lea")
    assert lea.send(ADMIN_PATH).status == 403

    done = post(signed_in(team, ADMIN), "role", identifiant="lea", role="admin")

    assert done.status == 303
    assert Accounts(team.engine).by_login("lea").role.value == "admin"
    assert lea.send(ADMIN_PATH).status == 200  # her open session has her new role


def test_a_disabled_account_can_no_longer_sign_in_and_its_session_ends(team: Served) -> None:
    lea = signed_in(team, "lea")
    browser = signed_in(team, ADMIN)

    assert post(browser, "desactiver", identifiant="lea").status == 303

    assert message(browser.send(ADMIN_PATH)) == "Compte lea désactivé : il ne peut plus se connecter."
    assert not Accounts(team.engine).by_login("lea").active
    assert not can_sign_in(team, "lea", PASSWORD)
    assert lea.send("/").status == 302


def test_a_reset_password_replaces_the_old_one(team: Served) -> None:
    browser = signed_in(team, ADMIN)
    done = post(browser, "mot_de_passe", identifiant="lou", mot_de_passe=NEW_PASSWORD, confirmation=NEW_PASSWORD)

    assert done.status == 303
    assert message(browser.send(ADMIN_PATH)) == "Mot de passe de lou changé."
    assert not can_sign_in(team, "lou", PASSWORD)
    assert can_sign_in(team, "lou", NEW_PASSWORD)


def test_a_reset_password_ends_the_account_s_open_sessions_but_not_one_s_own(team: Served) -> None:
    """After a leak the admin resets the password: a session opened with the old one ends at its next request."""
    lou = signed_in(team, "lou")
    assert lou.send("/").status == 200
    admin = signed_in(team, ADMIN)
    assert post(admin, "mot_de_passe", identifiant="lou", mot_de_passe=NEW_PASSWORD,
                confirmation=NEW_PASSWORD).status == 303
    assert lou.send("/").status == 302
    assert post(admin, "mot_de_passe", identifiant=ADMIN, mot_de_passe=NEW_PASSWORD,
                confirmation=NEW_PASSWORD).status == 303
    assert admin.send(ADMIN_PATH).status == 200


@pytest.mark.parametrize("login", ["lea", "lou"])
@pytest.mark.parametrize("action", [None, *POSTS])
def test_a_commercial_or_a_lecture_account_gets_403_and_changes_nothing(team: Served, login: str,
                                                                       action: str | None) -> None:
    """Every request a non-admin can send, the page's token or not: refused on the server, nothing written."""
    before = accounts_table(team.engine)
    browser = signed_in(team, login)

    answer = browser.send(ADMIN_PATH) if action is None else post(browser, action, token="x", **POSTS[action])

    assert answer.status == 403 and message(answer) == ADMINS_ONLY
    assert 'name="jeton"' not in answer.body and "data-login" not in answer.body
    assert accounts_table(team.engine) == before


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_without_a_session_the_page_goes_to_the_sign_in(team: Served, method: str) -> None:
    before = accounts_table(team.engine)
    browser = Browser(team.url)
    answer = browser.send(ADMIN_PATH, POSTS["ajouter"] if method == "POST" else None)
    assert (answer.status, answer.location) == (302, "/login?next=%2Fadmin%2Fcomptes")
    assert accounts_table(team.engine) == before


@pytest.mark.parametrize(("action", "fields", "expected"), [
    ("ajouter", {"identifiant": "nina", "nom": "Nina Roux", "role": "lecture", "mot_de_passe": "court",
                 "confirmation": "court"}, "Mot de passe refusé : entre 12 et 256 caractères."),
    ("ajouter", {"identifiant": "nina", "nom": "Nina Roux", "role": "lecture", "mot_de_passe": NEW_PASSWORD,
                 "confirmation": NEW_PASSWORD + "!"}, NOT_THE_SAME),
    ("ajouter", {"identifiant": "LEA", "nom": "Léa Bis", "role": "lecture", "mot_de_passe": NEW_PASSWORD,
                 "confirmation": NEW_PASSWORD}, "L'identifiant « lea » existe déjà."),
    ("ajouter", {"identifiant": "nina", "nom": "Nina Roux", "role": "patron", "mot_de_passe": NEW_PASSWORD,
                 "confirmation": NEW_PASSWORD}, "Rôle inconnu : « patron ». Rôles possibles : admin, commercial, "
                                                "lecture."),
    ("mot_de_passe", {"identifiant": "lou", "mot_de_passe": NEW_PASSWORD, "confirmation": "autre chose encore"},
     NOT_THE_SAME),
    ("mot_de_passe", {"identifiant": "lou", "mot_de_passe": "court", "confirmation": "court"},
     "Mot de passe refusé : entre 12 et 256 caractères."),
    ("role", {"identifiant": "personne", "role": "lecture"}, "Aucun compte « personne »."),
    ("email", {"identifiant": "lou", "email": "lou@exemple.fr, lea@exemple.fr"}, "Adresse e-mail refusée : une "
     "seule adresse (nom@domaine.fr), 254 caractères au plus, sans espace, virgule, point-virgule ni chevron."),
    ("email", {"identifiant": "personne", "email": "personne@exemple.fr"}, "Aucun compte « personne »."),
    ("ajouter", {"identifiant": "nina", "nom": "Nina Roux", "role": "lecture", "email": "Nina <nina@exemple.fr>",
                 "mot_de_passe": NEW_PASSWORD, "confirmation": NEW_PASSWORD}, "Adresse e-mail refusée : une seule "
     "adresse (nom@domaine.fr), 254 caractères au plus, sans espace, virgule, point-virgule ni chevron."),
    ("desactiver", {"identifiant": "pas un identifiant !"}, "Identifiant refusé : 100 caractères au plus, lettres "
                                                            "sans accent, chiffres et . _ @ + -, en commençant par "
                                                            "une lettre ou un chiffre."),
    ("supprimer", {"identifiant": "lea"}, "Action inconnue : rien n'a changé."),
    # an admin can neither disable nor demote themselves (the team keeps an admin)
    ("desactiver", {"identifiant": ADMIN}, NOT_YOURSELF_DISABLED),
    ("desactiver", {"identifiant": " Camille@Exemple.FR "}, NOT_YOURSELF_DISABLED),
    ("role", {"identifiant": ADMIN, "role": "commercial"}, NOT_YOURSELF_DEMOTED),
    ("role", {"identifiant": "CAMILLE@exemple.fr", "role": "lecture"}, NOT_YOURSELF_DEMOTED),
])
def test_a_refused_input_says_why_in_french_and_changes_nothing(team: Served, action: str, fields: dict[str, str],
                                                                expected: str) -> None:
    before = accounts_table(team.engine)
    browser = signed_in(team, ADMIN)

    answer = post(browser, action, **fields)

    assert answer.status == 422 and message(answer) == escape(expected)
    assert accounts_table(team.engine) == before
    for typed in (fields.get("mot_de_passe"), fields.get("confirmation")):
        assert not typed or f'value="{typed}"' not in answer.body
    if action == "ajouter":  # the form comes back filled, passwords excepted
        assert f'value="{escape(fields["identifiant"])}"' in answer.body
        assert not fields.get("email") or f'value="{escape(fields["email"])}"' in answer.body
    assert browser.send(ADMIN_PATH).status == 200



def test_an_admin_may_change_another_admin(team: Served) -> None:
    """The rule is about oneself: with two admins, each may demote or disable the other."""
    Accounts(team.engine).set_role("lea", "admin")
    browser = signed_in(team, ADMIN)
    assert post(browser, "role", identifiant="lea", role="lecture").status == 303
    assert post(browser, "desactiver", identifiant="lea").status == 303
    lea = Accounts(team.engine).by_login("lea")
    assert (lea.role.value, lea.active) == ("lecture", False)


@pytest.mark.parametrize("token", ["", "x" * 43, "é"])
def test_a_post_without_this_sessions_form_token_is_refused(team: Served, token: str) -> None:
    before = accounts_table(team.engine)
    browser = signed_in(team, ADMIN)
    answer = post(browser, "desactiver", token=token, identifiant="lea")
    assert answer.status == 403 and message(answer) == escape(STALE_FORM)
    assert accounts_table(team.engine) == before


def test_another_sessions_token_is_refused(team: Served) -> None:
    """A token is this session's: one read by another admin's session (or before signing in again) opens nothing."""
    before = accounts_table(team.engine)
    first = signed_in(team, ADMIN)
    stale = re.search(r'name="jeton" value="([^"]+)"', first.send(ADMIN_PATH).body).group(1)
    second = signed_in(team, ADMIN)
    assert post(second, "desactiver", token=stale, identifiant="lea").status == 403
    assert accounts_table(team.engine) == before


def test_a_post_from_another_site_is_refused(team: Served) -> None:
    before = accounts_table(team.engine)
    browser = signed_in(team, ADMIN)
    token = re.search(r'name="jeton" value="([^"]+)"', browser.send(ADMIN_PATH).body).group(1)
    answer = browser.send(ADMIN_PATH, {"jeton": token, "action": "desactiver", "identifiant": "lea"},
                          headers={"Origin": "https://piege.example"})
    assert answer.status == 403
    assert accounts_table(team.engine) == before


def test_a_database_outage_shows_its_message(team: Served, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file cannot refuse connections")
    browser = signed_in(team, ADMIN)
    allow_connections(database_url, allowed=False)
    try:
        answer = browser.send(ADMIN_PATH)
    finally:
        allow_connections(database_url, allowed=True)
    assert answer.status == 503 and message(answer) == escape(DatabaseUnavailableError.message)


def test_in_solo_mode_there_is_no_admin_page(database_url: str) -> None:
    for served in serve(replace(TEAM, database_url=database_url, auth=False, secret_key="")):
        answer = Browser(served.url).send(ADMIN_PATH)
        assert answer.status == 404 and message(answer) == escape(SOLO_MODE)


def test_a_disabled_account_is_enabled_again_and_signs_in(team: Served) -> None:
    browser = signed_in(team, ADMIN)
    assert post(browser, "desactiver", identifiant="lea").status == 303
    assert post(browser, "reactiver", identifiant="lea").status == 303
    assert Accounts(team.engine).by_login("lea").active
    assert Browser(team.url).sign_in("lea", PASSWORD).status == 302


def test_the_last_active_admin_keeps_the_role_whoever_asks(team: Served) -> None:
    """Two admins: one demotes the other, then the one left cannot be demoted (not even by the command line's
    service), so the team always has someone to manage the accounts."""
    Accounts(team.engine).set_role("lea", "admin")
    browser = signed_in(team, "lea")
    assert post(browser, "role", identifiant=ADMIN, role="commercial").status == 303
    with pytest.raises(AccountInputError, match="dernier admin actif"):
        Accounts(team.engine).set_role("lea", "lecture")
    assert Accounts(team.engine).by_login("lea").role.value == "admin"
