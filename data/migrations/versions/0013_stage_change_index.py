"""An index on the history's stage changes (`field = 'statut'`, `action = 'updated'`), per deal in time order.

The performance page reads them per deal in time order (the stays in each stage, the time of a win, each deal's
last change): a partial index on (deal_id, at, id) gives that order without a sort, and on PostgreSQL it
includes the old and new stage so the reads need not visit the table. Partial, so the other fields' changes
cost it nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_stage_change_index"
down_revision = "0012_last_change"

INDEX = "ix_deal_events_stage_changes"
STAGE_CHANGES = sa.text("field = 'statut' AND action = 'updated'")


def _in_transaction_on_sqlite() -> None:
    """pysqlite commits a DDL statement run outside a transaction at once: a DML statement that changes
    nothing opens the transaction first."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_index(INDEX, "deal_events", ["deal_id", "at", "id"], postgresql_where=STAGE_CHANGES,
                    sqlite_where=STAGE_CHANGES, postgresql_include=["old_value", "new_value"])


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_index(INDEX, table_name="deal_events")
