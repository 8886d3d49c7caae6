"""The CSV export: what French Excel opens by a double click, and what our import reads back whole.

UTF-8 with a BOM (Excel otherwise guesses Windows-1252 and breaks the accents), `;` between cells, a decimal
comma without digit grouping (`12500,50`: no thousands separator for the import to guess), `dd/mm/yyyy`
dates. Rows are written as the cursor yields them and leave in chunks of about `CHUNK_BYTES`, so a million deals
never sit in memory at once, and a download route can send the first chunk before the last row is read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Generator, Iterable
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, BinaryIO

from sqlalchemy import Connection, Row

from domain.staleness import ColdRule
from services.exports.columns import COLUMNS, Kind
from services.exports.postgres_csv import copy_rows, formatted_cells
from services.exports.text_cells import safe_text
from services.exports.view import ExportView, export_statement, stream_rows

CHUNK_BYTES = 256 * 1024
BOM = b"\xef\xbb\xbf"
# One line end on both databases: PostgreSQL's COPY ends its lines with a line feed alone, and Excel, LibreOffice
# and our import read it as they read `\r\n`.
LINE_END = "\n"


def _money(value: Decimal | None) -> str:
    """Both databases give amounts to the cent (numeric(12,2)), so the decimal point alone changes."""
    return "" if value is None else str(value).replace(".", ",")


@cache
def _percent(value: Decimal | None) -> str:
    """Five stage probabilities in all: each formatted once (a million rows repeat them)."""
    return "" if value is None else f"{value * 100:.0f} %"


@lru_cache(maxsize=8192)
def _date(value: date | None) -> str:
    """Due dates repeat (a few thousand distinct days): each formatted once."""
    return "" if value is None else value.strftime("%d/%m/%Y")


def _text(value: str | None) -> str:
    return safe_text(value) or ""


WRITERS: dict[Kind, Callable[[Any], str]] = {Kind.TEXT: _text, Kind.MONEY: _money, Kind.PERCENT: _percent,
                                             Kind.DATE: _date}


class _LineFeedRows(io.StringIO):
    """The csv writer's rows, each ending in a line feed alone.

    The writer is told to end rows with `\r\n`, because only then does it quote a cell holding a lone `\r` (a
    notes field from a Mac, a neutralised `\r=2+2`); each row's `\r\n` is then written as `\n`."""

    def write(self, row: str) -> int:
        return super().write(row[:-2] + LINE_END)


def _rows_writer(sink: _LineFeedRows) -> Any:
    return csv.writer(sink, delimiter=";", lineterminator="\r\n")


def _header() -> bytes:
    """The BOM and the header line."""
    sink = _LineFeedRows()
    _rows_writer(sink).writerow([column.header for column in COLUMNS])
    return BOM + sink.getvalue().encode("utf-8")


def _python_rows(rows: Iterable[Row]) -> Generator[bytes, None, int]:
    """`rows` (in `COLUMNS` order) formatted here, about `CHUNK_BYTES` at a time; returns how many deals."""
    cells = [WRITERS[column.kind] for column in COLUMNS]
    sink = _LineFeedRows()
    writer = _rows_writer(sink)
    written = 0
    for row in rows:
        writer.writerow([cell(value) for cell, value in zip(cells, row, strict=True)])
        written += 1
        if sink.tell() >= CHUNK_BYTES:
            yield sink.getvalue().encode("utf-8")
            sink.seek(0)
            sink.truncate()
    yield sink.getvalue().encode("utf-8")
    return written


def csv_chunks(connection: Connection, view: ExportView, today: date, rule: ColdRule) -> Generator[bytes, None, int]:
    """The file of the view's deals as its successive bytes; returns how many deals. PostgreSQL formats and
    streams the rows itself (`postgres_csv`); SQLite's rows are formatted here, to the same cells. The header
    leaves with the first rows, so that a query that fails does so before the first byte."""
    if connection.dialect.name == "postgresql":
        statement = export_statement(view, today, rule, formatted_cells())
        rows = iter(()) if statement is None else copy_rows(connection, statement, CHUNK_BYTES)
    else:
        rows = _python_rows(stream_rows(connection, view, today, rule))
    first = next(rows, b"")
    yield _header() + first
    return (yield from rows) or 0


def write_csv(connection: Connection, view: ExportView, today: date, rule: ColdRule, out: BinaryIO) -> int:
    """Write the view's file to `out`; returns how many deals were written."""
    chunks = csv_chunks(connection, view, today, rule)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as finished:
            return finished.value
