"""An index on the history's time: `ix_deal_events_at` on `deal_events (at, deal_id)`.

The history is read by time: yesterday's changes for the e-mail digest, the changes since the founder's last
visit. The database reads those rows from this index alone (the deal id is in it) instead of the whole history,
three or more rows per deal.
"""

from alembic import op

revision = "0011_deal_events_at"
down_revision = "0010_api_tokens"


def _in_transaction_on_sqlite() -> None:
    """pysqlite commits a DDL statement run outside a transaction at once: a DML statement that changes
    nothing opens the transaction first (as in 0009 and 0010)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_index("ix_deal_events_at", "deal_events", ["at", "deal_id"])


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_index("ix_deal_events_at", "deal_events")
