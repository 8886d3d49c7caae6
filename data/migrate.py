"""Run the Alembic migrations from code: the app and the CLI migrate the database they are given.

A database already at `HEAD_REVISION` (every start but the first after an upgrade) is recognised from its
`alembic_version` row without loading Alembic and its scripts: about 0.3 s of every command and start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The latest migration; tests/test_migrations.py checks it is the head of the scripts in MIGRATIONS_DIR.
HEAD_REVISION = "0027_ended_sessions"


def _config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (the latest by default)."""
    if revision == "head":
        with engine.connect() as connection:
            if at_head(connection):
                return
    from alembic import command

    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Take the schema back down to `revision` (empty by default)."""
    from alembic import command

    command.downgrade(_config(engine), revision)


def at_head(connection: Connection) -> bool:
    """Whether the database's schema is at the latest migration (a server started on an older release, or a
    database restored from an old dump, is not)."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()) == {HEAD_REVISION}
