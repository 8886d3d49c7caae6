"""First-start preparation: migrate the database, and tell whether this call created its schema."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from data.migrate import upgrade


def upgrade_schema(engine: Engine) -> bool:
    """Migrate to the latest schema; returns whether the database was brand-new (had no deals table).

    The caller seeds demo deals only then, so a founder who removed them does not get them back on the
    next restart.
    """
    is_new = not inspect(engine).has_table("deals")
    upgrade(engine)
    return is_new
