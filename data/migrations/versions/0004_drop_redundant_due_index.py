"""Drop `ix_deals_date_echeance`: `ix_deals_due_grid` starts with `date_echeance` and serves every query
the single-column index served, while each extra index slows bulk imports (a million-row COPY lost about
a quarter of its time to it)."""

from alembic import op

revision = "0004_drop_due_index"
down_revision = "0003_deal_rollup"


def upgrade() -> None:
    op.drop_index("ix_deals_date_echeance", "deals")


def downgrade() -> None:
    op.create_index("ix_deals_date_echeance", "deals", ["date_echeance"])
