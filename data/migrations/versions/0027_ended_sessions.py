"""The sessions their users signed out of: `ended_sessions`, so that signing out ends a session on the server.

Why: sessions are signed cookies. Signing out only made the browser forget its own; a copy taken before (a shared
computer, a cookie read by malware) kept opening every page, and, being renewed at each use, never idled out. Each
session now carries a random id, and signing out writes it here: the guard refuses a session whose id is listed.
A row is needed only while its cookie could still be used, i.e. until the idle timeout would have ended it anyway;
each sign-out deletes the older rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_ended_sessions"
down_revision = "0026_ids_never_reused"

TABLE = "ended_sessions"


def _in_transaction_on_sqlite() -> None:
    """DDL inside the run's transaction (see 0009)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_table(
        TABLE,
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("ended_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_ended_sessions_ended_at", TABLE, ["ended_at"])


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_table(TABLE)
