"""`crm tokens create|list|revoke`, run as an admin runs it (the installed command), on both databases."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from domain.api_tokens import SECRET_PATTERN
from services.accounts import Accounts
from services.tokens import ApiTokens
from tests.test_demo_and_cli import DB, assert_usage_error, crm

PASSWORD = "un mot de passe solide"
LISTED = re.compile(r"n° (\d+)  (\S+)  « (.*) »  créé le \d\d/\d\d/\d{4} \d\d:\d\d  (jamais utilisé|utilisé le .*)  "
                    r"(actif|révoqué)")


def _tokens(*args: str, cwd: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    return crm("tokens", *args, "--database-url", database_url, cwd=cwd)


def _row(line: str) -> tuple[str, ...]:
    """A token's line of `crm tokens`: (n°, login, label, use, state)."""
    listed = LISTED.fullmatch(line)
    assert listed, line
    return listed.groups()


@pytest.fixture
def team(engine: Engine) -> Engine:
    accounts = Accounts(engine)
    accounts.add("lea@exemple.fr", "Léa Dubois", "commercial", PASSWORD)
    accounts.add("hugo", "Hugo Bernard", "lecture", PASSWORD)
    accounts.disable("hugo")
    return engine


def test_create_prints_the_secret_once_with_how_to_send_it(tmp_path: Path, database_url: str, team: Engine) -> None:
    made = _tokens("create", "lea@exemple.fr", "--libelle", "Zapier ventes", cwd=tmp_path, database_url=database_url)

    assert (made.returncode, made.stderr) == (0, "")
    summary, secret, warning, usage = made.stdout.splitlines()
    assert summary.startswith("Jeton créé : ")
    assert _row(summary.removeprefix("Jeton créé : ")) == ("1", "lea@exemple.fr", "Zapier ventes", "jamais utilisé",
                                                         "actif")
    assert SECRET_PATTERN.fullmatch(secret)
    assert warning.startswith("Ce secret ne sera plus jamais affiché")
    assert usage.endswith(f"Authorization: Bearer {secret}")
    account = ApiTokens(team).account_for(secret)
    assert account is not None and account.login == "lea@exemple.fr"
    with team.connect() as connection:
        stored = " ".join(map(str, connection.execute(text("SELECT * FROM api_tokens")).one()))
    assert secret[4:] not in stored

    listed = _tokens("list", cwd=tmp_path, database_url=database_url)
    assert listed.returncode == 0 and secret[4:] not in listed.stdout


def test_list_and_revoke(tmp_path: Path, database_url: str, team: Engine) -> None:
    tokens = ApiTokens(team)
    zapier, secret = tokens.create("lea@exemple.fr", "Zapier")
    tokens.create("lea@exemple.fr", "Tableur")

    revoked = _tokens("revoke", str(zapier.id), cwd=tmp_path, database_url=database_url)
    assert (revoked.returncode, revoked.stderr) == (0, "")
    assert revoked.stdout.startswith(f"Jeton révoqué : n° {zapier.id}  lea@exemple.fr  « Zapier »")
    assert revoked.stdout.rstrip().endswith("révoqué")
    assert tokens.account_for(secret) is None

    for args in ((), ("LEA@exemple.fr",)):
        listed = _tokens("list", *args, cwd=tmp_path, database_url=database_url)
        assert listed.returncode == 0, listed.stderr
        assert [_row(line) for line in listed.stdout.splitlines()] == [
            ("1", "lea@exemple.fr", "Zapier", "jamais utilisé", "révoqué"),
            ("2", "lea@exemple.fr", "Tableur", "jamais utilisé", "actif")]
    assert _tokens("list", "hugo", cwd=tmp_path, database_url=database_url).stdout == "Aucun jeton.\n"


@pytest.mark.parametrize(("args", "line"), [
    (["create", "personne", "--libelle", "Zapier"], "Erreur : Aucun compte « personne »."),
    (["create", "hugo", "--libelle", "Zapier"], "Erreur : Le compte « hugo » est désactivé"),
    (["create", "lea@exemple.fr", "--libelle", "x" * 101], "Erreur : Libellé refusé : entre 1 et 100 caractères."),
    (["create", "lea@exemple.fr", "--libelle", " "], "Erreur : Libellé refusé"),
    (["list", "personne"], "Erreur : Aucun compte « personne »."),
    (["revoke", "7"], "Erreur : Aucun jeton n° 7."),
    (["revoke", "99999999999999999999999"], "Erreur : Aucun jeton n° 99999999999999999999999."),
])
def test_a_refusal_is_one_french_line_and_exit_1(tmp_path: Path, database_url: str, team: Engine, args: list[str],
                                                 line: str) -> None:
    result = _tokens(*args, cwd=tmp_path, database_url=database_url)
    assert (result.returncode, result.stdout) == (1, ""), result.stdout
    assert result.stderr.startswith(line) and len(result.stderr.splitlines()) == 1, result.stderr
    with team.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM api_tokens")) == 0


@pytest.mark.parametrize(("args", "line"), [
    (["create", "lea", *DB], "l'option --libelle est obligatoire"),
    (["create", *DB, "--libelle", "Zapier"], "il manque l'argument IDENTIFIANT"),
    (["revoke", "premier", *DB], "NUMÉRO attend un nombre entier"),
    (["revoke", *DB], "il manque l'argument NUMÉRO"),
    (["list", "lea", "hugo", *DB], "argument en trop : hugo"),
    ([], "indiquez une commande : create, list, revoke"),
])
def test_usage_errors_exit_2_before_opening_the_database(tmp_path: Path, args: list[str], line: str) -> None:
    assert_usage_error(crm("tokens", *args, cwd=tmp_path), line)
    assert not (tmp_path / "untouched.sqlite3").exists()
