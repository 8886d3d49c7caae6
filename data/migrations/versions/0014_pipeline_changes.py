"""The open pipeline's daily moves, kept by the database: `pipeline_changes`, behind the weekly trend.

Why a table of moves rather than a weekly snapshot: a snapshot needs a scheduled job that nothing guarantees
runs (and, missed once, a week is lost for good), and rebuilding 26 past states from `deal_events` at each
filter change reads the whole history (about 3 rows per deal: 3 million at 1 000 000 deals). Here each write adds,
on the day it happens, what it moves: -1 deal and -its weighted value under the stage, sector and salesperson it
leaves when it was open, +1 and +its value under those it enters when it is open. The pipeline at the end of a
past week is today's (`deal_totals`) less the moves after it: a few hundred summary rows per week, whatever the
size of the book, and it follows the stage, sector and salesperson filters.

- PostgreSQL: statement-level triggers with transition tables (one grouped upsert per statement); a TRUNCATE of
  `deals` empties the table, as it empties the other summaries.
- SQLite: row triggers, each row's move added to an existing row or a new one (NULL sectors and salespeople
  compared with IS). A stage change moves the probability in a nested UPDATE, whose own trigger adds the
  difference of weighted value: the two moves add up to the right one.
- The day is the UTC day of the write, as `deal_events.at`.
Existing deals get the moves their history implies (`data.pipeline_changes.rebuild`, the code the demo and the
tests use for a history dated after the fact); the table holds derived figures only, so a rebuild may always
replace them. Deals deleted before this migration are not in it: their values are not in their history.
"""

import sqlalchemy as sa
from alembic import op

from data.pipeline_changes import rebuild

revision = "0014_pipeline_changes"
down_revision = "0013_stage_change_index"

TABLE = "pipeline_changes"
KEY = ("change_day", "statut", "secteur", "assignee")
# Copy of domain/stages.py OPEN_STAGES at this revision.
OPEN = "('Prospect', 'Qualifié', 'Négociation')"
POSTGRES_TODAY = "date_trunc('day', now() AT TIME ZONE 'UTC')"
SQLITE_TODAY = "strftime('%Y-%m-%d 00:00:00.000000', 'now')"
WATCHED = "statut, secteur, assignee, montant_brut, probabilite"


def _postgres_rows(sign: str, source: str) -> str:
    return (f"SELECT statut, secteur, assignee, {sign} AS n, {sign} * coalesce(valeur_ponderee, 0) AS ponderee "
            f"FROM {source} WHERE statut IN {OPEN}")


def _postgres_statements() -> list[str]:
    events = {"insert": ("INSERT", "NEW TABLE AS new_rows", [("1", "new_rows")]),
              "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", [("-1", "old_rows"),
                                                                                  ("1", "new_rows")]),
              "delete": ("DELETE", "OLD TABLE AS old_rows", [("-1", "old_rows")])}
    statements = []
    for name, (event, referencing, sources) in events.items():
        moves = " UNION ALL ".join(_postgres_rows(sign, source) for sign, source in sources)
        body = (f"INSERT INTO {TABLE} AS t ({', '.join(KEY)}, n, ponderee) "
                f"SELECT {POSTGRES_TODAY}, statut, secteur, assignee, sum(n), sum(ponderee) FROM ({moves}) AS moves "
                "GROUP BY statut, secteur, assignee HAVING sum(n) <> 0 OR sum(ponderee) <> 0 "
                f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = t.n + excluded.n, "
                "ponderee = t.ponderee + excluded.ponderee; "
                f"DELETE FROM {TABLE} WHERE change_day = {POSTGRES_TODAY} AND n = 0 AND ponderee = 0;")
        statements += [
            f"CREATE FUNCTION {TABLE}_after_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {TABLE}_after_{name} AFTER {event} ON deals REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_after_{name}()",
        ]
    return [
        *statements,
        f"CREATE FUNCTION {TABLE}_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {TABLE}; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {TABLE}_after_truncate AFTER TRUNCATE ON deals FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {TABLE}_after_truncate()",
    ]


def _sqlite_move(row: str, sign: str) -> str:
    """Add one row's move (`NEW`, sign 1, or `OLD`, sign -1) to today's row of its key, when it is open."""
    match = (f"change_day = {SQLITE_TODAY} AND statut = {row}.statut AND secteur IS {row}.secteur "
             f"AND assignee IS {row}.assignee")
    return (f"INSERT INTO {TABLE} ({', '.join(KEY)}, n, ponderee) SELECT {SQLITE_TODAY}, {row}.statut, "
            f"{row}.secteur, {row}.assignee, 0, 0 WHERE {row}.statut IN {OPEN} "
            f"AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {match}); "
            f"UPDATE {TABLE} SET n = n + {sign}, ponderee = ponderee + {sign} * coalesce({row}.valeur_ponderee, 0) "
            f"WHERE {row}.statut IN {OPEN} AND {match};")


def _sqlite_statements() -> list[str]:
    tidy = f"DELETE FROM {TABLE} WHERE change_day = {SQLITE_TODAY} AND n = 0 AND ponderee = 0;"
    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in ("statut", "secteur", "assignee",
                                                                            "valeur_ponderee"))
    return [
        f"CREATE TRIGGER {TABLE}_after_insert AFTER INSERT ON deals BEGIN {_sqlite_move('NEW', '1')} END",
        f"CREATE TRIGGER {TABLE}_after_update AFTER UPDATE OF {WATCHED} ON deals WHEN {moved} "
        f"BEGIN {_sqlite_move('OLD', '-1')} {_sqlite_move('NEW', '1')} {tidy} END",
        f"CREATE TRIGGER {TABLE}_after_delete AFTER DELETE ON deals BEGIN {_sqlite_move('OLD', '-1')} {tidy} END",
    ]


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")  # DDL inside the run's transaction (see 0009)
    op.create_table(
        TABLE,
        sa.Column("change_day", sa.DateTime, nullable=False),
        sa.Column("statut", sa.String(50), nullable=False),
        sa.Column("secteur", sa.String(100)),
        sa.Column("assignee", sa.String(100)),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("ponderee", sa.Numeric(18, 2), nullable=False),
    )
    if is_sqlite:
        op.create_index("ix_pipeline_changes_key", TABLE, list(KEY))
    else:
        op.execute(f"CREATE UNIQUE INDEX ix_pipeline_changes_key ON {TABLE} ({', '.join(KEY)}) NULLS NOT DISTINCT")
    rebuild(op.get_bind())
    for statement in _sqlite_statements() if is_sqlite else _postgres_statements():
        op.execute(statement)


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("DELETE FROM deals WHERE 0 = 1")
    for event in ("insert", "update", "delete", *(() if is_sqlite else ("truncate",))):
        op.execute(f"DROP TRIGGER {TABLE}_after_{event}" + ("" if is_sqlite else " ON deals"))
        if not is_sqlite:
            op.execute(f"DROP FUNCTION {TABLE}_after_{event}()")
    op.drop_table(TABLE)
