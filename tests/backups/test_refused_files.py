"""A file that is not a complete backup of this kind of database is refused in French before the database is
touched; a backup never overwrites a file it was not told to, and never leaves a half-written one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from domain.errors import BackupError
from services import backups
from tests.backups.conftest import every_row
from wiring import Services


def _text(saved: Path, folder: Path) -> Path:
    (folder / "notes.txt").write_text("Client;Statut\nAcme;Gagné\n", encoding="utf-8")
    return folder / "notes.txt"


def _truncated(saved: Path, folder: Path) -> Path:
    """The backup with its end cut off, as a full disk or an interrupted copy leaves it."""
    (folder / "coupee.sauvegarde").write_bytes(saved.read_bytes()[:-4096])
    return folder / "coupee.sauvegarde"


def _other_kind(saved: Path, folder: Path) -> Path:
    """A backup of the other kind of database: a pg_dump archive for SQLite, a SQLite file for PostgreSQL."""
    if saved.read_bytes().startswith(b"SQLite format 3"):
        (folder / "autre.dump").write_bytes(b"PGDMP\x01\x0f\x00\x04\x08\x01\x01" + b"\x00" * 64)
    else:
        with closing(sqlite3.connect(folder / "autre.dump")) as other:
            other.executescript("CREATE TABLE deals (id INTEGER); CREATE TABLE alembic_version (v TEXT);")
    return folder / "autre.dump"


def _foreign_sqlite(saved: Path, folder: Path) -> Path:
    """An intact SQLite database of some other program."""
    with closing(sqlite3.connect(folder / "autre-logiciel.db")) as other:
        other.executescript("CREATE TABLE contacts (nom TEXT); INSERT INTO contacts VALUES ('Acme');")
    return folder / "autre-logiciel.db"


def _missing(saved: Path, folder: Path) -> Path:
    return folder / "absente.sauvegarde"


@pytest.mark.parametrize(("bad_file", "said"), [
    pytest.param(_text, "n'est pas une sauvegarde", id="text-file"),
    pytest.param(_truncated, "", id="truncated"),
    pytest.param(_other_kind, "n'est pas une sauvegarde", id="other-backend"),
    pytest.param(_foreign_sqlite, "n'est pas une sauvegarde", id="other-program"),
    pytest.param(_missing, "fichier introuvable", id="missing"),
])
def test_a_file_that_is_not_a_usable_backup_changes_nothing(filled: Services, tmp_path: Path,
                                                            bad_file: Callable[[Path, Path], Path],
                                                            said: str) -> None:
    saved = tmp_path / "crm.sauvegarde"
    backups.backup(filled.engine, saved)
    bad = bad_file(saved, tmp_path)
    before = every_row(filled.engine)
    asked: list[bool] = []

    with pytest.raises(BackupError) as refused:
        backups.restore(filled.engine, bad, lambda: asked.append(True) or True)

    assert str(bad) in refused.value.message and said in refused.value.message
    assert asked == []  # refused before the question, so nobody confirms a restore that cannot happen
    assert every_row(filled.engine) == before


def test_a_backup_keeps_an_existing_file_unless_told_to_replace_it(filled: Services, tmp_path: Path) -> None:
    saved = tmp_path / "crm.sauvegarde"
    saved.write_text("la sauvegarde d'hier", encoding="utf-8")

    with pytest.raises(BackupError, match="existe déjà"):
        backups.backup(filled.engine, saved)
    assert saved.read_text(encoding="utf-8") == "la sauvegarde d'hier"

    backups.backup(filled.engine, saved, replace=True)
    assert saved.read_bytes() != b"la sauvegarde d'hier"
    assert not list(tmp_path.glob("*partiel"))  # no partial file left beside it


def test_a_backup_into_a_missing_folder_writes_nothing(filled: Services, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="n'existe pas"):
        backups.backup(filled.engine, tmp_path / "absent" / "crm.sauvegarde")
    assert not (tmp_path / "absent").exists()
