"""SQL text shared by the summaries of the history that triggers keep (`stage_stays`, `deal_wins`): a month and a
duration on either database, rows summed per key, the upsert that adds them to a summary table, its unique index,
and the creation and removal of the PostgreSQL triggers.

Text rather than SQLAlchemy expressions because triggers hold it: the migrations that create those triggers, and
the rebuilds that fill the tables from the history, write the same statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def month_of(dialect: str, moment: str) -> str:
    """The first day of the UTC month of the timestamp `moment`."""
    return f"date_trunc('month', {moment})::date" if dialect == "postgresql" else f"date({moment}, 'start of month')"


def milliseconds_between(dialect: str, start: str, end: str) -> str:
    """Whole milliseconds from `start` to `end` (NULL when either is)."""
    if dialect == "postgresql":
        return f"(date_part('epoch', {end} - {start}) * 1000)::bigint"
    return f"CAST(round((julianday({end}) - julianday({start})) * 86400000) AS INTEGER)"


def summed(rows: str, key: Sequence[str], measures: Sequence[str]) -> str:
    """`rows` (a SELECT with `key` and `measures`) added up per key, keys that come to nothing left out, in key
    order: two writers upserting some of the same keys then lock them in the same order, and one waits for the
    other instead of each holding a row the other needs (a deadlock)."""
    columns = ", ".join(key)
    sums = ", ".join(f"sum({measure}) AS {measure}" for measure in measures)
    nothing = " OR ".join(f"sum({measure}) <> 0" for measure in measures)
    return f"SELECT {columns}, {sums} FROM ({rows}) AS moves GROUP BY {columns} HAVING {nothing} ORDER BY {columns}"


def postgres_upsert(table: str, key: Sequence[str], measures: Sequence[str], rows: str) -> str:
    """Add `rows` to `table`, whose unique index on `key` treats NULLs as equal (NULLS NOT DISTINCT)."""
    columns = ", ".join((*key, *measures))
    added = ", ".join(f"{measure} = t.{measure} + excluded.{measure}" for measure in measures)
    return (f"INSERT INTO {table} AS t ({columns}) {summed(rows, key, measures)} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added};")


def _sqlite_unique_key(key: Sequence[str]) -> str:
    """The key as SQLite's unique index holds it: NULL as a blob no text equals, so that NULLs are one value."""
    return ", ".join(f"coalesce({column}, x'00')" for column in key)


def sqlite_upsert(table: str, key: Sequence[str], measures: Sequence[str], rows: str) -> str:
    """Add `rows` to `table`, which has `unique_index` on `key`."""
    columns = ", ".join((*key, *measures))
    added = ", ".join(f"{measure} = {table}.{measure} + excluded.{measure}" for measure in measures)
    return (f"INSERT INTO {table} ({columns}) {summed(rows, key, measures)} "
            f"ON CONFLICT ({_sqlite_unique_key(key)}) DO UPDATE SET {added};")


def unique_index(dialect: str, table: str, index: str, key: Sequence[str]) -> str:
    """The unique index on `key` the upserts rely on, NULLs counted as one value on both databases."""
    if dialect == "sqlite":
        return f"CREATE UNIQUE INDEX {index} ON {table} ({_sqlite_unique_key(key)})"
    return f"CREATE UNIQUE INDEX {index} ON {table} ({', '.join(key)}) NULLS NOT DISTINCT"


def postgres_triggers(name: str, table: str, bodies: Mapping[str, tuple[str, str, str]]) -> list[str]:
    """A PL/pgSQL function and a statement-level trigger on `deals` for each event of `bodies` (event: its timing,
    its transition tables, the function's body), named `name` with `{event}` filled in, and one that empties
    `table` when `deals` is truncated, as the other summaries are."""
    statements = []
    for event, (timing, referencing, body) in bodies.items():
        function = name.format(event=event)
        statements += [
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {function} AFTER {timing} ON deals REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    function = name.format(event="truncate")
    return [
        *statements,
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {table}; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {function} AFTER TRUNCATE ON deals FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def dropped_triggers(dialect: str, name: str, events: Sequence[str]) -> list[str]:
    """What takes the triggers `name` (with `{event}` filled in) of `events` off `deals`, and their functions."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER {name.format(event=event)}" for event in events]
    return [statement for event in (*events, "truncate")
            for statement in (f"DROP TRIGGER {name.format(event=event)} ON deals",
                              f"DROP FUNCTION {name.format(event=event)}()")]
