"""Team accounts, on both databases: the rules, the hashing, the sign-in check, the e-mail addresses the digest
goes to, and `crm users`."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from domain.accounts import Account, AccountInputError, Role, clean_email
from services.accounts import HASHER, UNKNOWN_ACCOUNT_HASH, Accounts
from tests.test_demo_and_cli import CRM, ENVIRONMENT, crm

PASSWORD = "un mot de passe solide"


@pytest.fixture
def accounts(engine: Engine) -> Accounts:
    return Accounts(engine)


def test_an_account_is_stored_with_a_hash_and_signs_in(accounts: Accounts, engine: Engine) -> None:
    made = accounts.add(" Camille@Exemple.fr ", "Camille  Martin", "Commercial", PASSWORD)

    assert (made.login, made.display_name, made.role, made.active) == (
        "camille@exemple.fr", "Camille Martin", Role.COMMERCIAL, True)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("CAMILLE@exemple.fr", PASSWORD) == made


@pytest.mark.parametrize(("login", "password"), [
    ("camille@exemple.fr", "un autre mot de passe"),
    ("inconnu@exemple.fr", PASSWORD),
    ("", PASSWORD),
    ("camille@exemple.fr", ""),
])
def test_wrong_credentials_open_nothing(accounts: Accounts, login: str, password: str) -> None:
    accounts.add("camille@exemple.fr", "Camille Martin", "admin", PASSWORD)
    assert accounts.authenticate(login, password) is None


def test_an_unknown_login_costs_the_verification_of_a_real_account() -> None:
    """The written-out hash an unknown login is checked against has the parameters new hashes get (a different
    memory or time cost would make an unknown login quicker or slower to refuse than a wrong password)."""
    assert UNKNOWN_ACCOUNT_HASH.startswith("$argon2id$")
    assert not HASHER.check_needs_rehash(UNKNOWN_ACCOUNT_HASH)
    assert HASHER.hash(PASSWORD).split("$")[:4] == UNKNOWN_ACCOUNT_HASH.split("$")[:4]


def test_a_disabled_account_no_longer_signs_in(accounts: Accounts) -> None:
    accounts.add("leo", "Léo Petit", "lecture", PASSWORD)
    assert not accounts.disable("leo").active
    assert accounts.authenticate("leo", PASSWORD) is None


def test_the_last_active_admin_can_be_neither_demoted_nor_disabled(accounts: Accounts) -> None:
    accounts.add("camille", "Camille Martin", "admin", PASSWORD)
    accounts.add("ancien", "Ancien Admin", "admin", PASSWORD)
    accounts.disable("ancien")  # a disabled admin does not count
    for change in (lambda: accounts.set_role("camille", "commercial"), lambda: accounts.disable("camille")):
        with pytest.raises(AccountInputError, match="dernier admin actif"):
            change()
    assert accounts.by_login("camille") == Account(accounts.by_login("camille").id, "camille", "Camille Martin",
                                                   Role.ADMIN, True)
    accounts.enable("ancien")
    assert accounts.set_role("camille", "commercial").role is Role.COMMERCIAL
    assert accounts.authenticate("ancien", PASSWORD) is not None  # enabled again, password kept


def test_role_and_password_changes(accounts: Accounts) -> None:
    accounts.add("leo", "Léo Petit", "lecture", PASSWORD)
    assert accounts.set_role("leo", "admin").role is Role.ADMIN
    accounts.reset_password("leo", "le nouveau mot de passe")
    assert accounts.authenticate("leo", PASSWORD) is None
    assert accounts.authenticate("leo", "le nouveau mot de passe") is not None


@pytest.mark.parametrize(("login", "name", "role", "password", "reason"), [
    ("léa", "Léa", "admin", PASSWORD, "Identifiant refusé"),
    ("", "Léa", "admin", PASSWORD, "Identifiant refusé"),
    ("lea", "", "admin", PASSWORD, "Nom affiché refusé"),
    ("lea", "x" * 101, "admin", PASSWORD, "Nom affiché refusé"),
    ("lea", "Léa", "chef", PASSWORD, "Rôle inconnu"),
    ("lea", "Léa", "admin", "court", "Mot de passe refusé"),
    ("lea", "Léa", "admin", "x" * 257, "Mot de passe refusé"),
    ("camille@exemple.fr", "Camille bis", "admin", PASSWORD, "existe déjà"),
])
def test_a_broken_rule_is_refused_in_french_and_writes_nothing(
    accounts: Accounts, login: str, name: str, role: str, password: str, reason: str
) -> None:
    accounts.add("camille@exemple.fr", "Camille Martin", "admin", PASSWORD)
    with pytest.raises(AccountInputError, match=reason):
        accounts.add(login, name, role, password)
    assert [account.login for account in accounts.all()] == ["camille@exemple.fr"]


EMAIL_REFUSED = ("Adresse e-mail refusée : une seule adresse (nom@domaine.fr), 254 caractères au plus, sans espace, "
                 "virgule, point-virgule ni chevron.")


@pytest.mark.parametrize(("typed", "stored"), [
    ("lea@exemple.fr", "lea@exemple.fr"),
    ("  Lea.Dubois@Exemple.FR ", "Lea.Dubois@exemple.fr"),
    ("hugo+crm@localhost", "hugo+crm@localhost"),
    ("a" * 243 + "@exemple.fr", "a" * 243 + "@exemple.fr"),
])
def test_an_address_is_trimmed_and_its_domain_lower_cased(typed: str, stored: str) -> None:
    assert clean_email(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "lea", "@exemple.fr", "lea@", "lea@@exemple.fr", "lea@hugo@exemple.fr", "lea dubois@exemple.fr",
    "lea@exemple.fr,hugo@exemple.fr", "lea@exemple.fr;hugo@exemple.fr", "Léa <lea@exemple.fr>",
    "lea@exemple.fr\nBcc: x@piege.example", "lea\t@exemple.fr", "a" * 244 + "@exemple.fr",
])
def test_an_address_that_is_not_one_is_refused_in_french(typed: str) -> None:
    with pytest.raises(AccountInputError) as refused:
        clean_email(typed)
    assert str(refused.value) == EMAIL_REFUSED


def test_the_digest_goes_to_the_active_accounts_with_an_address(accounts: Accounts) -> None:
    """By login, each address once; a disabled account and one without an address are left out."""
    assert accounts.recipients() == []
    accounts.add("zoe", "Zoé Blanc", "lecture", PASSWORD, email="zoe@exemple.fr")
    accounts.add("camille", "Camille Martin", "admin", PASSWORD, email=" Camille@Exemple.FR ")
    accounts.add("leo", "Léo Petit", "commercial", PASSWORD)
    accounts.add("max", "Max Ancien", "commercial", PASSWORD, email="max@exemple.fr")
    accounts.add("camille.bis", "Camille Martin", "lecture", PASSWORD, email="Camille@exemple.fr")
    accounts.add("nina", "Nina Roux", "lecture", PASSWORD, email="")
    accounts.disable("max")

    assert accounts.recipients() == ["Camille@exemple.fr", "zoe@exemple.fr"]
    assert [(account.login, account.email) for account in accounts.all()] == [
        ("camille", "Camille@exemple.fr"), ("camille.bis", "Camille@exemple.fr"), ("leo", None),
        ("max", "max@exemple.fr"), ("nina", None), ("zoe", "zoe@exemple.fr")]

    assert accounts.set_email("leo", " leo@Exemple.fr").email == "leo@exemple.fr"
    assert accounts.set_email("zoe", "").email is None
    accounts.enable("max")
    assert accounts.recipients() == ["Camille@exemple.fr", "leo@exemple.fr", "max@exemple.fr"]


def test_a_refused_address_changes_nothing(accounts: Accounts) -> None:
    accounts.add("leo", "Léo Petit", "commercial", PASSWORD, email="leo@exemple.fr")
    with pytest.raises(AccountInputError, match="Adresse e-mail refusée"):
        accounts.set_email("leo", "leo@exemple.fr, hugo@exemple.fr")
    with pytest.raises(AccountInputError, match="Adresse e-mail refusée"):
        accounts.add("hugo", "Hugo Bernard", "commercial", PASSWORD, email="hugo")
    with pytest.raises(AccountInputError, match="Aucun compte « personne »"):
        accounts.set_email("personne", "personne@exemple.fr")
    assert [(account.login, account.email) for account in accounts.all()] == [("leo", "leo@exemple.fr")]


def _users(*args: str, cwd: Path, database_url: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    """`crm users ...`; a password goes in on standard input, as a set-up script gives it."""
    if password is None:
        return crm("users", *args, "--database-url", database_url, cwd=cwd)
    return subprocess.run([str(CRM), "users", *args, "--mot-de-passe-stdin", "--database-url", database_url],
                          cwd=cwd, input=f"{password}\n", capture_output=True, text=True, check=False, timeout=120,
                          env=ENVIRONMENT)


def test_crm_users_manages_the_team_from_the_command_line(tmp_path: Path, database_url: str) -> None:
    made = _users("add", "camille@exemple.fr", "--nom", "Camille Martin", "--role", "admin", cwd=tmp_path,
                  database_url=database_url, password=PASSWORD)
    assert (made.returncode, made.stdout) == (
        0, "Compte créé : camille@exemple.fr  Camille Martin  admin  actif  sans e-mail\n")
    assert PASSWORD not in made.stdout + made.stderr

    last = _users("set-role", "camille@exemple.fr", "lecture", cwd=tmp_path, database_url=database_url)
    assert last.returncode == 1 and last.stderr.startswith("Erreur : C'est le dernier admin actif")
    _users("add", "leo", "--nom", "Léo Petit", "--role", "admin", cwd=tmp_path, database_url=database_url,
           password=PASSWORD)
    assert _users("set-role", "camille@exemple.fr", "lecture", cwd=tmp_path, database_url=database_url).returncode == 0
    assert _users("disable", "camille@exemple.fr", cwd=tmp_path, database_url=database_url).returncode == 0
    listed = _users("list", cwd=tmp_path, database_url=database_url)
    assert listed.stdout == ("camille@exemple.fr  Camille Martin  lecture  désactivé  sans e-mail\n"
                             "leo  Léo Petit  admin  actif  sans e-mail\n")
    enabled = _users("enable", "camille@exemple.fr", cwd=tmp_path, database_url=database_url)
    assert (enabled.returncode, enabled.stdout) == (
        0, "Compte réactivé : camille@exemple.fr  Camille Martin  lecture  actif  sans e-mail\n")


@pytest.mark.parametrize(("args", "password", "line"), [
    (["add", "leo", "--nom", "Léo", "--role", "chef"], PASSWORD, "Erreur : Rôle inconnu : « chef »."),
    (["add", "leo", "--nom", "Léo", "--role", "admin"], "court", "Erreur : Mot de passe refusé"),
    (["disable", "personne"], None, "Erreur : Aucun compte « personne »."),
    (["reset-password", "personne"], PASSWORD, "Erreur : Aucun compte « personne »."),
])
def test_crm_users_refuses_bad_input_with_exit_1(tmp_path: Path, database_url: str, args: list[str],
                                                 password: str | None, line: str) -> None:
    result = _users(*args, cwd=tmp_path, database_url=database_url, password=password)
    assert result.returncode == 1 and result.stderr.startswith(line), result.stderr
    assert "Traceback" not in result.stderr


def test_crm_users_gives_and_removes_an_address(tmp_path: Path, database_url: str, engine: Engine) -> None:
    made = _users("add", "lea", "--nom", "Léa Dubois", "--role", "commercial", "--email", "Lea@Exemple.fr",
                  cwd=tmp_path, database_url=database_url, password=PASSWORD)
    assert (made.returncode, made.stdout) == (0, "Compte créé : lea  Léa Dubois  commercial  actif  Lea@exemple.fr\n")

    changed = _users("set-email", "LEA", "lea.dubois@exemple.fr", cwd=tmp_path, database_url=database_url)
    assert (changed.returncode, changed.stdout) == (
        0, "Adresse changée : lea  Léa Dubois  commercial  actif  lea.dubois@exemple.fr\n")
    listed = _users("list", cwd=tmp_path, database_url=database_url)
    assert listed.stdout == "lea  Léa Dubois  commercial  actif  lea.dubois@exemple.fr\n"

    removed = _users("set-email", "lea", "", cwd=tmp_path, database_url=database_url)
    assert (removed.returncode, removed.stdout) == (0, "Adresse changée : lea  Léa Dubois  commercial  actif  "
                                                       "sans e-mail\n")
    assert Accounts(engine).recipients() == []


@pytest.mark.parametrize(("args", "password"), [
    (["set-email", "lea", "lea@exemple.fr hugo@exemple.fr"], None),
    (["set-email", "lea", "Léa <lea@exemple.fr>"], None),
    (["add", "hugo", "--nom", "Hugo Bernard", "--role", "lecture", "--email", "hugo"], PASSWORD),
])
def test_crm_users_refuses_a_bad_address_and_changes_nothing(tmp_path: Path, database_url: str, engine: Engine,
                                                             args: list[str], password: str | None) -> None:
    Accounts(engine).add("lea", "Léa Dubois", "commercial", PASSWORD, email="lea@exemple.fr")
    result = _users(*args, cwd=tmp_path, database_url=database_url, password=password)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"Erreur : {EMAIL_REFUSED}\n")
    assert [(account.login, account.email) for account in Accounts(engine).all()] == [("lea", "lea@exemple.fr")]


def test_each_account_keeps_its_own_last_visit(engine: Engine) -> None:
    accounts = Accounts(engine)
    camille = accounts.add("camille", "Camille Martin", "admin", "un mot de passe solide")
    lea = accounts.add("lea", "Léa Dubois", "commercial", "un mot de passe solide")
    monday, tuesday = datetime(2026, 11, 23, 8, 30), datetime(2026, 11, 24, 9, 15)
    assert accounts.swap_last_visit(camille.id, monday) is None  # a first visit
    assert accounts.swap_last_visit(camille.id, tuesday) == monday
    assert accounts.swap_last_visit(lea.id, tuesday) is None
    assert accounts.swap_last_visit(camille.id, tuesday) == tuesday
