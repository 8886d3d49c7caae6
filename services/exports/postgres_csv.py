"""The CSV's rows on PostgreSQL: formatted and quoted by the server, streamed with `COPY ... TO STDOUT`.

Why: read row by row into Python, a million deals cost 16 s of Python CPU (a `Row` per deal, then a Python
call per cell). With COPY the server formats each cell in the same way as `services.exports.csv_file` does in
Python (decimal comma, `dd/mm/yyyy`, `70 %`, control characters dropped, formula triggers behind a `'`) and
quotes as Python's csv module does (a cell holding `;`, `"` or a line break); Python only passes bytes on.
An empty text becomes no value, so that it is written bare, as Python writes it, not as `""`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import Connection, Integer, Select, Text, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement

from data.models import Deal
from services.exports.columns import COLUMNS, Column, Kind
from services.exports.text_cells import NOT_IN_XML_RANGES
from services.importing.rejected_rows import FORMULA_PREFIXES

# A leading trigger, `-` last so that it is not read as a range.
_LEADING_TRIGGER = "^[" + "".join(sorted(FORMULA_PREFIXES, key=lambda prefix: prefix == "-")) + "]"


def _text(value: ColumnElement[Any]) -> ColumnElement[str]:
    kept = func.regexp_replace(value, f"[{NOT_IN_XML_RANGES}]", "", "g")
    return func.nullif(func.regexp_replace(kept, _LEADING_TRIGGER, "'\\&"), "")


def _money(value: ColumnElement[Any]) -> ColumnElement[str]:
    """Amounts are numeric(12,2): their text has two decimals, as Python's `str(Decimal)` gives them."""
    return func.replace(cast(value, Text), ".", ",")


def _percent(value: ColumnElement[Any]) -> ColumnElement[str]:
    return cast(cast(func.round(value * 100), Integer), Text) + literal(" %")


def _date(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.to_char(value, "DD/MM/YYYY")


_CELLS = {Kind.TEXT: _text, Kind.MONEY: _money, Kind.PERCENT: _percent, Kind.DATE: _date}


def formatted_cells() -> list[ColumnElement[str]]:
    """The exported columns as the CSV writes them, formatted by PostgreSQL."""
    def cell(column: Column) -> ColumnElement[str]:
        return _CELLS[column.kind](getattr(Deal, column.source))
    return [cell(column) for column in COLUMNS]


def copy_rows(connection: Connection, statement: Select, chunk_bytes: int) -> Generator[bytes, None, int]:
    """The rows of `statement` (of `formatted_cells`) as CSV lines, `chunk_bytes` at a time; returns how many.

    The statement's parameters are bound by psycopg, never pasted into the SQL; `IN` lists are expanded first.
    The transaction is the connection's own, so a count read before on it sees the same deals.
    """
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    copy_sql = f"COPY ({compiled.string}) TO STDOUT (FORMAT csv, DELIMITER ';', ENCODING 'UTF8')"
    pending = bytearray()
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(copy_sql, compiled.params) as copy:
            for data in copy:
                pending += data
                if len(pending) >= chunk_bytes:
                    yield bytes(pending)
                    pending.clear()
        if pending:
            yield bytes(pending)
        return cursor.rowcount
