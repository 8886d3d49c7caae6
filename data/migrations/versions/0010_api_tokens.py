"""API tokens and the importing user: `api_tokens` (an account's tokens, by the SHA-256 of their secret) and
`import_runs.user_name` (who ran an import; NULL in solo mode and for the runs before this migration).

As in 0009, the DDL runs inside the migration run's transaction on SQLite, so a downgrade that an earlier
migration refuses leaves this schema in place too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_api_tokens"
down_revision = "0009_users"


def _in_transaction_on_sqlite() -> None:
    """pysqlite commits a DDL statement run outside a transaction at once: a DML statement that changes
    nothing opens the transaction first."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
    )
    op.add_column("import_runs", sa.Column("user_name", sa.String(100)))


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_column("import_runs", "user_name")
    op.drop_table("api_tokens")
