"""Create the deals table, its indexes, the generated weighted value and the two rule triggers.

The stage list and probabilities are written out here on purpose: a migration is a snapshot of the schema
at one point in time and must not change when application code does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_deals"
down_revision = None

PROBABILITY_CASE = """CASE {col}
    WHEN 'Prospect' THEN 0.10 WHEN 'Qualifié' THEN 0.30 WHEN 'Négociation' THEN 0.70
    WHEN 'Gagné' THEN 1.00 WHEN 'Perdu' THEN 0.00 END"""
STAGE_CHECK = "statut IN ('Prospect', 'Qualifié', 'Négociation', 'Gagné', 'Perdu')"

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION deals_set_probabilite() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.probabilite := {PROBABILITY_CASE.format(col="NEW.statut")};
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER deals_set_probabilite BEFORE INSERT OR UPDATE ON deals
    FOR EACH ROW EXECUTE FUNCTION deals_set_probabilite()""",
    """CREATE FUNCTION deals_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.updated_at := LOCALTIMESTAMP;
        NEW.created_at := OLD.created_at;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER deals_touch_updated_at BEFORE UPDATE ON deals
    FOR EACH ROW EXECUTE FUNCTION deals_touch_updated_at()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER deals_touch_updated_at ON deals",
    "DROP FUNCTION deals_touch_updated_at()",
    "DROP TRIGGER deals_set_probabilite ON deals",
    "DROP FUNCTION deals_set_probabilite()",
]

SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER deals_set_probabilite_insert AFTER INSERT ON deals
    WHEN NEW.probabilite IS NOT {PROBABILITY_CASE.format(col="NEW.statut")}
    BEGIN UPDATE deals SET probabilite = {PROBABILITY_CASE.format(col="NEW.statut")} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER deals_set_probabilite_update AFTER UPDATE OF statut, probabilite ON deals
    WHEN NEW.probabilite IS NOT {PROBABILITY_CASE.format(col="NEW.statut")}
    BEGIN UPDATE deals SET probabilite = {PROBABILITY_CASE.format(col="NEW.statut")} WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER deals_touch_updated_at AFTER UPDATE ON deals
    BEGIN UPDATE deals SET updated_at = {SQLITE_NOW}, created_at = OLD.created_at WHERE id = NEW.id; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER deals_touch_updated_at",
    "DROP TRIGGER deals_set_probabilite_update",
    "DROP TRIGGER deals_set_probabilite_insert",
]


def _now_default() -> sa.TextClause:
    return sa.text(f"({SQLITE_NOW})" if op.get_bind().dialect.name == "sqlite" else "LOCALTIMESTAMP")


def upgrade() -> None:
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(255), nullable=False),
        sa.Column("statut", sa.String(50), nullable=False),
        sa.Column("montant_brut", sa.Numeric(12, 2), nullable=False),
        sa.Column("probabilite", sa.Numeric(3, 2), nullable=False, server_default="0"),
        sa.Column(
            "valeur_ponderee",
            sa.Numeric(12, 2),
            sa.Computed("round(montant_brut * probabilite, 2)", persisted=True),
        ),
        sa.Column("secteur", sa.String(100)),
        sa.Column("date_echeance", sa.Date),
        sa.Column("assignee", sa.String(100)),
        sa.Column("notes", sa.Text),
        sa.Column("ref_externe", sa.String(255)),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=_now_default()),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=_now_default()),
        sa.CheckConstraint("length(trim(client)) > 0", name="ck_deals_client_not_empty"),
        sa.CheckConstraint(STAGE_CHECK, name="ck_deals_statut_known"),
        sa.CheckConstraint("montant_brut > 0", name="ck_deals_montant_positive"),
        sa.UniqueConstraint("ref_externe", name="uq_deals_ref_externe"),
    )
    for column in ("statut", "secteur", "date_echeance", "assignee"):
        op.create_index(f"ix_deals_{column}", "deals", [column])
    triggers = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    drops = SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP
    for statement in drops:
        op.execute(statement)
    op.drop_table("deals")
