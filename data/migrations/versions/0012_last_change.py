"""Each deal's last change, kept by the database: `deals.last_change_at`, the index `ix_deals_cold` and the
summary `deal_activity`.

A deal is cold when it is open and its history (`deal_events`) has no row for more than N days. Counting them
from the history means finding, for every selected deal, whether a recent history row exists: a scan of the
selection for every filter change (about 40 ms at 100 000 deals, where every other figure together takes 10). So
the database keeps, on the deal itself, the time of its last history row (`last_change_at`, with an index on
(statut, last_change_at)), and a summary table like `deal_totals` keyed by stage, sector, salesperson and the UTC
day of the last change (`deal_activity`): the cold count of a selection is its open deals (from `deal_totals`)
less those changed since their stage's cutoff, that is the summary rows of the whole UTC days after the cutoff
(a few days' rows) and, for the hours between the cutoff (a Paris midnight) and the next UTC midnight, the deals
themselves through `ix_deals_cold`.

`last_change_at` moves exactly when the history triggers write a row for the deal: on an insert (`created` or
`restored`: the column's default, now), and on an update that changes one of the fields the history tracks
(0008's `TRACKED`, compared the same way, IS DISTINCT FROM). An update of other columns leaves it where it was,
and an update that sets it alone keeps the value set (tests and the demo date a history that way).
- PostgreSQL: the BEFORE UPDATE row trigger that already moves `updated_at` and the version sets it; the column's
  default is the UTC time, as the history's.
- SQLite cannot add a column with a non-constant default nor change the row in a BEFORE trigger: two triggers
  set it with a nested UPDATE of that column alone, which no other trigger watches (their UPDATE OF lists
  leave it out), after an insert that left it empty and after an update of a tracked field.
`deal_activity` is kept by 0007's summary builder (statement-level triggers on PostgreSQL, row-level on SQLite,
whose update trigger also watches `last_change_at`).
Existing deals get the time of their last history row, or their creation when they have none (written before
0008), with the triggers off on PostgreSQL so that neither `updated_at` nor the version moves.
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0012_last_change"
down_revision = "0011_deal_events_at"

# Copy of 0008's TRACKED at this revision.
TRACKED = ("statut", "montant_brut", "date_echeance", "assignee", "client", "secteur", "ref_externe", "motif_perte")
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
POSTGRES_NOW_UTC = "(now() AT TIME ZONE 'UTC')"
BACKFILL = ("UPDATE deals SET last_change_at = coalesce((SELECT max(e.at) FROM deal_events e "
            "WHERE e.deal_id = deals.id), created_at)")
POSTGRES_TOUCH = f"""CREATE OR REPLACE FUNCTION deals_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.updated_at := LOCALTIMESTAMP;
        NEW.created_at := OLD.created_at;
        NEW.version := OLD.version + 1;
        IF ({', '.join(f'OLD.{field}' for field in TRACKED)}) IS DISTINCT FROM
           ({', '.join(f'NEW.{field}' for field in TRACKED)}) THEN
            NEW.last_change_at := {POSTGRES_NOW_UTC};
        END IF;
        RETURN NEW;
    END $$"""
SQLITE_TRIGGERS = {
    "deals_last_change_on_insert": f"""CREATE TRIGGER deals_last_change_on_insert AFTER INSERT ON deals
    WHEN NEW.last_change_at IS NULL
    BEGIN UPDATE deals SET last_change_at = {SQLITE_NOW} WHERE id = NEW.id; END""",
    "deals_last_change_on_update": f"""CREATE TRIGGER deals_last_change_on_update AFTER UPDATE OF {', '.join(TRACKED)}
    ON deals WHEN {' OR '.join(f'NEW.{field} IS NOT OLD.{field}' for field in TRACKED)}
    BEGIN UPDATE deals SET last_change_at = {SQLITE_NOW} WHERE id = NEW.id; END""",
}


ACTIVITY = "deal_activity"
ACTIVITY_KEY = ("statut", "secteur", "assignee", "change_day")
# The UTC day of the last change, as each database stores a timestamp (SQLAlchemy's SQLite text has microseconds).
CHANGE_DAY = {"sqlite": "strftime('%Y-%m-%d 00:00:00.000000', {row}last_change_at)",
              "postgresql": "date_trunc('day', {row}last_change_at)"}
ACTIVITY_WATCHED = "statut, secteur, assignee, date_echeance, montant_brut, probabilite, last_change_at"
ACTIVITY_BACKFILL = (f"INSERT INTO {ACTIVITY} (statut, secteur, assignee, change_day, n, n_montant, n_due, montant, "
                     "ponderee) SELECT statut, secteur, assignee, {day}, count(*), count(montant_brut), "
                     "count(date_echeance), coalesce(sum(montant_brut), 0), coalesce(sum(valeur_ponderee), 0) "
                     "FROM deals GROUP BY statut, secteur, assignee, {day}")


def _earlier(file_name: str) -> ModuleType:
    """An earlier migration's module (loaded from its file, as Alembic does): 0008's trigger function, which a
    downgrade puts back, and 0007's summary builder."""
    spec = importlib.util.spec_from_file_location(f"crm_migration_{file_name[:4]}", Path(__file__).with_name(file_name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _activity(dialect: str):
    """`deal_activity` as a 0007 summary: the deal totals per stage, sector, salesperson and day of last change."""
    summary = _earlier("0007_optional_amount.py").Summary
    dimensions = tuple((name, f"{{row}}{name}") for name in ACTIVITY_KEY[:3])
    return summary(ACTIVITY, (*dimensions, ("change_day", CHANGE_DAY[dialect])), counts_due=True)


def _activity_statements(dialect: str) -> list[str]:
    summary = _activity(dialect)
    if dialect == "postgresql":
        return summary.postgres_statements()
    added, removed = summary._sqlite_apply("NEW", "1"), summary._sqlite_apply("OLD", "-1")
    return [
        f"CREATE TRIGGER {ACTIVITY}_after_insert AFTER INSERT ON deals BEGIN {added} END",
        f"CREATE TRIGGER {ACTIVITY}_after_update AFTER UPDATE OF {ACTIVITY_WATCHED} ON deals "
        f"BEGIN {removed} {added} END",
        f"CREATE TRIGGER {ACTIVITY}_after_delete AFTER DELETE ON deals BEGIN {removed} END",
    ]


def _create_activity(dialect: str) -> None:
    op.create_table(
        ACTIVITY,
        sa.Column("statut", sa.String(50), nullable=False),
        sa.Column("secteur", sa.String(100)),
        sa.Column("assignee", sa.String(100)),
        sa.Column("change_day", sa.DateTime),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("n_montant", sa.BigInteger, nullable=False),
        sa.Column("n_due", sa.BigInteger, nullable=False),
        sa.Column("montant", sa.Numeric(18, 2), nullable=False),
        sa.Column("ponderee", sa.Numeric(18, 2), nullable=False),
    )
    if dialect == "sqlite":
        op.create_index("ix_deal_activity_key", ACTIVITY, list(ACTIVITY_KEY))
    else:
        op.execute(f"CREATE UNIQUE INDEX ix_deal_activity_key ON {ACTIVITY} ({', '.join(ACTIVITY_KEY)}) "
                   "NULLS NOT DISTINCT")
    op.create_index("ix_deal_activity_recent", ACTIVITY, ["change_day", "statut"])
    op.execute(ACTIVITY_BACKFILL.format(day=CHANGE_DAY[dialect].format(row="")))
    for statement in _activity_statements(dialect):
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM deals WHERE 0 = 1")  # DDL inside the run's transaction (see 0009)
        op.add_column("deals", sa.Column("last_change_at", sa.DateTime))
        op.execute(BACKFILL)
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        op.add_column("deals", sa.Column("last_change_at", sa.DateTime, server_default=sa.text(POSTGRES_NOW_UTC)))
        op.execute("ALTER TABLE deals DISABLE TRIGGER USER")
        op.execute(BACKFILL)
        op.execute("ALTER TABLE deals ENABLE TRIGGER USER")
        op.execute(POSTGRES_TOUCH)
    op.create_index("ix_deals_cold", "deals", ["statut", "last_change_at"])
    _create_activity(op.get_bind().dialect.name)


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")
    for event in ("insert", "update", "delete", *(() if is_sqlite else ("truncate",))):
        op.execute(f"DROP TRIGGER {ACTIVITY}_after_{event}" + ("" if is_sqlite else " ON deals"))
        if not is_sqlite:
            op.execute(f"DROP FUNCTION {ACTIVITY}_after_{event}()")
    op.drop_table(ACTIVITY)
    op.drop_index("ix_deals_cold", "deals")
    if is_sqlite:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute(_earlier("0008_deal_history.py").POSTGRES_TOUCH)
    op.execute("ALTER TABLE deals DROP COLUMN last_change_at")
