"""Make `montant_brut` optional: NULL is "à estimer", 0 is a real amount (a lost deal, a free pilot).

Why: real exports (HubSpot, Pipedrive, Salesforce, the Maven sample) carry open deals with no amount yet
and lost deals at 0 €; requiring an amount above 0 rejected them, hid half the pipeline and showed a 100 %
win rate. The database now enforces `montant_brut IS NULL OR montant_brut >= 0`; `valeur_ponderee`
(`round(montant_brut * probabilite, 2)`) is NULL when the amount is.

The summary tables count the deals that have an amount apart (`n_montant`) and sum known amounts only, so
counts include every deal and averages divide by the right count, for every writer (app, import, psql).
Their triggers are rebuilt from one builder for both tables.

SQLite cannot drop a NOT NULL or change a CHECK in place: `deals` is rebuilt (new table, copy, rename),
which drops its triggers and indexes, so they are created again. The triggers of 0001, 0003 and 0005 are
taken from those migrations' own files: a released migration never changes, so its text is a snapshot.

Downgrading refuses, with the counts, while a deal has no amount or an amount of 0: the previous schema
required an amount above 0 and would have to invent one.
"""

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0007_optional_amount"
down_revision = "0006_demo_flag"

EVENTS = ("insert", "update", "delete")
OLD_CHECK = ("ck_deals_montant_positive", "montant_brut > 0")
NEW_CHECK = ("ck_deals_montant_not_negative", "montant_brut IS NULL OR montant_brut >= 0")
DEAL_INDEXES = {
    "ix_deals_statut": ["statut"],
    "ix_deals_secteur": ["secteur"],
    "ix_deals_assignee": ["assignee"],
    "ix_deals_due_grid": ["date_echeance", "id", "statut", "secteur", "assignee", "montant_brut", "valeur_ponderee"],
}
COPIED_COLUMNS = ("id, client, statut, montant_brut, probabilite, secteur, date_echeance, assignee, notes, "
                  "ref_externe, created_at, updated_at, est_demo")
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"


def _earlier(file_name: str) -> ModuleType:
    """An earlier migration's module, for its trigger text (loaded from its file, as Alembic does)."""
    spec = importlib.util.spec_from_file_location(f"crm_migration_{file_name[:4]}", Path(__file__).with_name(file_name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Summary:
    """One trigger-kept summary table: its key (name, expression over a deals row) and whether it counts due dates."""

    table: str
    key: tuple[tuple[str, str], ...]
    counts_due: bool

    def _names(self) -> list[str]:
        return [name for name, _ in self.key]

    def _measures(self) -> list[str]:
        return ["n", "n_montant", *(["n_due"] if self.counts_due else []), "montant", "ponderee"]

    def _postgres_rows(self, sign: str, source: str) -> str:
        keys = ", ".join(f"{expression.format(row='')} AS {name}" for name, expression in self.key)
        due = f"CASE WHEN date_echeance IS NULL THEN 0 ELSE {sign} END AS n_due, " if self.counts_due else ""
        return (f"SELECT {keys}, {sign} AS n, CASE WHEN montant_brut IS NULL THEN 0 ELSE {sign} END AS n_montant, "
                f"{due}{sign} * montant_brut AS montant, {sign} * valeur_ponderee AS ponderee FROM {source}")

    def postgres_statements(self) -> list[str]:
        names, measures = ", ".join(self._names()), self._measures()
        sums = ", ".join(f"coalesce(sum({m}), 0)" for m in measures)
        updates = ", ".join(f"{m} = t.{m} + excluded.{m}" for m in measures)
        parts = {"insert": ("INSERT", "NEW TABLE AS new_rows", [("1", "new_rows")]),
                 "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                            [("-1", "old_rows"), ("1", "new_rows")]),
                 "delete": ("DELETE", "OLD TABLE AS old_rows", [("-1", "old_rows")])}
        statements = []
        for name, (event, referencing, sources) in parts.items():
            rows = " UNION ALL ".join(self._postgres_rows(sign, source) for sign, source in sources)
            body = (f"INSERT INTO {self.table} AS t ({names}, {', '.join(measures)}) "
                    f"SELECT {names}, {sums} FROM ({rows}) AS delta GROUP BY {names} "
                    f"ON CONFLICT ({names}) DO UPDATE SET {updates}; DELETE FROM {self.table} WHERE n = 0;")
            statements += [
                f"CREATE FUNCTION {self.table}_after_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{body} RETURN NULL; END $$",
                f"CREATE TRIGGER {self.table}_after_{name} AFTER {event} ON deals REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {self.table}_after_{name}()",
            ]
        return [
            *statements,
            f"CREATE FUNCTION {self.table}_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"TRUNCATE {self.table}; RETURN NULL; END $$",
            f"CREATE TRIGGER {self.table}_after_truncate AFTER TRUNCATE ON deals "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {self.table}_after_truncate()",
        ]

    def _sqlite_apply(self, row: str, sign: str) -> str:
        """Statements adding (sign 1) or removing (sign -1) one deal row (`NEW` or `OLD`) to the table."""
        match = " AND ".join(f"{name} {'=' if name == 'statut' else 'IS'} {expression.format(row=row + '.')}"
                             for name, expression in self.key)
        measures = self._measures()
        keys = [expression.format(row=row + ".") for _, expression in self.key]
        values = ", ".join([*keys, *("0" for _ in measures)])
        create = (f"INSERT INTO {self.table} ({', '.join([*self._names(), *measures])}) SELECT {values} "
                  f"WHERE NOT EXISTS (SELECT 1 FROM {self.table} WHERE {match});")
        due = f"n_due = n_due + {sign} * ({row}.date_echeance IS NOT NULL), " if self.counts_due else ""
        change = (f"UPDATE {self.table} SET n = n + {sign}, n_montant = n_montant + {sign} * ({row}.montant_brut "
                  f"IS NOT NULL), {due}montant = montant + {sign} * coalesce({row}.montant_brut, 0), "
                  f"ponderee = ponderee + {sign} * coalesce({row}.valeur_ponderee, 0) WHERE {match};")
        return f"{create} {change}" if sign == "1" else f"{change} DELETE FROM {self.table} WHERE {match} AND n = 0;"

    def sqlite_statements(self) -> list[str]:
        watched = "statut, secteur, assignee, date_echeance, montant_brut, probabilite"
        added, removed = self._sqlite_apply("NEW", "1"), self._sqlite_apply("OLD", "-1")
        return [
            f"CREATE TRIGGER {self.table}_after_insert AFTER INSERT ON deals BEGIN {added} END",
            f"CREATE TRIGGER {self.table}_after_update AFTER UPDATE OF {watched} ON deals BEGIN {removed} {added} END",
            f"CREATE TRIGGER {self.table}_after_delete AFTER DELETE ON deals BEGIN {removed} END",
        ]


def _summaries(is_sqlite: bool) -> tuple[Summary, Summary]:
    month = "date({row}date_echeance, 'start of month')" if is_sqlite else "date_trunc('month', date_echeance)::date"
    dimensions = (("statut", "{row}statut"), ("secteur", "{row}secteur"), ("assignee", "{row}assignee"))
    return (Summary("deal_rollup", (*dimensions, ("due_month", month)), counts_due=False),
            Summary("deal_totals", dimensions, counts_due=True))


def _drop_summary_triggers(is_sqlite: bool) -> None:
    for table in ("deal_rollup", "deal_totals"):
        for event in (*EVENTS, *(() if is_sqlite else ("truncate",))):
            if is_sqlite:
                op.execute(f"DROP TRIGGER {table}_after_{event}")
            else:
                op.execute(f"DROP TRIGGER {table}_after_{event} ON deals")
                op.execute(f"DROP FUNCTION {table}_after_{event}()")


def _rebuild_sqlite_deals(nullable: bool, check: tuple[str, str]) -> None:
    """SQLite's way to change a column constraint: a new `deals`, every row copied, indexes and rule triggers
    of 0001 created again (the summary triggers are the caller's)."""
    for statement in _earlier("0001_deals.py").SQLITE_DROP:
        op.execute(statement)
    op.create_table(
        "deals_rebuilt",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.String(255), nullable=False),
        sa.Column("statut", sa.String(50), nullable=False),
        sa.Column("montant_brut", sa.Numeric(12, 2), nullable=nullable),
        sa.Column("probabilite", sa.Numeric(3, 2), nullable=False, server_default="0"),
        sa.Column("valeur_ponderee", sa.Numeric(12, 2), sa.Computed("round(montant_brut * probabilite, 2)",
                                                                    persisted=True)),
        sa.Column("secteur", sa.String(100)),
        sa.Column("date_echeance", sa.Date),
        sa.Column("assignee", sa.String(100)),
        sa.Column("notes", sa.Text),
        sa.Column("ref_externe", sa.String(255)),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.text(f"({SQLITE_NOW})")),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.text(f"({SQLITE_NOW})")),
        sa.Column("est_demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.CheckConstraint("length(trim(client)) > 0", name="ck_deals_client_not_empty"),
        sa.CheckConstraint("statut IN ('Prospect', 'Qualifié', 'Négociation', 'Gagné', 'Perdu')",
                           name="ck_deals_statut_known"),
        sa.CheckConstraint(check[1], name=check[0]),
        sa.UniqueConstraint("ref_externe", name="uq_deals_ref_externe"),
    )
    op.execute(f"INSERT INTO deals_rebuilt ({COPIED_COLUMNS}) SELECT {COPIED_COLUMNS} FROM deals")
    op.drop_table("deals")
    op.rename_table("deals_rebuilt", "deals")
    for name, columns in DEAL_INDEXES.items():
        op.create_index(name, "deals", columns)
    for statement in _earlier("0001_deals.py").SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_summary_triggers(is_sqlite)
    if is_sqlite:
        _rebuild_sqlite_deals(nullable=True, check=NEW_CHECK)
    else:
        op.alter_column("deals", "montant_brut", nullable=True)
        op.drop_constraint(OLD_CHECK[0], "deals", type_="check")
        op.create_check_constraint(NEW_CHECK[0], "deals", NEW_CHECK[1])
    for summary in _summaries(is_sqlite):
        # Every deal had an amount until now, so each row's deals with an amount are all its deals.
        op.add_column(summary.table, sa.Column("n_montant", sa.BigInteger, nullable=False, server_default="0"))
        op.execute(f"UPDATE {summary.table} SET n_montant = n")
        for statement in summary.sqlite_statements() if is_sqlite else summary.postgres_statements():
            op.execute(statement)


def _refuse_amounts_the_old_schema_forbids() -> None:
    missing, zero = op.get_bind().execute(sa.text(
        "SELECT count(*) - count(montant_brut), count(CASE WHEN montant_brut = 0 THEN 1 END) FROM deals")).one()
    if missing or zero:
        raise RuntimeError(
            f"Retour au schéma précédent impossible : {missing} deal(s) sans montant et {zero} deal(s) à 0 € ; "
            "ce schéma exigeait un montant supérieur à 0. Renseignez ces montants (ou supprimez ces deals) "
            "puis recommencez.")


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    _refuse_amounts_the_old_schema_forbids()
    _drop_summary_triggers(is_sqlite)
    for table in ("deal_rollup", "deal_totals"):
        if is_sqlite:
            op.execute(f"ALTER TABLE {table} DROP COLUMN n_montant")
        else:
            op.drop_column(table, "n_montant")
    if is_sqlite:
        _rebuild_sqlite_deals(nullable=False, check=OLD_CHECK)
    else:
        op.drop_constraint(NEW_CHECK[0], "deals", type_="check")
        op.create_check_constraint(OLD_CHECK[0], "deals", OLD_CHECK[1])
        op.alter_column("deals", "montant_brut", nullable=False)
    for file_name in ("0003_deal_rollup.py", "0005_deal_totals.py"):
        earlier = _earlier(file_name)
        for statement in earlier._sqlite_statements() if is_sqlite else earlier._postgres_statements():
            op.execute(statement)
