"""Demo data, and the installed `crm` command run as a user runs it: help, usage errors, the database commands.

The import command's own paths are in tests/importing/test_cli.py; both use `crm` and `assert_usage_error` here.
"""

from __future__ import annotations

import csv
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from data.demo import generate_demo_deals
from data.sample_file import SAMPLE_PATH, write_sample_csv
from domain.stages import STAGE_NAMES

TODAY = date(2026, 11, 21)
CRM = Path(sys.executable).with_name("crm")  # the console script of pyproject.toml, installed in the venv
COMMANDS = "init, seed-demo, reset-demo, remove-demo, write-sample, import, users, tokens, digest, backup, restore"
# A database no test should reach: a command that forgets --database-url fails instead of using a real one.
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://personne@127.0.0.1:9/pas_celle_ci"}
UNTOUCHED = "untouched.sqlite3"
DB = ["--database-url", f"sqlite:///{UNTOUCHED}"]  # relative to the working folder; usage errors never open it
UNREACHABLE = "La base de données est injoignable pour le moment. Les chiffres reviendront dès qu'elle répondra."


def crm(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `crm`; whatever happens, a user never sees a Python traceback."""
    assert CRM.is_file(), "the crm command is not installed: pip install -e . (scripts/bootstrap.sh)"
    result = subprocess.run([str(CRM), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120,
                            env={**ENVIRONMENT, **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    return result


def assert_usage_error(result: subprocess.CompletedProcess[str], line: str) -> None:
    """Exit 2, the French line first on stderr, then the command's usage line and where its help is."""
    lines = result.stderr.splitlines()
    assert (result.returncode, result.stdout, lines[0]) == (2, "", f"Erreur : {line}"), result.stderr
    assert lines[1].startswith("Utilisation : crm") and lines[2].startswith("Aide : crm")


def count(engine: Engine, where: str = "true") -> int:
    with engine.connect() as connection:
        return connection.scalar(text(f"SELECT count(*) FROM deals WHERE {where}"))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_deals_are_deterministic_and_realistic() -> None:
    deals = list(generate_demo_deals(TODAY))
    assert deals == list(generate_demo_deals(TODAY))
    assert set(Counter(deal.statut for deal in deals)) == set(STAGE_NAMES)
    assert len({deal.secteur for deal in deals if deal.secteur}) >= 12
    assert len({deal.assignee for deal in deals}) == 8
    amounts = [deal.montant_brut for deal in deals]
    assert min(amounts) < 1_000 and max(amounts) > 100_000
    assert any(deal.date_echeance and deal.date_echeance < TODAY for deal in deals)
    assert any(deal.date_echeance and 0 <= (deal.date_echeance - TODAY).days <= 30 for deal in deals)


def test_shipped_sample_file_is_a_french_excel_export(tmp_path: Path) -> None:
    raw = SAMPLE_PATH.read_bytes()
    assert "Négociation".encode("cp1252") in raw
    rows = list(csv.reader(raw.decode("cp1252").splitlines(), delimiter=";"))
    assert len(rows) - 1 == 200
    regenerated = tmp_path / "sample.csv"
    write_sample_csv(regenerated, TODAY)
    assert regenerated.read_bytes() == raw


def test_main_help_is_french_and_lists_every_command(tmp_path: Path) -> None:
    result = crm("--help", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Utilisation : crm [PARAMÈTRES] COMMANDE [ARGUMENTS]...")
    assert "\nParamètres :\n" in result.stdout and "\nCommandes :\n" in result.stdout
    listed = result.stdout.split("Commandes :\n")[1].splitlines()
    assert [line.split()[0] for line in listed[:len(COMMANDS.split(", "))]] == COMMANDS.split(", ")
    assert "Codes de sortie : 0 fait, 1 rien n'a pu être importé" in result.stdout
    assert not {"Usage:", "Options:", "Commands:", "Show this message"} & set(result.stdout.splitlines())


@pytest.mark.parametrize("command", COMMANDS.split(", "))
def test_every_command_has_a_french_help(tmp_path: Path, command: str) -> None:
    result = crm(command, "-h", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"Utilisation : crm {command} [PARAMÈTRES]")
    assert "\nParamètres :\n" in result.stdout and "affiche cette aide" in result.stdout
    for english in ("Usage:", "Options:", "Arguments:", "Show this message"):
        assert english not in result.stdout


@pytest.mark.parametrize(("arguments", "line"), [
    pytest.param([], f"indiquez une commande : {COMMANDS}", id="no-command"),
    pytest.param(["importer"], f"commande inconnue : importer (commandes : {COMMANDS})", id="unknown-command"),
    pytest.param([*DB, "init"], "option inconnue : --database-url", id="option-before-the-command"),
    pytest.param(["import", "deals.csv", "--simulation", *DB], "option inconnue : --simulation", id="unknown-option"),
    pytest.param(["import", "deals.csv", "--dry-run=oui", *DB], "l'option --dry-run ne prend pas de valeur",
                 id="flag-given-a-value"),
    pytest.param(["import", "deals.csv", *DB, "--mapping"], "l'option --mapping attend une valeur",
                 id="option-missing-its-value"),
    pytest.param(["import", "deals.csv", "--rejets", "--dry-run", *DB], "l'option --rejets attend une valeur",
                 id="option-name-taken-as-a-value"),
    pytest.param(["init", "maintenant", *DB], "argument en trop : maintenant", id="extra-argument"),
    pytest.param(["write-sample", "absent/exemple.csv"], "impossible d'écrire « absent/exemple.csv » : introuvable",
                 id="write-sample-folder-missing"),
    pytest.param(["init", "--database-url", "pas-une-adresse"], "adresse de base de données illisible "
                 "(--database-url ou DATABASE_URL) : sqlite:///chemin ou postgresql://utilisateur@hôte/base",
                 id="unreadable-database-url"),
    pytest.param(["seed-demo", "--database-url", "postgresql://moi@hote:port/base"], "adresse de base de données "
                 "illisible (--database-url ou DATABASE_URL) : sqlite:///chemin ou postgresql://utilisateur@hôte/base",
                 id="database-port-not-a-number"),
    pytest.param(["remove-demo", "--database-url", "mysql://moi@hote/base"], "adresse de base de données "
                 "illisible (--database-url ou DATABASE_URL) : sqlite:///chemin ou postgresql://utilisateur@hôte/base",
                 id="database-driver-not-installed"),
])
def test_usage_error_exits_2_with_a_french_line(tmp_path: Path, arguments: list[str], line: str) -> None:
    (tmp_path / "deals.csv").write_text("Client;Statut;Montant\r\nAcme;Gagné;1 000\r\n", encoding="utf-8")
    assert_usage_error(crm(*arguments, cwd=tmp_path), line)
    assert not (tmp_path / UNTOUCHED).exists()


def test_refused_settings_are_a_usage_error(tmp_path: Path) -> None:
    result = crm("reset-demo", *DB, cwd=tmp_path, env={"DEBUG": "1", "APP_ENV": "production"})
    assert_usage_error(result, "réglage refusé : DEBUG=1 est refusé avec APP_ENV=production : le débogueur "
                               "montrerait le code et les chemins des fichiers.")


def test_init_creates_the_schema(tmp_path: Path, empty_database_url: str,
                                 engine_for_url: Callable[[str], Engine]) -> None:
    result = crm("init", "--database-url", empty_database_url, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "Base de données à jour.\n", "")
    assert count(engine_for_url(empty_database_url)) == 0


def test_seed_demo_adds_the_demo_deals_once(tmp_path: Path, empty_database_url: str,
                                            engine_for_url: Callable[[str], Engine]) -> None:
    first = crm("seed-demo", "--database-url", empty_database_url, cwd=tmp_path)
    seeded = count(engine_for_url(empty_database_url), "est_demo")
    assert (first.returncode, first.stdout) == (0, f"{seeded} deals de démonstration ajoutés.\n") and seeded > 0
    again = crm("seed-demo", "--database-url", empty_database_url, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "Les deals de démonstration sont déjà présents.\n")
    assert count(engine_for_url(empty_database_url)) == seeded


def test_reset_demo_replaces_the_demo_deals(tmp_path: Path, database_url: str, engine: Engine) -> None:
    crm("seed-demo", "--database-url", database_url, cwd=tmp_path)
    n = count(engine, "est_demo")
    result = crm("reset-demo", "--database-url", database_url, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"{n} deals de démonstration supprimés, {n} ajoutés.\n")
    assert count(engine, "est_demo") == count(engine) == n


def test_remove_demo_keeps_the_users_own_deals(tmp_path: Path, database_url: str, engine: Engine) -> None:
    crm("seed-demo", "--database-url", database_url, cwd=tmp_path)
    seeded = count(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Mon client', 'Gagné', 5)"))
    result = crm("remove-demo", "--database-url", database_url, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"{seeded} deals de démonstration supprimés.\n")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT client FROM deals")).scalars().all() == ["Mon client"]


def test_write_sample_writes_the_200_deal_file_where_asked(tmp_path: Path) -> None:
    result = crm("write-sample", "exemple.csv", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "200 deals écrits dans exemple.csv\n", "")
    rows = list(csv.reader((tmp_path / "exemple.csv").read_text(encoding="cp1252").splitlines(), delimiter=";"))
    assert len(rows) == 201 and "Négociation" in {cell for row in rows for cell in row}


@pytest.mark.parametrize("command", [["init"], ["import", "deals.csv"]])
def test_unreachable_database_exits_1_without_its_password(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "deals.csv").write_text("Client;Statut;Montant\r\nAcme;Gagné;1 000\r\n", encoding="utf-8")
    port = closed_port()
    result = crm(*command, "--database-url", f"postgresql://moi:secret@127.0.0.1:{port}/base", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Erreur : {UNREACHABLE} (postgresql+psycopg://moi:***@127.0.0.1:{port}/base)\n"


@pytest.mark.parametrize("path", [pytest.param("notes.txt/crm.sqlite3", id="file-named-as-the-folder"),
                                  pytest.param("notes.txt/dossier/crm.sqlite3", id="file-in-the-path")])
def test_sqlite_folder_that_cannot_be_made_exits_1(tmp_path: Path, path: str) -> None:
    (tmp_path / "notes.txt").write_text("pas un dossier", encoding="utf-8")
    result = crm("init", "--database-url", f"sqlite:///{path}", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Erreur : {UNREACHABLE} (une partie du chemin n'est pas un dossier)\n"


def test_a_file_that_is_not_a_database_exits_1(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("pas une base SQLite" * 100, encoding="utf-8")
    result = crm("init", "--database-url", "sqlite:///notes.txt", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "Erreur : la base de données a refusé l'opération (DatabaseError).\n"


def test_ctrl_c_exits_1_with_a_french_line(tmp_path: Path) -> None:
    """A server that accepts the connection and never answers: the command waits there until interrupted."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.settimeout(60)
        url = f"postgresql://moi@127.0.0.1:{silent.getsockname()[1]}/base"
        # The command must start with Ctrl-C handled, as from a terminal: a test run started in the background
        # of a script ignores SIGINT, and an ignored signal is inherited by the command (which then waited on).
        ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            process = subprocess.Popen([str(CRM), "init", "--database-url", url], cwd=tmp_path, env=ENVIRONMENT,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        finally:
            signal.signal(signal.SIGINT, ignored)
        connection, _ = silent.accept()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        connection.close()
    assert (process.returncode, out, err.strip()) == (1, "", "Interrompu.")
