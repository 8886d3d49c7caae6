"""SQL text shared by the summaries of the history that triggers keep (`stage_stays`, `deal_wins`): a month and a
duration on either database, rows summed per key, and the upsert that adds them to a summary table.

Text rather than SQLAlchemy expressions because triggers hold it: the migrations that create those triggers, and
the rebuilds that fill the tables from the history, write the same statements.
"""

from __future__ import annotations

from collections.abc import Sequence


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


def sqlite_unique_index(table: str, index: str, key: Sequence[str]) -> str:
    """The unique index `sqlite_upsert` relies on (SQLite's own unique indexes hold NULLs apart)."""
    return f"CREATE UNIQUE INDEX {index} ON {table} ({_sqlite_unique_key(key)})"


def sqlite_upsert(table: str, key: Sequence[str], measures: Sequence[str], rows: str) -> str:
    """Add `rows` to `table`, which has `sqlite_unique_index` on `key`."""
    columns = ", ".join((*key, *measures))
    added = ", ".join(f"{measure} = {table}.{measure} + excluded.{measure}" for measure in measures)
    return (f"INSERT INTO {table} ({columns}) {summed(rows, key, measures)} "
            f"ON CONFLICT ({_sqlite_unique_key(key)}) DO UPDATE SET {added};")
