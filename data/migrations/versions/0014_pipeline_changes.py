"""The open pipeline's daily moves, kept by the database: `pipeline_changes`, behind the weekly trend.

Why a table of moves rather than a weekly snapshot: a snapshot needs a scheduled job that nothing guarantees
runs (and, missed once, a week is lost for good), and rebuilding 26 past states from `deal_events` at each
filter change reads the whole history (about 3 rows per deal: 3 million at 1 000 000 deals). Here each write adds,
on the day it happens, what it moves: -1 deal and -its weighted value under the stage, sector and salesperson it
leaves when it was open, +1 and +its value under those it enters when it is open. The pipeline at the end of a
past week is today's (`deal_totals`) less the moves after it: a few hundred summary rows per week, whatever the
size of the book, and it follows the stage, sector and salesperson filters.

- Triggers (`data.pipeline_change_triggers`, the day's grain; migration 0025 makes it the week's).
- The day is the UTC day of the write, as `deal_events.at`.
Existing deals get the moves their history implies (`data.pipeline_changes.rebuild`, the code the demo and the tests
use for a history dated after the fact: since 0025 it places them on their weeks' Mondays); the table holds derived
figures only, so a rebuild may always replace them. Deals deleted before this migration are not in it: their values
are not in their history.
"""

import sqlalchemy as sa
from alembic import op

from data.pipeline_change_triggers import (
    DAY,
    KEY,
    ROW_EVENTS,
    TABLE,
    dropped_sqlite_triggers,
    postgres_functions,
    postgres_triggers,
    sqlite_triggers,
)
from data.pipeline_changes import rebuild

revision = "0014_pipeline_changes"
down_revision = "0013_stage_change_index"


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")  # DDL inside the run's transaction (see 0009)
    op.create_table(
        TABLE,
        sa.Column("change_day", sa.DateTime, nullable=False),
        sa.Column("statut", sa.String(50), nullable=False),
        sa.Column("secteur", sa.String(100)),
        sa.Column("assignee", sa.String(100)),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("ponderee", sa.Numeric(18, 2), nullable=False),
    )
    if is_sqlite:
        op.create_index("ix_pipeline_changes_key", TABLE, list(KEY))
    else:
        op.execute(f"CREATE UNIQUE INDEX ix_pipeline_changes_key ON {TABLE} ({', '.join(KEY)}) NULLS NOT DISTINCT")
    rebuild(op.get_bind())
    for statement in sqlite_triggers(DAY) if is_sqlite else [*postgres_functions(DAY), *postgres_triggers()]:
        op.execute(statement)


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")
        for statement in dropped_sqlite_triggers():
            op.execute(statement)
    else:
        for event in (*ROW_EVENTS, "truncate"):
            op.execute(f"DROP TRIGGER {TABLE}_after_{event} ON deals")
            op.execute(f"DROP FUNCTION {TABLE}_after_{event}()")
    op.drop_table(TABLE)
