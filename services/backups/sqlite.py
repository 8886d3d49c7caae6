"""SQLite backups through its online backup API: a consistent copy while the dashboard keeps writing.

The copy is made in one step (`pages=-1`): the source is read in one read transaction (WAL lets writers go on), and
a restore writes the destination in one write transaction, so readers see the old data or the new, never a mix.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Engine

from domain.errors import BackupError
from services.backups.files import written_atomically

HEADER = b"SQLite format 3\x00"
# A backup of this app holds its deals and the migration it is at (restore migrates it from there).
EXPECTED_TABLES = {"deals", "alembic_version"}


def backup(engine: Engine, path: Path) -> None:
    """Copy the live database into a new single file at `path` (no -wal beside it: it can be moved alone)."""
    database = engine.url.database
    if not database or database == ":memory:" or not Path(database).is_file():
        raise BackupError(f"la base SQLite « {database} » n'existe pas : rien à sauvegarder")
    with (_failing_as("la sauvegarde a échoué"), _driver_connection(engine) as source,
          written_atomically(path) as partial, closing(sqlite3.connect(partial)) as target):
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")


def restore(engine: Engine, path: Path, confirmed: Callable[[], bool]) -> bool:
    """Check `path` is a complete backup of this app and ask; then copy it over the live database in one step."""
    with _opened_backup(path) as source:
        if not confirmed():
            return False
        with _failing_as("la restauration a échoué"), _driver_connection(engine) as target:
            source.backup(target)
    return True


@contextmanager
def _opened_backup(path: Path) -> Iterator[sqlite3.Connection]:
    """The backup file, opened read-only once known to be an intact SQLite database of this app."""
    with path.open("rb") as file:
        if file.read(len(HEADER)) != HEADER:
            raise BackupError(f"« {path} » n'est pas une sauvegarde SQLite du CRM")
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source:
        try:
            damaged = source.execute("PRAGMA quick_check").fetchone()[0] != "ok"
            tables = {name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError:
            damaged = True
        if damaged:
            raise BackupError(f"« {path} » est abîmé ou incomplet : ce n'est pas une sauvegarde utilisable")
        if not tables >= EXPECTED_TABLES:
            raise BackupError(f"« {path} » est une base SQLite, mais n'est pas une sauvegarde du CRM")
        yield source


@contextmanager
def _failing_as(failure: str) -> Iterator[None]:
    """SQLite's own refusal (a disk full, a write that held the database too long) as a `BackupError`: the copy
    was one step, so nothing of it was kept."""
    try:
        yield
    except sqlite3.Error as error:
        raise BackupError(f"{failure} (SQLite : {error.sqlite_errorname})") from error


@contextmanager
def _driver_connection(engine: Engine) -> Iterator[sqlite3.Connection]:
    """The engine's own sqlite3 connection (its busy timeout waits for a write in progress)."""
    pooled = engine.raw_connection()
    try:
        yield pooled.driver_connection
    finally:
        pooled.close()
