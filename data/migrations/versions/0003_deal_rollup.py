"""Add `deal_rollup`: deal totals per (stage, sector, salesperson, due month), kept exact by triggers.

Why: over a million deals a plain `GROUP BY` scans every row (about 140 ms on PostgreSQL here), and a
dashboard refresh needs several. The rollup has one row per (stage, sector, salesperson, due month) with
deals, about 36 000 for a million deals over four years, and answers every figure for stage / sector /
salesperson filters; a due-date range is answered by whole months from
the rollup plus the partial months at its edges from `deals`. Triggers keep it exact for every writer
(the app, psql, a script): statement-level with transition tables on PostgreSQL, so a COPY of a million
rows updates it once; row-level on SQLite.

Also adds a covering index on due date: the deadline grid pages through it in order, and the edges of a
due-date range are summed from it without reading the table (index-only scans).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_deal_rollup"
down_revision = "0002_import_runs"

KEY = ("statut", "secteur", "assignee", "due_month")
DUE_GRID_COLUMNS = ["date_echeance", "id", "statut", "secteur", "assignee", "montant_brut", "valeur_ponderee"]

POSTGRES_BODY = """
    INSERT INTO deal_rollup AS r (statut, secteur, assignee, due_month, n, montant, ponderee)
    SELECT statut, secteur, assignee, due_month, sum(n), sum(montant), sum(ponderee) FROM ({rows}) AS delta
    GROUP BY statut, secteur, assignee, due_month
    ON CONFLICT (statut, secteur, assignee, due_month) DO UPDATE
    SET n = r.n + excluded.n, montant = r.montant + excluded.montant, ponderee = r.ponderee + excluded.ponderee;
    DELETE FROM deal_rollup WHERE n = 0;
"""
POSTGRES_ROWS = (
    "SELECT statut, secteur, assignee, date_trunc('month', date_echeance)::date AS due_month, "
    "{sign} AS n, {sign} * montant_brut AS montant, {sign} * valeur_ponderee AS ponderee FROM {table}"
)
POSTGRES_EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows", [("1", "new_rows")]),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", [("-1", "old_rows"), ("1", "new_rows")]),
    "delete": ("DELETE", "OLD TABLE AS old_rows", [("-1", "old_rows")]),
}


def _postgres_statements() -> list[str]:
    statements = []
    for name, (event, referencing, parts) in POSTGRES_EVENTS.items():
        rows = " UNION ALL ".join(POSTGRES_ROWS.format(sign=sign, table=table) for sign, table in parts)
        statements += [
            f"CREATE FUNCTION deal_rollup_after_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f"{POSTGRES_BODY.format(rows=rows)} RETURN NULL; END $$",
            f"CREATE TRIGGER deal_rollup_after_{name} AFTER {event} ON deals REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION deal_rollup_after_{name}()",
        ]
    statements += [
        "CREATE FUNCTION deal_rollup_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "TRUNCATE deal_rollup; RETURN NULL; END $$",
        "CREATE TRIGGER deal_rollup_after_truncate AFTER TRUNCATE ON deals "
        "FOR EACH STATEMENT EXECUTE FUNCTION deal_rollup_after_truncate()",
    ]
    return statements


def _sqlite_apply(row: str, sign: str) -> str:
    """Statements adding (sign 1) or removing (sign -1) one deal row (`NEW` or `OLD`) to the rollup."""
    month = f"date({row}.date_echeance, 'start of month')"
    match = (
        f"statut = {row}.statut AND secteur IS {row}.secteur AND assignee IS {row}.assignee AND due_month IS {month}"
    )
    create = (
        f"INSERT INTO deal_rollup (statut, secteur, assignee, due_month, n, montant, ponderee) "
        f"SELECT {row}.statut, {row}.secteur, {row}.assignee, {month}, 0, 0, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM deal_rollup WHERE {match});"
    )
    change = (
        f"UPDATE deal_rollup SET n = n + {sign}, montant = montant + {sign} * {row}.montant_brut, "
        f"ponderee = ponderee + {sign} * {row}.valeur_ponderee WHERE {match};"
    )
    return f"{create} {change}" if sign == "1" else f"{change} DELETE FROM deal_rollup WHERE {match} AND n = 0;"


def _sqlite_statements() -> list[str]:
    watched = "statut, secteur, assignee, date_echeance, montant_brut, probabilite"
    return [
        f"CREATE TRIGGER deal_rollup_after_insert AFTER INSERT ON deals BEGIN {_sqlite_apply('NEW', '1')} END",
        f"CREATE TRIGGER deal_rollup_after_update AFTER UPDATE OF {watched} ON deals BEGIN "
        f"{_sqlite_apply('OLD', '-1')} {_sqlite_apply('NEW', '1')} END",
        f"CREATE TRIGGER deal_rollup_after_delete AFTER DELETE ON deals BEGIN {_sqlite_apply('OLD', '-1')} END",
    ]


BACKFILL = """INSERT INTO deal_rollup (statut, secteur, assignee, due_month, n, montant, ponderee)
SELECT statut, secteur, assignee, {month}, count(*), sum(montant_brut), sum(valeur_ponderee)
FROM deals GROUP BY statut, secteur, assignee, {month}"""


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "deal_rollup",
        sa.Column("statut", sa.String(50), nullable=False),
        sa.Column("secteur", sa.String(100)),
        sa.Column("assignee", sa.String(100)),
        sa.Column("due_month", sa.Date),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("montant", sa.Numeric(18, 2), nullable=False),
        sa.Column("ponderee", sa.Numeric(18, 2), nullable=False),
    )
    if is_sqlite:
        op.create_index("ix_deal_rollup_key", "deal_rollup", list(KEY))
    else:
        op.execute(f"CREATE UNIQUE INDEX ix_deal_rollup_key ON deal_rollup ({', '.join(KEY)}) NULLS NOT DISTINCT")
    month = "date(date_echeance, 'start of month')" if is_sqlite else "date_trunc('month', date_echeance)::date"
    op.execute(BACKFILL.format(month=month))
    for statement in _sqlite_statements() if is_sqlite else _postgres_statements():
        op.execute(statement)
    op.create_index("ix_deals_due_grid", "deals", DUE_GRID_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_deals_due_grid", "deals")
    for name in ("insert", "update", "delete", "truncate"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS deal_rollup_after_{name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS deal_rollup_after_{name} ON deals")
            op.execute(f"DROP FUNCTION IF EXISTS deal_rollup_after_{name}()")
    op.drop_table("deal_rollup")
