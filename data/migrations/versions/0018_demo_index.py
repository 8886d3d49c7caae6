"""A partial index on the demo deals, `ix_deals_demo` on `deals (id) WHERE est_demo`.

Why: "are there demo deals left?" (the demo badge) read the whole table when there are none, which is the
founder's own book once the demo is removed: about 100 ms at a million deals, once per data version, so after
every save and on every cold first render. The index holds the demo deals only (none, or the 240 seeded ones),
so the question is one look into an empty or tiny index. Migration 0006 left it out because a million-row COPY
measured 7 s slower with it; measured again side by side (README "Import from the command line"), the import
does not move, since no imported deal is a demo deal and none enters the index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_demo_index"
down_revision = "0017_deal_undo"

# Written as `data.demo.demo_deal_filter` compiles on each database: SQLite uses a partial index only for a
# query that repeats its condition, and it compiles a true boolean as `= 1`.
DEMO_ONLY = {"postgresql_where": sa.text("est_demo"), "sqlite_where": sa.text("est_demo = 1")}


def _in_transaction_on_sqlite() -> None:
    """DDL inside the run's transaction (see 0009), so a later revision's refusal takes this one back too."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")


def upgrade() -> None:
    _in_transaction_on_sqlite()
    op.create_index("ix_deals_demo", "deals", ["id"], **DEMO_ONLY)


def downgrade() -> None:
    _in_transaction_on_sqlite()
    op.drop_index("ix_deals_demo", "deals")
