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

from sqlalchemy import Row

from services.exports.columns import COLUMNS, Kind
from services.exports.text_cells import safe_text

CHUNK_BYTES = 256 * 1024


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


def csv_chunks(rows: Iterable[Row]) -> Generator[bytes, None, int]:
    """The header and `rows` (in `COLUMNS` order) as the file's successive bytes; returns how many deals."""
    cells = [WRITERS[column.kind] for column in COLUMNS]
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    written = 0
    for row in rows:
        writer.writerow([cell(value) for cell, value in zip(cells, row, strict=True)])
        written += 1
        if buffer.tell() >= CHUNK_BYTES:
            text.flush()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    text.flush()
    yield buffer.getvalue()
    return written


def write_csv(rows: Iterable[Row], out: BinaryIO) -> int:
    """Write the header and `rows` to `out`; returns how many deals were written."""
    chunks = csv_chunks(rows)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as finished:
            return finished.value
