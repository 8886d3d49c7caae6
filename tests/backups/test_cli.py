"""`crm backup` and `crm restore` run as a founder runs them (`python cli.py`, DATABASE_URL in the environment):
what they print, their exit codes, and a database left as it was whenever they refuse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from services import backups
from tests.backups.conftest import every_row
from tests.test_demo_and_cli import ENVIRONMENT
from wiring import Services

CLI = Path(__file__).resolve().parents[2] / "cli.py"


def crm(*args: str, cwd: Path, database_url: str, answer: str | None = None) -> subprocess.CompletedProcess[str]:
    """This checkout's command line on `database_url`; whatever happens, no Python traceback."""
    result = subprocess.run([sys.executable, str(CLI), *args], cwd=cwd, capture_output=True, text=True,
                            check=False, timeout=120, input=answer,
                            env={**ENVIRONMENT, "DATABASE_URL": database_url})
    assert "Traceback" not in result.stderr, result.stderr
    return result


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_backup_then_restore_into_an_empty_database(filled: Services, database_url: str, empty_twin: Engine,
                                                    tmp_path: Path) -> None:
    saved = crm("backup", "crm.sauvegarde", cwd=tmp_path, database_url=database_url)
    assert (saved.returncode, saved.stderr) == (0, "")
    assert saved.stdout.startswith("Sauvegarde de ")
    assert saved.stdout.rstrip().endswith("écrite dans crm.sauvegarde. Pour y revenir : crm restore crm.sauvegarde")

    restored = crm("restore", "crm.sauvegarde", "--yes", cwd=tmp_path, database_url=url_of(empty_twin))

    assert (restored.returncode, restored.stderr) == (0, "")
    assert restored.stdout.startswith("Base ") and "restaurée depuis crm.sauvegarde." in restored.stdout
    assert every_row(empty_twin) == every_row(filled.engine)


def test_backup_keeps_an_existing_file_unless_forced(filled: Services, database_url: str, tmp_path: Path) -> None:
    (tmp_path / "crm.sauvegarde").write_text("la sauvegarde d'hier", encoding="utf-8")

    kept = crm("backup", "crm.sauvegarde", cwd=tmp_path, database_url=database_url)
    assert (kept.returncode, kept.stdout) == (1, "")
    assert kept.stderr == ("Erreur : « crm.sauvegarde » existe déjà : choisissez un autre nom, ou --force pour le "
                           "remplacer.\n")
    assert (tmp_path / "crm.sauvegarde").read_text(encoding="utf-8") == "la sauvegarde d'hier"

    forced = crm("backup", "crm.sauvegarde", "--force", cwd=tmp_path, database_url=database_url)
    assert (forced.returncode, forced.stderr) == (0, "")


def test_restore_asks_first_and_only_oui_goes_on(filled: Services, database_url: str, tmp_path: Path) -> None:
    backups.backup(filled.engine, tmp_path / "crm.sauvegarde")
    filled.writes.remove_demo()
    before = every_row(filled.engine)

    for answer, said in (("non\n", "Restauration annulée : la base n'a pas été modifiée.\n"), ("", "Interrompu.\n")):
        refused = crm("restore", "crm.sauvegarde", cwd=tmp_path, database_url=database_url, answer=answer)
        assert (refused.returncode, refused.stderr) == (1, said)
        assert "vont être remplacées par celles de crm.sauvegarde. Tapez oui pour continuer : " in refused.stdout
        assert every_row(filled.engine) == before

    accepted = crm("restore", "crm.sauvegarde", cwd=tmp_path, database_url=database_url, answer="oui\n")
    assert (accepted.returncode, accepted.stderr) == (0, "")
    assert every_row(filled.engine) != before


def test_restore_of_a_file_that_is_no_backup_says_so_and_changes_nothing(filled: Services, database_url: str,
                                                                          tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text("Client;Statut\nAcme;Gagné\n", encoding="utf-8")
    before = every_row(filled.engine)

    for file in ("deals.csv", "absente.sauvegarde"):
        refused = crm("restore", file, cwd=tmp_path, database_url=database_url)

        assert (refused.returncode, refused.stdout) == (1, "")  # refused before the question
        [line] = refused.stderr.splitlines()
        assert line.startswith(f"Erreur : « {file} » ") and line.endswith(". La base n'a pas été modifiée.")
    assert every_row(filled.engine) == before


def test_restore_without_a_file_is_a_usage_error(tmp_path: Path, database_url: str) -> None:
    result = crm("restore", cwd=tmp_path, database_url=database_url)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == "Erreur : il manque l'argument FICHIER"
