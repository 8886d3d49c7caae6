"""First-start preparation: migrate the database and, on a brand-new one, add the demo deals."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, inspect

from data.demo import seed_demo
from data.migrate import upgrade


def prepare_database(engine: Engine, with_demo: bool, today: date) -> bool:
    """Migrate to the latest schema; seed demo deals only when this call created the schema.

    Seeding only a newly created database means a founder who removed the demo deals does not get them
    back on the next restart. Returns whether demo deals were added.
    """
    is_new = not inspect(engine).has_table("deals")
    upgrade(engine)
    if is_new and with_demo:
        seed_demo(engine, today)
        return True
    return False
