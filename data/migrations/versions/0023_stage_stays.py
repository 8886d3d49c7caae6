"""The deals' stays in their stages, summed and kept by the database: `stage_stays`, behind the stage movement.

Why: the performance page's stage movement walked the stage changes of every selected deal of the period at each
filter change (one window over 1.7 million changes joined with a million deals: 1.7 s with no filter at
1 000 000 deals). The stays summed per (stage, entry month, next stage, current stage, sector, salesperson) are
about 60 000 rows at that size; the whole months of a period are read from them, filtered like the deals, and
only a period's partial first or last month still walks the changes, of the deals with a stay beginning in it.

How (`data.stage_stays`): at each write, the triggers take a changed deal's stays out as they were (its old stage,
sector, salesperson and creation time, its history as it stands) and put them back as they are (the new values,
the history with this write's stage change, dated as the history trigger dates it). A deal's stays change only
with its stage (which also adds a history row), sector, salesperson or creation time, its insertion (a restored
deal brings its history back) or its deletion.
- PostgreSQL: statement-level triggers with transition tables, one grouped upsert per statement (an import's
  50 000 new deals, which have no history, are grouped without reading it). Triggers of one event fire in the
  order of their names: these (`deal_a_stays_*`) fire before `deal_events_after_update` writes the stage change,
  so the history they read is the one before the write. TRUNCATE empties the table.
- SQLite: row triggers; the newest trigger of an event fires first, so these, created after the history's, also
  read the history before the write. Its unique index holds NULL sectors, salespeople and next stages as one
  value each (`data.summary_sql.unique_index`), for one upsert per write. A
  created deal's one stay is added without reading the history (an import's rows, one by one); only an undone
  deletion (`write_context.action`) reads it.
- Rows whose stays all moved elsewhere stay at zero: the reads add them, adding nothing.
The existing history fills the table (`data.stage_stays.rebuild`).
"""

import sqlalchemy as sa
from alembic import op

from data.stage_stays import (
    DEAL_COLUMNS,
    EVENT_COLUMNS,
    KEY,
    MEASURES,
    STAGE_CHANGES,
    created_rows,
    rebuild,
    stay_rows,
)
from data.summary_sql import dropped_triggers, postgres_triggers, postgres_upsert, sqlite_upsert, unique_index

revision = "0023_stage_stays"
down_revision = "0022_drop_stage_index"

TABLE = "stage_stays"
INDEX = "ix_stage_stays_key"
POSTGRES_NOW_UTC = "(now() AT TIME ZONE 'UTC')"  # as 0008's history trigger dates a change
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
RESTORED = "restored"  # the write context's action when an undo puts a deal back with its history (0008)
LAST = "9223372036854775807"  # the id that orders this write's stage change after every recorded one
WATCHED = ("statut", "secteur", "assignee", "created_at")
POSTGRES_TRIGGER = "deal_a_stays_after_{event}"
SQLITE_TRIGGER = "deal_stays_after_{event}"


def _postgres_upsert(rows: str) -> str:
    return postgres_upsert(TABLE, KEY, MEASURES, rows)


def _postgres_events(deal_ids: str) -> str:
    """The recorded stage changes of the deals `deal_ids` selects (a SELECT to wrap in parentheses)."""
    return f"SELECT {EVENT_COLUMNS} FROM deal_events WHERE {STAGE_CHANGES} AND deal_id IN ({deal_ids})"


def _postgres_bodies() -> dict[str, tuple[str, str, str]]:
    """Per event: (the trigger's event, its transition tables, its function body)."""
    dialect = "postgresql"
    created = created_rows(dialect, "new_rows")
    restored = stay_rows(dialect, f"(SELECT {DEAL_COLUMNS} FROM new_rows)",
                         f"({_postgres_events('SELECT id FROM new_rows')})", 1)
    insert = (f"IF current_setting('crm.action', true) = '{RESTORED}' THEN {_postgres_upsert(restored)} "
              f"ELSE {_postgres_upsert(created)} END IF;")
    moved = " OR ".join(f"o.{column} IS DISTINCT FROM n.{column}" for column in WATCHED)
    changed = f"SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {moved}"
    recorded = _postgres_events(changed)
    this_change = (f"SELECT n.id AS deal_id, {POSTGRES_NOW_UTC} AS at, {LAST} AS id, o.statut AS old_value, "
                   "n.statut AS new_value FROM old_rows o JOIN new_rows n ON n.id = o.id "
                   "WHERE o.statut IS DISTINCT FROM n.statut")
    before = stay_rows(dialect, f"(SELECT {DEAL_COLUMNS} FROM old_rows WHERE id IN ({changed}))", f"({recorded})", -1)
    after = stay_rows(dialect, f"(SELECT {DEAL_COLUMNS} FROM new_rows WHERE id IN ({changed}))",
                      f"({recorded} UNION ALL {this_change})", 1)
    deleted = stay_rows(dialect, f"(SELECT {DEAL_COLUMNS} FROM old_rows)",
                        f"({_postgres_events('SELECT id FROM old_rows')})", -1)
    return {
        "insert": ("INSERT", "NEW TABLE AS new_rows", insert),
        "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                   _postgres_upsert(f"{before} UNION ALL {after}")),
        "delete": ("DELETE", "OLD TABLE AS old_rows", _postgres_upsert(deleted)),
    }


def _sqlite_deal(row: str) -> str:
    return (f"(SELECT {row}.id AS id, {row}.created_at AS created_at, {row}.statut AS statut, "
            f"{row}.secteur AS secteur, {row}.assignee AS assignee)")


def _sqlite_events(row: str) -> str:
    """The recorded stage changes of the deal `row` (a SELECT to wrap in parentheses)."""
    return f"SELECT {EVENT_COLUMNS} FROM deal_events WHERE {STAGE_CHANGES} AND deal_id = {row}.id"


def _sqlite_upsert(rows: str) -> str:
    return sqlite_upsert(TABLE, KEY, MEASURES, rows)


def _sqlite_statements() -> list[str]:
    dialect = "sqlite"
    this_change = (f"SELECT NEW.id, {SQLITE_NOW}, {LAST}, OLD.statut, NEW.statut "
                   "WHERE OLD.statut IS NOT NEW.statut")
    after_events = f"({_sqlite_events('NEW')} UNION ALL {this_change})"
    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in WATCHED)
    restored = stay_rows(dialect, _sqlite_deal("NEW"), f"({_sqlite_events('NEW')})", 1)
    old_events = f"({_sqlite_events('OLD')})"
    updated = (f"{stay_rows(dialect, _sqlite_deal('OLD'), old_events, -1)} UNION ALL "
               f"{stay_rows(dialect, _sqlite_deal('NEW'), after_events, 1)}")
    deleted = stay_rows(dialect, _sqlite_deal("OLD"), old_events, -1)
    trigger = SQLITE_TRIGGER.format
    restoring = f"(SELECT action FROM write_context LIMIT 1) IS '{RESTORED}'"
    return [
        f"CREATE TRIGGER {trigger(event='insert')} AFTER INSERT ON deals WHEN NOT {restoring} "
        f"BEGIN {_sqlite_upsert(created_rows(dialect, _sqlite_deal('NEW')))} END",
        f"CREATE TRIGGER {trigger(event='restore')} AFTER INSERT ON deals WHEN {restoring} "
        f"BEGIN {_sqlite_upsert(restored)} END",
        f"CREATE TRIGGER {trigger(event='update')} AFTER UPDATE OF {', '.join(WATCHED)} ON deals WHEN {moved} "
        f"BEGIN {_sqlite_upsert(updated)} END",
        f"CREATE TRIGGER {trigger(event='delete')} AFTER DELETE ON deals BEGIN {_sqlite_upsert(deleted)} END",
    ]


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")  # DDL inside the run's transaction (see 0009)
    op.create_table(
        TABLE,
        sa.Column("stage", sa.String(50), nullable=False),
        sa.Column("entry_month", sa.Date, nullable=False),
        sa.Column("next_stage", sa.String(50)),
        sa.Column("statut", sa.String(50), nullable=False),
        sa.Column("secteur", sa.String(100)),
        sa.Column("assignee", sa.String(100)),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("milliseconds", sa.BigInteger, nullable=False),
    )
    op.execute(unique_index(op.get_bind().dialect.name, TABLE, INDEX, KEY))
    rebuild(op.get_bind())
    triggers = _sqlite_statements() if is_sqlite else postgres_triggers(POSTGRES_TRIGGER, TABLE, _postgres_bodies())
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")
        statements = dropped_triggers(dialect, SQLITE_TRIGGER, ("insert", "restore", "update", "delete"))
    else:
        statements = dropped_triggers(dialect, POSTGRES_TRIGGER, ("insert", "update", "delete"))
    for statement in statements:
        op.execute(statement)
    op.drop_table(TABLE)
