"""Team accounts: `users` (login, display name, role, argon2 password hash, active flag).

A disabled account is kept, not deleted: the history and the import runs name its user. On SQLite the DDL runs
inside the migration run's transaction (see 0008's `_open_sqlite_transaction`), so a downgrade that an earlier
migration refuses leaves this table in place too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_users"
down_revision = "0008_deal_history"


def _in_transaction_on_sqlite() -> None:
    """pysqlite commits a DDL statement run outside a transaction at once: a DML statement that changes
    nothing opens the transaction first."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()),
        sa.CheckConstraint("role IN ('admin', 'commercial', 'lecture')", name="ck_users_role_known"),
    )


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_table("users")
