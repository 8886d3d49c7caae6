"""Team accounts, on both databases: the rules, the hashing, the sign-in check, and `crm users`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from domain.accounts import Account, AccountInputError, Role
from services.accounts import Accounts
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
    assert (made.returncode, made.stdout) == (0, "Compte créé : camille@exemple.fr  Camille Martin  admin  actif\n")
    assert PASSWORD not in made.stdout + made.stderr

    last = _users("set-role", "camille@exemple.fr", "lecture", cwd=tmp_path, database_url=database_url)
    assert last.returncode == 1 and last.stderr.startswith("Erreur : C'est le dernier admin actif")
    _users("add", "leo", "--nom", "Léo Petit", "--role", "admin", cwd=tmp_path, database_url=database_url,
           password=PASSWORD)
    assert _users("set-role", "camille@exemple.fr", "lecture", cwd=tmp_path, database_url=database_url).returncode == 0
    assert _users("disable", "camille@exemple.fr", cwd=tmp_path, database_url=database_url).returncode == 0
    listed = _users("list", cwd=tmp_path, database_url=database_url)
    assert listed.stdout == "camille@exemple.fr  Camille Martin  lecture  désactivé\nleo  Léo Petit  admin  actif\n"
    enabled = _users("enable", "camille@exemple.fr", cwd=tmp_path, database_url=database_url)
    assert (enabled.returncode, enabled.stdout) == (
        0, "Compte réactivé : camille@exemple.fr  Camille Martin  lecture  actif\n")


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
