"""The triggers that keep `pipeline_changes` at each write of `deals`, written for a grain: the day of the write
(migration 0014) or the Monday of its week (migration 0025).

Each write adds what it moves to the row of its grain and key: -1 deal and -its weighted value under the stage,
sector and salesperson it leaves when it was open, +1 and +its value under those it enters when it is open.
- PostgreSQL: statement-level triggers with transition tables (one grouped upsert per statement); a TRUNCATE of
  `deals` empties the table, as it empties the other summaries.
- SQLite: row triggers, each row's move added to an existing row or a new one (NULL sectors and salespeople
  compared with IS). A stage change moves the probability in a nested UPDATE, whose own trigger adds the
  difference of weighted value: the two moves add up to the right one.
Changing this SQL changes what the triggers of both migrations do: it needs a migration that writes them again.
"""

from __future__ import annotations

from dataclasses import dataclass

TABLE = "pipeline_changes"
KEY = ("change_day", "statut", "secteur", "assignee")
# Copy of domain/stages.py OPEN_STAGES when the table was made.
OPEN = "('Prospect', 'Qualifié', 'Négociation')"
WATCHED = "statut, secteur, assignee, montant_brut, probabilite"
ROW_EVENTS = ("insert", "update", "delete")


@dataclass(frozen=True)
class Grain:
    """The first instant (UTC, as `deal_events.at`) of the period a write's move is counted in, as each database
    computes it for now."""

    postgres: str
    sqlite: str


DAY = Grain("date_trunc('day', now() AT TIME ZONE 'UTC')", "strftime('%Y-%m-%d 00:00:00.000000', 'now')")
WEEK = Grain("date_trunc('week', now() AT TIME ZONE 'UTC')",  # ISO weeks: Monday
             "strftime('%Y-%m-%d 00:00:00.000000', 'now', 'weekday 0', '-6 days')")


def _postgres_rows(sign: str, source: str) -> str:
    return (f"SELECT statut, secteur, assignee, {sign} AS n, {sign} * coalesce(valeur_ponderee, 0) AS ponderee "
            f"FROM {source} WHERE statut IN {OPEN}")


def _postgres_events() -> dict[str, tuple[str, str, list[tuple[str, str]]]]:
    return {"insert": ("INSERT", "NEW TABLE AS new_rows", [("1", "new_rows")]),
            "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", [("-1", "old_rows"),
                                                                                ("1", "new_rows")]),
            "delete": ("DELETE", "OLD TABLE AS old_rows", [("-1", "old_rows")])}


def postgres_functions(grain: Grain) -> list[str]:
    """The trigger functions of each row event (created, or replaced in place: the triggers stay)."""
    statements = []
    for name, (_event, _referencing, sources) in _postgres_events().items():
        moves = " UNION ALL ".join(_postgres_rows(sign, source) for sign, source in sources)
        body = (f"INSERT INTO {TABLE} AS t ({', '.join(KEY)}, n, ponderee) "
                f"SELECT {grain.postgres}, statut, secteur, assignee, sum(n), sum(ponderee) FROM ({moves}) AS moves "
                "GROUP BY statut, secteur, assignee HAVING sum(n) <> 0 OR sum(ponderee) <> 0 "
                f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = t.n + excluded.n, "
                "ponderee = t.ponderee + excluded.ponderee; "
                f"DELETE FROM {TABLE} WHERE change_day = {grain.postgres} AND n = 0 AND ponderee = 0;")
        statements.append(f"CREATE OR REPLACE FUNCTION {TABLE}_after_{name}() RETURNS trigger LANGUAGE plpgsql "
                          f"AS $$ BEGIN {body} RETURN NULL; END $$")
    return statements


def postgres_triggers() -> list[str]:
    """The triggers that call them, and the one that empties the table with `deals`."""
    return [
        *(f"CREATE TRIGGER {TABLE}_after_{name} AFTER {event} ON deals REFERENCING {referencing} "
          f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_after_{name}()"
          for name, (event, referencing, _sources) in _postgres_events().items()),
        f"CREATE FUNCTION {TABLE}_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {TABLE}; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {TABLE}_after_truncate AFTER TRUNCATE ON deals FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {TABLE}_after_truncate()",
    ]


def _sqlite_move(grain: Grain, row: str, sign: str) -> str:
    """Add one row's move (`NEW`, sign 1, or `OLD`, sign -1) to its key's row of the grain, when it is open."""
    match = (f"change_day = {grain.sqlite} AND statut = {row}.statut AND secteur IS {row}.secteur "
             f"AND assignee IS {row}.assignee")
    return (f"INSERT INTO {TABLE} ({', '.join(KEY)}, n, ponderee) SELECT {grain.sqlite}, {row}.statut, "
            f"{row}.secteur, {row}.assignee, 0, 0 WHERE {row}.statut IN {OPEN} "
            f"AND NOT EXISTS (SELECT 1 FROM {TABLE} WHERE {match}); "
            f"UPDATE {TABLE} SET n = n + {sign}, ponderee = ponderee + {sign} * coalesce({row}.valeur_ponderee, 0) "
            f"WHERE {row}.statut IN {OPEN} AND {match};")


def sqlite_triggers(grain: Grain) -> list[str]:
    """The row triggers of SQLite."""
    tidy = f"DELETE FROM {TABLE} WHERE change_day = {grain.sqlite} AND n = 0 AND ponderee = 0;"
    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in ("statut", "secteur", "assignee",
                                                                            "valeur_ponderee"))
    return [
        f"CREATE TRIGGER {TABLE}_after_insert AFTER INSERT ON deals BEGIN {_sqlite_move(grain, 'NEW', '1')} END",
        f"CREATE TRIGGER {TABLE}_after_update AFTER UPDATE OF {WATCHED} ON deals WHEN {moved} "
        f"BEGIN {_sqlite_move(grain, 'OLD', '-1')} {_sqlite_move(grain, 'NEW', '1')} {tidy} END",
        f"CREATE TRIGGER {TABLE}_after_delete AFTER DELETE ON deals BEGIN {_sqlite_move(grain, 'OLD', '-1')} "
        f"{tidy} END",
    ]


def dropped_sqlite_triggers() -> list[str]:
    return [f"DROP TRIGGER {TABLE}_after_{name}" for name in ROW_EVENTS]
