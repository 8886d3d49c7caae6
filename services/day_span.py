"""`day_span(start, end)`: the days between two timestamps, with their fraction, in SQL on both databases.

PostgreSQL subtracts timestamps into an interval (its seconds / 86 400, read with `date_part`, a double: `EXTRACT`
gives an exact numeric, whose arithmetic made the stage movement's grouping of 1.8 million stays at 1 000 000 deals
about 8 % slower, for digits no figure shows); SQLite stores text and has `julianday`.
One expression type with a compilation per dialect keeps every query that needs a duration written once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class day_span(FunctionElement):  # noqa: N801 - used as a SQL function name
    """Days from the first timestamp to the second (fractional)."""

    type = Float()
    inherit_cache = True
    name = "day_span"


def _bounds(element: day_span, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    start, end = list(element.clauses)
    return compiler.process(start, **kw), compiler.process(end, **kw)


@compiles(day_span, "postgresql")
def _postgresql(element: day_span, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _bounds(element, compiler, **kw)
    return f"(date_part('epoch', {end} - {start}) / 86400)"


@compiles(day_span, "sqlite")
def _sqlite(element: day_span, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = _bounds(element, compiler, **kw)
    return f"(julianday({end}) - julianday({start}))"
