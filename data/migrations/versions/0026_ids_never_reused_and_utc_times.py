"""A deal's id is never given to another deal (SQLite), and the deals' own times are UTC whoever writes them
(PostgreSQL).

Why, SQLite: `deals.id` was a plain `INTEGER PRIMARY KEY`, which SQLite gives out again once the deal holding the
largest id is deleted. The history (`deal_events`) outlives a deleted deal (an undo brings it back), so the next
new deal took over the deleted one's history: another deal's timeline in the form, a cycle from its creation to
the other deal's win (negative), stage movement counts below zero, and an "Annuler" refused ("déjà de retour")
when anyone created a deal within the ten seconds. PostgreSQL's sequence never gives an id twice; `AUTOINCREMENT`
makes SQLite do the same. SQLite cannot add it to a table: the table is built again (same columns, constraints,
rows and ids), and its indexes and triggers are created again from their own stored definitions. The counter
starts above every id the history names, so the ids of deals deleted before this migration are not given either.

Why, PostgreSQL: `created_at` and `updated_at` defaulted to `LOCALTIMESTAMP`, the wall clock of the writing
session's time zone, while the history and `last_change_at` are UTC. The app's connections are UTC, but `psql` on
a server set to Paris time wrote deals created an hour (two in summer) after their own history: negative stays and
cycles. Every default of a time column and the touch trigger now take UTC, as the history does.
"""

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from alembic import op
from sqlalchemy import text

revision = "0026_ids_never_reused"
down_revision = "0025_weekly_pipeline_changes"

POSTGRES_NOW_UTC = "(now() AT TIME ZONE 'UTC')"
# (table, column, its earlier default): the defaults that took the writing session's local time.
LOCAL_TIME_DEFAULTS = (("deals", "created_at", "LOCALTIMESTAMP"), ("deals", "updated_at", "LOCALTIMESTAMP"),
                       ("import_runs", "imported_at", "CURRENT_TIMESTAMP"),
                       ("users", "created_at", "CURRENT_TIMESTAMP"), ("api_tokens", "created_at", "CURRENT_TIMESTAMP"))
REBUILT = "deals_rebuilt"
# How the stored CREATE TABLE changes: (pattern, replacement, how many times it may be found). The key is a
# table constraint as 0007 built the table, a column's once a downgrade of this migration has written it.
TO_COUNTING_KEY = ((r"\s*PRIMARY KEY \(id\),", "", (0, 1)),
                   (r"\bid INTEGER NOT NULL(?: PRIMARY KEY)?,", "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", (1,)))
TO_PLAIN_KEY = ((r"\bid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", "id INTEGER NOT NULL PRIMARY KEY,", (1,)),)


def _touch_function(now: str) -> str:
    """0012's touch trigger function (the latest), with `now` for `updated_at`."""
    spec = importlib.util.spec_from_file_location("crm_migration_0012",
                                                  Path(__file__).with_name("0012_last_change.py"))
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.POSTGRES_TOUCH.replace("LOCALTIMESTAMP", now)


def _postgres_times(to_utc: bool) -> None:
    for table, column, local in LOCAL_TIME_DEFAULTS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {POSTGRES_NOW_UTC if to_utc else local}")
    op.execute(_touch_function(POSTGRES_NOW_UTC if to_utc else "LOCALTIMESTAMP"))


def _rebuild_sqlite_deals(changes: tuple[tuple[str, str, tuple[int, ...]], ...]) -> None:
    """Build `deals` again from its stored CREATE TABLE with `changes` made to it, keeping every row, index and
    trigger."""
    connection = op.get_bind()
    table_sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'deals'")
                                   ).scalar()
    rebuilt_sql, renamed = re.subn(r'^CREATE TABLE "?deals"?', f"CREATE TABLE {REBUILT}", table_sql)
    for pattern, replacement, expected in changes:
        rebuilt_sql, found = re.subn(pattern, replacement, rebuilt_sql)
        if found not in expected or renamed != 1:
            raise RuntimeError(f"deals: {pattern!r} found {found} times in the table's definition")
    dependents = connection.execute(text(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'deals' AND type IN ('index', 'trigger') AND sql IS NOT NULL "
        "ORDER BY type, rowid")).scalars().all()
    # The stored columns (table_info leaves out the generated `valeur_ponderee`, which SQLite computes again).
    columns = ", ".join(row[1] for row in connection.execute(text("PRAGMA table_info(deals)")))
    op.execute(rebuilt_sql)
    op.execute(f"INSERT INTO {REBUILT} ({columns}) SELECT {columns} FROM deals")
    op.execute("DROP TABLE deals")
    op.execute(f"ALTER TABLE {REBUILT} RENAME TO deals")
    for statement in dependents:
        op.execute(statement)


def _sqlite_counter_above_every_known_id() -> None:
    op.execute("DELETE FROM sqlite_sequence WHERE name IN ('deals', 'deals_rebuilt')")
    op.execute("INSERT INTO sqlite_sequence (name, seq) SELECT 'deals', max("
               "coalesce((SELECT max(id) FROM deals), 0), coalesce((SELECT max(deal_id) FROM deal_events), 0))")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")  # DDL inside the run's transaction (see 0009)
        _rebuild_sqlite_deals(TO_COUNTING_KEY)
        _sqlite_counter_above_every_known_id()
    else:
        _postgres_times(to_utc=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")
        _rebuild_sqlite_deals(TO_PLAIN_KEY)
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'deals'")
    else:
        _postgres_times(to_utc=False)
