"""The undo of a deletion kept in the database: `deal_undo` (token, deal id, the deal as JSON, expiry in UTC).

Until now the deleted deal waited for its undo in the cache: with Redis down, or with a cache of one process
and a second worker, « Annuler » answered « trop tard » while the button was still on screen. Written in the
deleting transaction, a ticket now exists exactly when the deletion does. Nothing to backfill: the code of this
revision no longer reads the cache's tickets, so a deletion made in the seconds before the upgrade is final.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_deal_undo"
down_revision = "0016_account_last_visit"


def _in_transaction_on_sqlite() -> None:
    """DDL inside the run's transaction (see 0009)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_table(
        "deal_undo",
        sa.Column("token", sa.String(32), primary_key=True),
        sa.Column("deal_id", sa.Integer, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_deal_undo_expires_at", "deal_undo", ["expires_at"])


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_index("ix_deal_undo_expires_at", table_name="deal_undo")
    op.drop_table("deal_undo")
