"""A partial index on the history's wins, `ix_deal_events_wins` on `deal_events (deal_id, at)` for the changes
to Gagné.

Why: the performance page reads each won deal's last change to Gagné (its cycle, the won amount per month). With
only 0013's index on every stage change, that read went through all of them, about 1.9 million index entries at
a million deals for the 170 000 wins, and the per-salesperson statement did it once in each parallel worker.
This index holds the wins alone, in the order the read groups them. Partial: a deal created, imported or moved to
any other stage adds nothing to it, so imports do not pay for it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_win_index"
down_revision = "0018_demo_index"

INDEX = "ix_deal_events_wins"
# Written as `data.models.WIN_CHANGES`: SQLite uses a partial index only for a query that repeats its condition.
WIN_CHANGES = sa.text("field = 'statut' AND action = 'updated' AND new_value = 'Gagné'")


def _in_transaction_on_sqlite() -> None:
    """DDL inside the run's transaction (see 0009), so a later revision's refusal takes this one back too."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_index(INDEX, "deal_events", ["deal_id", "at"], postgresql_where=WIN_CHANGES, sqlite_where=WIN_CHANGES)


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_index(INDEX, table_name="deal_events")
