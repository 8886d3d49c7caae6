"""Each account's last visit of the dashboard: `users.last_visit_at` (naive UTC, nullable).

With sign-in on (AUTH=on), "since your last visit" is the account's, whichever browser it uses: the page load
swaps the stored time for now and shows the changes since the old one. Solo mode keeps the browser's own time
(local storage). No backfill: an account's first visit after the upgrade opens no panel, as a first visit does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_account_last_visit"
down_revision = "0015_account_email"


def _in_transaction_on_sqlite() -> None:
    """DDL inside the run's transaction (see 0009)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.add_column("users", sa.Column("last_visit_at", sa.DateTime))


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_column("users", "last_visit_at")
