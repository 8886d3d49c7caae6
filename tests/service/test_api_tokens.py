"""API tokens on both databases: creation (secret shown once, stored hashed), the list, revocation, and which
account a secret opens (none for a revoked token, a disabled owner or anything that is not a secret)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from data.models import ApiTokenRow
from domain.accounts import Account, AccountInputError, Role
from domain.api_tokens import ApiToken
from services.accounts import Accounts
from services.tokens import ApiTokens

PASSWORD = "un mot de passe solide"
START = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Clock:
    """The tokens' clock, moved by hand: the "once a minute" of `last_used_at` without waiting."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(engine: Engine, clock: Clock) -> ApiTokens:
    accounts = Accounts(engine)
    accounts.add("lea@exemple.fr", "Léa Dubois", "commercial", PASSWORD)
    accounts.add("hugo", "Hugo Bernard", "lecture", PASSWORD)
    return ApiTokens(engine, now=clock)


def _stored(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM api_tokens ORDER BY id"))]


def test_a_new_token_opens_its_account_and_only_its_hash_is_stored(tokens: ApiTokens, engine: Engine) -> None:
    token, secret = tokens.create(" Lea@Exemple.fr ", "  Zapier   ventes ")

    assert token == ApiToken(token.id, "lea@exemple.fr", "Zapier ventes", START, None, False)
    assert secret.startswith("crm_") and len(secret) == 47
    account = tokens.account_for(secret)
    assert account is not None
    assert (account.login, account.display_name, account.role, account.active) == (
        "lea@exemple.fr", "Léa Dubois", Role.COMMERCIAL, True)
    stored = _stored(engine)
    assert hashlib.sha256(secret.encode()).hexdigest() in stored[0]
    assert not any(secret in str(value) or secret[4:] in str(value) for value in stored[0])


def test_each_token_has_its_own_secret(tokens: ApiTokens) -> None:
    (first, first_secret), (second, second_secret) = tokens.create("lea@exemple.fr", "a"), tokens.create("hugo", "b")
    assert first_secret != second_secret and first.id != second.id
    opened = [tokens.account_for(first_secret), tokens.account_for(second_secret)]
    assert [account.login if account else None for account in opened] == ["lea@exemple.fr", "hugo"]


@pytest.mark.parametrize(("login", "label", "reason"), [
    ("personne", "Zapier", "Aucun compte « personne »"),
    ("hugo", "", "Libellé refusé"),
    ("hugo", "   ", "Libellé refusé"),
    ("hugo", "x" * 101, "Libellé refusé"),
    ("pas un identifiant", "Zapier", "Identifiant refusé"),
])
def test_a_token_for_no_account_or_without_a_proper_label_is_refused(
    tokens: ApiTokens, engine: Engine, login: str, label: str, reason: str
) -> None:
    with pytest.raises(AccountInputError, match=reason):
        tokens.create(login, label)
    assert _stored(engine) == []


def test_a_disabled_account_gets_no_token_and_its_tokens_open_nothing(tokens: ApiTokens, engine: Engine) -> None:
    _token, secret = tokens.create("hugo", "Script")
    Accounts(engine).disable("hugo")

    assert tokens.account_for(secret) is None
    with pytest.raises(AccountInputError, match="désactivé"):
        tokens.create("hugo", "Autre script")
    assert len(_stored(engine)) == 1


def test_the_list_shows_every_token_by_owner_or_those_of_one_account(tokens: ApiTokens, clock: Clock) -> None:
    lea, _ = tokens.create("lea@exemple.fr", "Zapier")
    clock.now += timedelta(hours=1)
    hugo, _ = tokens.create("hugo", "Tableur")
    revoked = tokens.revoke(hugo.id)

    assert tokens.all() == [revoked, lea]  # by login: hugo, then lea@exemple.fr
    assert revoked == ApiToken(hugo.id, "hugo", "Tableur", START + timedelta(hours=1), None, True)
    assert tokens.all("LEA@exemple.fr") == [lea]
    with pytest.raises(AccountInputError, match="Aucun compte « inconnu »"):
        tokens.all("inconnu")


def test_a_revoked_token_opens_nothing_and_stays_listed(tokens: ApiTokens, engine: Engine, clock: Clock) -> None:
    token, secret = tokens.create("lea@exemple.fr", "Zapier")
    _other, other_secret = tokens.create("lea@exemple.fr", "Sauvegarde")
    clock.now += timedelta(minutes=5)
    assert tokens.revoke(token.id).revoked
    clock.now += timedelta(minutes=5)
    assert tokens.revoke(token.id).revoked  # again: still revoked, at the first time

    assert tokens.account_for(secret) is None
    assert tokens.account_for(other_secret) is not None
    with engine.connect() as connection:
        revoked_at = connection.execute(select(ApiTokenRow.revoked_at).where(ApiTokenRow.id == token.id)).scalar_one()
    assert revoked_at == START + timedelta(minutes=5)
    assert [listed.revoked for listed in tokens.all()] == [True, False]


@pytest.mark.parametrize("token_id", [0, -1, 999, 2**31, 2**70])
def test_revoking_an_unknown_token_is_refused_in_french(tokens: ApiTokens, token_id: int) -> None:
    tokens.create("hugo", "Script")
    with pytest.raises(AccountInputError, match=f"^Aucun jeton n° {token_id}\\.$"):
        tokens.revoke(token_id)
    assert not tokens.all()[0].revoked


GARBAGE: list[object] = [
    None, 42, 4.2, b"crm_" + b"a" * 43, ["crm_"], {"secret": "x"}, "", "crm_", "Bearer ", "crm_" + "a" * 42,
    "crm_" + "a" * 44, "CRM_" + "a" * 43, "xyz_" + "a" * 43, "crm_" + "a" * 42 + "=", "crm_" + "a" * 42 + "é",
    "crm_" + "a" * 42 + "\ud800", "crm_" + "a" * 43 + "\n", " crm_" + "a" * 43, "crm_" + "a" * 10_000_000,
    "' OR 1=1 --", "a" * 64,
]


@pytest.mark.parametrize("secret", GARBAGE, ids=lambda value: repr(value)[:30])
def test_anything_but_a_secret_of_ours_opens_nothing(tokens: ApiTokens, engine: Engine, secret: object) -> None:
    _token, real = tokens.create("lea@exemple.fr", "Zapier")
    with engine.begin() as connection:  # a stored hash that is itself the garbage, in case it is looked up as is
        connection.execute(text("UPDATE api_tokens SET token_hash = :hash"), {"hash": "a" * 64})
    assert tokens.account_for(secret) is None
    assert tokens.account_for(real) is None  # its hash is no longer stored


def test_a_secret_one_character_off_opens_nothing(tokens: ApiTokens) -> None:
    _token, secret = tokens.create("lea@exemple.fr", "Zapier")
    changed = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert tokens.account_for(changed) is None
    assert tokens.account_for(secret) is not None


def _last_used(engine: Engine) -> datetime | None:
    with engine.connect() as connection:
        return connection.execute(select(ApiTokenRow.last_used_at)).scalar_one()


def test_last_use_is_recorded_at_most_once_a_minute(tokens: ApiTokens, engine: Engine, clock: Clock) -> None:
    _token, secret = tokens.create("lea@exemple.fr", "Zapier")
    assert _last_used(engine) is None

    clock.now += timedelta(seconds=10)
    assert tokens.account_for(secret) is not None
    assert _last_used(engine) == START + timedelta(seconds=10)
    clock.now += timedelta(seconds=59)
    assert tokens.account_for(secret) is not None
    assert _last_used(engine) == START + timedelta(seconds=10)  # not a write per request
    clock.now += timedelta(seconds=1)
    assert tokens.account_for(secret) is not None
    assert _last_used(engine) == START + timedelta(seconds=70)
    assert tokens.all()[0].last_used_at == START + timedelta(seconds=70)


def test_a_token_acts_with_the_current_role_of_its_account(tokens: ApiTokens, engine: Engine) -> None:
    _token, secret = tokens.create("hugo", "Script")
    Accounts(engine).set_role("hugo", "admin")
    account = tokens.account_for(secret)
    assert isinstance(account, Account) and account.role is Role.ADMIN
