"""Mark demo deals with their own column, `est_demo`, set only by the demo generator.

Why: demo deals used to be found by a `ref_externe` starting with `DEMO-`, compared with SQLite's
case-blind LIKE, so a founder's own imported deal with reference `demo-mine` brought the demo badge back
and was deleted with the demo deals. The deals the generator wrote (`DEMO-` and four digits, exactly that
case) are marked here; from now on a reference means nothing about being a demo deal.

No index on it: a partial index `WHERE est_demo` made a million-row COPY 7 s slower (38.3 s against 30.8 s,
benchmarks/import_benchmark.py), while the one query that needs it (is there any demo deal left?) runs once
per data version and is cached.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_demo_flag"
down_revision = "0005_deal_totals"

GENERATED_DEMO_REF = {
    "sqlite": "ref_externe GLOB 'DEMO-[0-9][0-9][0-9][0-9]'",
    "postgresql": "ref_externe ~ '^DEMO-[0-9]{4}$'",
}


def upgrade() -> None:
    op.add_column("deals", sa.Column("est_demo", sa.Boolean, nullable=False, server_default=sa.false()))
    op.execute(f"UPDATE deals SET est_demo = TRUE WHERE {GENERATED_DEMO_REF[op.get_bind().dialect.name]}")


def downgrade() -> None:
    op.drop_column("deals", "est_demo")
