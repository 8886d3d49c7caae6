"""Exports of the current view, as the page, a script or a benchmark asks for them.

One connection per export, read in one transaction so that the count, the rows and the file agree; the
rows come from a server-side cursor. Files are written to a stream the caller gives (a temporary file, a
buffer), never built as one string; `download` gives them as chunks for an HTTP response.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import partial
from typing import IO, BinaryIO

from sqlalchemy import Engine

from data import clock
from services.exports.csv_file import CHUNK_BYTES, csv_chunks, write_csv
from services.exports.pdf_report import DEADLINE_ROWS, ReportContent, write_report
from services.exports.summary import export_summary
from services.exports.view import ExportView, count_rows, stream_rows
from services.exports.workbook import MAX_DEAL_ROWS, TooManyRowsError, write_workbook
from services.reachability import database_reachable
from services.reads import DealReads

CSV, XLSX, PDF = "csv", "xlsx", "pdf"
MEDIA_TYPES = {CSV: "text/csv", XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               PDF: "application/pdf"}
# A workbook or a report is finished before its first byte can leave (a ZIP directory, a PDF cross-reference
# table come last): it waits in memory up to this size, then in a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024


def _paris_now() -> datetime:
    return datetime.now(clock.PARIS)


def _file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    """The file's bytes from the start, `CHUNK_BYTES` at a time; the file is closed (and deleted) at the end."""
    with file:
        file.seek(0)
        yield from iter(partial(file.read, CHUNK_BYTES), b"")


class DealExports:
    """CSV, Excel and PDF files of the deals a view shows."""

    def __init__(self, engine: Engine, reads: DealReads, today: Callable[[], date] = clock.today,
                 now: Callable[[], datetime] = _paris_now) -> None:
        self._engine = engine
        self._reads = reads
        self._today = today
        self._now = now

    def file_name(self, file_format: str) -> str:
        """`deals-2026-12-06.csv`: the date of the export (Paris), sortable in a downloads folder."""
        return f"deals-{self._today().isoformat()}.{file_format}"

    def check(self, file_format: str, view: ExportView) -> None:
        """Raise `TooManyRowsError` when the view cannot be exported in `file_format` (a workbook past Excel's
        rows), so the page can say so before it hands out a link."""
        if file_format != XLSX:
            return
        with database_reachable(), self._engine.connect() as connection:
            count = count_rows(connection, view, self._today(), self._reads.cold_rule)
        if count > MAX_DEAL_ROWS:
            raise TooManyRowsError(count)

    def csv(self, view: ExportView, out: BinaryIO) -> int:
        """Write the view's deals as a French-Excel CSV to `out`; returns how many."""
        today = self._today()
        with database_reachable(), self._engine.connect() as connection:
            return write_csv(connection, view, today, self._reads.cold_rule, out)

    def xlsx(self, view: ExportView, out: BinaryIO) -> int:
        """Write the view's deals and its summary as a workbook to `out`; returns how many. Raises
        `TooManyRowsError` (nothing written) past Excel's row limit."""
        today = self._today()
        with database_reachable(), self._engine.connect() as connection:
            count = count_rows(connection, view, today, self._reads.cold_rule)
            summary = export_summary(self._reads, view, self._now(), count)
            rows = stream_rows(connection, view, today, self._reads.cold_rule)
            return write_workbook(rows, count, summary, today, out)

    def pdf(self, view: ExportView, out: BinaryIO) -> int:
        """Write the view's report to `out`: its figures (aggregates) and its first deadlines, never every row;
        returns how many deals the view holds."""
        today = self._today()
        with database_reachable(), self._engine.connect() as connection:
            count = count_rows(connection, view, today, self._reads.cold_rule)
        summary = export_summary(self._reads, view, self._now(), count)
        deadlines = self._reads.deadlines(view.deal_filter, view.scope, view.sort, 0, DEADLINE_ROWS)
        write_report(ReportContent(summary, self._reads.funnel(view.deal_filter), deadlines), out)
        return count

    def write(self, file_format: str, view: ExportView, out: BinaryIO) -> int:
        """`csv`, `xlsx` or `pdf` by name (the page's three buttons)."""
        writer = {CSV: self.csv, XLSX: self.xlsx, PDF: self.pdf}[file_format]
        return writer(view, out)

    def download(self, file_format: str, view: ExportView) -> Iterator[bytes]:
        """The file as chunks for an HTTP response; a refusal (`TooManyRowsError`, the database out of reach) is
        raised here, before any byte. A CSV is read from the database as the chunks are taken, so its first bytes
        leave at once; a workbook or a report is built first, then read back from its spooled file."""
        if file_format == CSV:
            chunks = self._csv_chunks(view)
            first = next(chunks)  # connects and reads the first rows now, while a refusal can still be answered
            return itertools.chain((first,), chunks)
        spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the chunks close it)
        try:
            self.write(file_format, view, spooled)
        except BaseException:
            spooled.close()
            raise
        return _file_chunks(spooled)

    def _csv_chunks(self, view: ExportView) -> Iterator[bytes]:
        today = self._today()
        with database_reachable(), self._engine.connect() as connection:
            yield from csv_chunks(connection, view, today, self._reads.cold_rule)
