"""The won deals summed and kept by the database: `deal_wins`, behind the won amount per month and the cycles.

Why: the performance page's won amount per month and its average cycle per salesperson read every won deal of
the selection with its last change to Gagné at each filter change (about 170 000 deals at 1 000 000: 0.1 to
0.4 s each). Summed per (month won, sector, salesperson) they are a few thousand rows at any size.

How (`data.deal_wins`): at each write, a changed deal is taken out as it was (when it was won: its old sector,
salesperson, amount, creation time and its last recorded win) and put back as it is (when it is won: won now if
this write made it so, else at its last recorded win). A deal's row changes only with its stage, sector,
salesperson, amount or creation time, its insertion (a restored deal brings its history back) or its deletion.
No trigger here depends on the order of the history's: a write that wins a deal is dated by the clock, as 0008's
history trigger dates it, and one that does not adds no win.
- PostgreSQL: statement-level triggers with transition tables, one grouped upsert per statement (an import's new
  deals have no history and are not looked up in it). TRUNCATE empties the table.
- SQLite: row triggers, only for deals that are or were won.
The existing history fills the table (`data.deal_wins.rebuild`).
"""

import sqlalchemy as sa
from alembic import op

from data.deal_wins import KEY, MEASURES, rebuild, recorded_win, win_rows
from data.summary_sql import dropped_triggers, postgres_triggers, postgres_upsert, sqlite_upsert, unique_index
from domain.stages import WON

revision = "0024_deal_wins"
down_revision = "0023_stage_stays"

TABLE = "deal_wins"
INDEX = "ix_deal_wins_key"
POSTGRES_NOW_UTC = "(now() AT TIME ZONE 'UTC')"  # as 0008's history trigger dates a change
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
WATCHED = ("statut", "secteur", "assignee", "montant_brut", "created_at")
DEAL_COLUMNS = ("id", "created_at", "statut", "secteur", "assignee", "montant_brut")
TRIGGER = "deal_wins_after_{event}"


def _won_at(now: str, is_not: str) -> str:
    """A changed deal's win: now when this write moved it to Gagné, else its last recorded one."""
    return f"CASE WHEN d.old_statut {is_not} '{WON}' THEN {now} ELSE {recorded_win('d.id')} END"


def _postgres_bodies() -> dict[str, tuple[str, str, str]]:
    """Per event: (the trigger's event, its transition tables, its function body)."""
    dialect = "postgresql"

    def upsert(rows: str) -> str:
        return postgres_upsert(TABLE, KEY, MEASURES, rows)

    inserted = (f"IF current_setting('crm.action', true) = 'restored' THEN "
                f"{upsert(win_rows(dialect, 'new_rows', recorded_win('d.id'), 1))} "
                f"ELSE {upsert(win_rows(dialect, 'new_rows', 'CAST(NULL AS timestamp)', 1))} END IF;")
    moved = " OR ".join(f"o.{column} IS DISTINCT FROM n.{column}" for column in WATCHED)
    pairs = f"old_rows o JOIN new_rows n ON n.id = o.id WHERE ({moved})"
    before = f"(SELECT o.* FROM {pairs} AND o.statut = '{WON}')"
    after = f"(SELECT n.*, o.statut AS old_statut FROM {pairs} AND n.statut = '{WON}')"
    updated = (f"{win_rows(dialect, before, recorded_win('d.id'), -1)} UNION ALL "
               f"{win_rows(dialect, after, _won_at(POSTGRES_NOW_UTC, 'IS DISTINCT FROM'), 1)}")
    return {
        "insert": ("INSERT", "NEW TABLE AS new_rows", inserted),
        "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", upsert(updated)),
        "delete": ("DELETE", "OLD TABLE AS old_rows", upsert(win_rows(dialect, "old_rows", recorded_win("d.id"), -1))),
    }


def _sqlite_deal(row: str, *extra: str) -> str:
    columns = ", ".join((*(f"{row}.{column} AS {column}" for column in DEAL_COLUMNS), *extra))
    return f"(SELECT {columns})"


def _sqlite_statements() -> list[str]:
    dialect = "sqlite"

    def upsert(rows: str) -> str:
        return sqlite_upsert(TABLE, KEY, MEASURES, rows)

    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in WATCHED)
    after = _sqlite_deal("NEW", "OLD.statut AS old_statut")
    updated = (f"{win_rows(dialect, _sqlite_deal('OLD'), recorded_win('d.id'), -1)} UNION ALL "
               f"{win_rows(dialect, after, _won_at(SQLITE_NOW, 'IS NOT'), 1)}")
    won_before, won_now = f"OLD.statut = '{WON}'", f"NEW.statut = '{WON}'"
    return [
        f"CREATE TRIGGER {TRIGGER.format(event='insert')} AFTER INSERT ON deals WHEN {won_now} "
        f"BEGIN {upsert(win_rows(dialect, _sqlite_deal('NEW'), recorded_win('d.id'), 1))} END",
        f"CREATE TRIGGER {TRIGGER.format(event='update')} AFTER UPDATE OF {', '.join(WATCHED)} ON deals "
        f"WHEN ({won_before} OR {won_now}) AND ({moved}) BEGIN {upsert(updated)} END",
        f"CREATE TRIGGER {TRIGGER.format(event='delete')} AFTER DELETE ON deals WHEN {won_before} "
        f"BEGIN {upsert(win_rows(dialect, _sqlite_deal('OLD'), recorded_win('d.id'), -1))} END",
    ]


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")  # DDL inside the run's transaction (see 0009)
    op.create_table(
        TABLE,
        sa.Column("won_month", sa.Date, nullable=False),
        sa.Column("secteur", sa.String(100)),
        sa.Column("assignee", sa.String(100)),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("montant", sa.Numeric(18, 2), nullable=False),
        sa.Column("cycles", sa.BigInteger, nullable=False),
        sa.Column("cycle_milliseconds", sa.BigInteger, nullable=False),
    )
    op.execute(unique_index(op.get_bind().dialect.name, TABLE, INDEX, KEY))
    rebuild(op.get_bind())
    triggers = _sqlite_statements() if is_sqlite else postgres_triggers(TRIGGER, TABLE, _postgres_bodies())
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")
    for statement in dropped_triggers(dialect, TRIGGER, ("insert", "update", "delete")):
        op.execute(statement)
    op.drop_table(TABLE)
