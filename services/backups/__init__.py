"""`crm backup` and `crm restore`: a whole deals database to one file and back, on either backend.

Why the backend's own tools: SQLite's online backup API copies a consistent snapshot while the dashboard keeps
writing, and restores in one step; pg_dump's custom archive is what any PostgreSQL administrator can read and
restore by hand. A file is checked (right kind, complete) before the database is touched, a restore replaces the
data entirely or not at all, and the migrations then bring an older backup up to the current schema.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from sqlalchemy import Engine

from data.migrate import upgrade
from domain.errors import BackupError
from services.backups import postgres, sqlite
from services.reachability import database_reachable


def backup(engine: Engine, path: Path, replace: bool = False) -> None:
    """Write a backup of the whole database to `path`; an existing file is kept unless `replace` (and is then
    replaced only once the new backup is complete)."""
    if path.is_dir():
        raise BackupError(f"« {path} » est un dossier : indiquez le chemin d'un fichier")
    if path.exists() and not replace:
        raise BackupError(f"« {path} » existe déjà : choisissez un autre nom, ou --force pour le remplacer")
    if not path.parent.is_dir():
        raise BackupError(f"le dossier « {path.parent} » n'existe pas")
    with database_reachable():
        _backend(engine).backup(engine, path)


def restore(engine: Engine, path: Path, confirmed: Callable[[], bool] = lambda: True) -> bool:
    """Replace the whole database by the backup in `path`, then migrate it to the current schema; returns whether
    it did. A file that is not a complete backup of this backend raises `BackupError` before anything is changed;
    `confirmed` is asked only once the file is known to be usable (a refusal changes nothing either)."""
    if path.is_dir():
        raise BackupError(f"« {path} » est un dossier : indiquez le chemin d'un fichier de sauvegarde")
    if not path.is_file():
        raise BackupError(f"« {path} » : fichier introuvable")
    with database_reachable():
        if not _backend(engine).restore(engine, path, confirmed):
            return False
        upgrade(engine)
    return True


def _backend(engine: Engine) -> ModuleType:
    """The module that backs up and restores this engine's kind of database."""
    return sqlite if engine.dialect.name == "sqlite" else postgres
