"""Drop `ix_deals_statut`: `ix_deals_cold` (0012) starts with `statut` and serves every query the single-column
index served, at the same size (about 7 MB at 1 000 000 deals), while each index costs every write and a first
import rebuilds it (about 0.4 s of a 1 000 000-deal import on PostgreSQL). The stage lookups of the app (a count per
stage, a grid page of one stage, a stage and a sector together) take the same time either way at 1 000 000 deals."""

from alembic import op

revision = "0022_drop_stage_index"
down_revision = "0021_probability_trigger_when"


def _in_transaction_on_sqlite() -> None:
    """DDL inside the run's transaction (see 0009), so a later revision's refusal takes this one back too."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_index("ix_deals_statut", "deals")


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_index("ix_deals_statut", "deals", ["statut"])
