"""Keep a history of file imports: name, time and what each did."""

import sqlalchemy as sa
from alembic import op

revision = "0002_import_runs"
down_revision = "0001_deals"


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False, server_default=sa.func.current_timestamp()),
        sa.Column("created", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_runs")
