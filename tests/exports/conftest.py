"""The exports' fixtures: the service tests' known deals, the export service over them, and readers of the files
that go no further than a spreadsheet would (openpyxl for the workbook, the csv module for the CSV)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook import Workbook
from sqlalchemy import Engine

from data import clock
from services.cache import VersionedCache
from services.exports import DealExports, ExportView
from services.reads import DealReads
from settings import Settings
from tests.service.known_deals import TODAY, KnownDeal, insert_deals, make_known_deals
from wiring import make_cache_backend

# The import's bad-input strings (tests/importing/test_odd_inputs.py) and every formula trigger a spreadsheet
# reads at the start of a cell: `=`, `+`, `-`, `@`, tab and carriage return.
INJECTIONS = (
    "'; DROP TABLE deals;--",
    "<script>alert('x')</script>",
    '=HYPERLINK("http://evil.example","clic")',
    'Robert"); DELETE FROM deals; --',
    "@SUM(A1)",
    "+33 1 23 45 67 89",
    "-5 % de remise",
    "\t=1+1",
    "\r=2+2",
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DAY = re.compile(r"\d\d/\d\d/\d{4}")


@dataclass(frozen=True)
class Known:
    """The export service and the read service over the known deals, today fixed at 21/11/2026."""

    exports: DealExports
    reads: DealReads
    deals: list[KnownDeal]


def reads_on(engine: Engine) -> DealReads:
    """A read service of its own (simple cache) on `engine`."""
    return DealReads(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple"))))


@pytest.fixture
def known(engine: Engine) -> Iterator[Known]:
    deals = make_known_deals()
    insert_deals(engine, deals)
    clock.fix_today(TODAY)
    reads = reads_on(engine)
    yield Known(DealExports(engine, reads), reads, deals)
    clock.fix_today(None)



def workbook_of(exports: DealExports, view: ExportView) -> Workbook:
    """The downloaded workbook, opened as Excel would read it (values, not formulas)."""
    out = io.BytesIO()
    exports.xlsx(view, out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def csv_bytes(exports: DealExports, view: ExportView) -> bytes:
    out = io.BytesIO()
    exports.csv(view, out)
    return out.getvalue()


def csv_cells(content: bytes) -> list[list[str]]:
    """The CSV's rows of cells, read as French Excel does (UTF-8 BOM, `;`)."""
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def plain_spaces(text: str) -> str:
    """French formats use no-break spaces of two widths; a reader sees spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


def pdf_text(path: Path, *options: str) -> str:
    """The PDF's text as poppler's `pdftotext` reads it (`-layout` keeps the table's lines), plain spaces."""
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"], capture_output=True, check=True)
    return plain_spaces(done.stdout.decode("utf-8"))


def deadline_clients(layout_text: str) -> list[str]:
    """The first cell of each deadline row of the report, from its `-layout` text: the dated lines under the
    table's header (the page foot, dated too, left out)."""
    lines = layout_text.splitlines()
    header = next(at for at, line in enumerate(lines) if "Client" in line and "Jours restants" in line)
    rows = [line.strip() for line in lines[header + 1:] if DAY.search(line) and "exporté le" not in line]
    return [re.split(r"\s{2,}", row)[0] for row in rows]
