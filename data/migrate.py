"""Run the Alembic migrations from code: the app and the CLI migrate the database they are given."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the latest by default)."""
    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the schema back down to `revision` (empty by default)."""
    command.downgrade(_config(engine), revision)


def at_head(connection: Connection) -> bool:
    """Whether the database's schema is at the latest migration (a server started on an older release, or a
    database restored from an old dump, is not)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    return set(MigrationContext.configure(connection).get_current_heads()) == heads
