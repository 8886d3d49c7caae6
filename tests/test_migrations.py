"""Migrations build the whole schema from nothing and take it back down cleanly, on both databases."""

from __future__ import annotations

from sqlalchemy import inspect, text

from data.db import make_engine
from data.migrate import downgrade, upgrade

TABLES = {"deals", "import_runs", "deal_rollup", "deal_totals"}


def test_upgrade_from_empty_then_downgrade_to_empty(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= TABLES
    leading = {index["column_names"][0] for index in inspector.get_indexes("deals")}
    assert {"statut", "secteur", "date_echeance", "assignee"} <= leading

    downgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) <= {"alembic_version"}
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            leftovers = connection.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"))
        else:
            leftovers = connection.scalar(text(
                "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public'"))
    assert leftovers == 0

    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
