"""The Excel export: typed cells, French formats, the dashboard's colours, and a summary sheet.

XlsxWriter's `constant_memory` mode writes each row to a temporary file as soon as the next one starts, so memory
stays flat whatever the row count, and it writes faster than openpyxl's write-only mode (the README's figures).
Every cell is written by its typed method (`write_string`, `write_number`, `write_datetime`), never by the
guessing `write`, so no text becomes a formula or a link. Number formats are Excel's locale-free codes: French
Excel shows `#,##0.00 "€"` as `12 500,50 €` and `0 %` as `70 %`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, BinaryIO

from sqlalchemy import Row
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from domain import formatting
from domain.stages import OPEN_STAGES, STAGE_NAMES
from services.exports.columns import COLUMNS, Kind
from services.exports.summary import ExportSummary
from services.exports.text_cells import safe_text

# Excel's last row is 1 048 576; the header takes one.
MAX_DEAL_ROWS = 1_048_575
DEALS_SHEET, SUMMARY_SHEET = "Deals", "Synthèse"
MONEY_FORMAT, PERCENT_FORMAT, DATE_FORMAT, MOMENT_FORMAT = '#,##0.00 "€"', "0 %", "DD/MM/YYYY", "DD/MM/YYYY HH:MM"
RATE_FORMAT = "0.0 %"
# The grid's overdue colours (assets/dashboard.css `legend-overdue`).
OVERDUE = {"bg_color": "#FDE2E1", "pattern": 1, "font_color": "#B02A37"}
FORMATS = {Kind.TEXT: None, Kind.MONEY: MONEY_FORMAT, Kind.PERCENT: PERCENT_FORMAT, Kind.DATE: DATE_FORMAT}
STATUT_AT = next(index for index, column in enumerate(COLUMNS) if column.source == "statut")
DUE_AT = next(index for index, column in enumerate(COLUMNS) if column.source == "date_echeance")
# Rows to temporary files as they come, and no guessing: no text turns into a formula, a link or a number.
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False}


class TooManyRowsError(ValueError):
    """The view holds more deals than an Excel sheet has rows: the CSV carries them."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"Cette vue compte {formatting.count(count)} deals : une feuille Excel en contient au plus "
            f"{formatting.count(MAX_DEAL_ROWS)}. Exportez-la en CSV (qui n'a pas de limite), ou filtrez-la davantage.")
        self.count = count


def _format(workbook: Workbook, number_format: str | None = None, overdue: bool = False, **extra: Any) -> Format:
    """One cell format; formats are made once per kind, never per cell."""
    properties: dict[str, Any] = {**extra, **(OVERDUE if overdue else {})}
    if number_format:
        properties["num_format"] = number_format
    return workbook.add_format(properties)


Writer = Callable[[Worksheet, int, int, Any, Format], Any]
# Excel's day 0 in its 1900 date system: since 1 March 1900 a date is the count of days from here.
EXCEL_EPOCH = date(1899, 12, 30)


@lru_cache(maxsize=8192)
def _excel_day(value: date) -> int:
    """The date as Excel stores it, what `write_datetime` computes for each cell: due dates repeat (a few
    thousand distinct days in 100 000 deals), so each is computed once."""
    return (value - EXCEL_EPOCH).days


def _writers() -> list[Writer]:
    """How each column's values are written: its typed method, so that nothing is guessed from the value."""
    by_kind: dict[Kind, Writer] = {
        Kind.TEXT: Worksheet.write_string,
        Kind.MONEY: lambda sheet, row, col, value, fmt: sheet.write_number(row, col, float(value), fmt),
        Kind.PERCENT: lambda sheet, row, col, value, fmt: sheet.write_number(row, col, float(value), fmt),
        Kind.DATE: lambda sheet, row, col, value, fmt: sheet.write_number(row, col, _excel_day(value), fmt),
    }
    return [by_kind[column.kind] for column in COLUMNS]


def _deals_sheet(workbook: Workbook, rows: Iterable[Row], today: date) -> int:
    sheet = workbook.add_worksheet(DEALS_SHEET)
    sheet.freeze_panes(1, 0)
    header = _format(workbook, bold=True)
    for position, column in enumerate(COLUMNS):
        sheet.set_column(position, position, column.width)
        sheet.write_string(0, position, column.header, header)
    plain = [_format(workbook, FORMATS[column.kind]) for column in COLUMNS]
    overdue = [_format(workbook, FORMATS[column.kind], overdue=True) for column in COLUMNS]
    columns = [(position, column.kind is Kind.TEXT, write)
               for position, (column, write) in enumerate(zip(COLUMNS, _writers(), strict=True))]
    written = 0
    for written, row in enumerate(rows, start=1):
        due = row[DUE_AT]
        late = due is not None and due < today and row[STATUT_AT] in OPEN_STAGES
        formats = overdue if late else plain
        for position, is_text, write in columns:
            value = row[position]
            if value is None:
                if late:  # an empty cell of an overdue row is red too, as the grid's row is
                    sheet.write_blank(written, position, None, formats[position])
                continue
            write(sheet, written, position, safe_text(value) if is_text else value, formats[position])
    sheet.autofilter(0, 0, written, len(COLUMNS) - 1)
    return written


def _summary_lines(summary: ExportSummary) -> Iterator[list[tuple[Any, str | None]]]:
    """The summary sheet, line by line: (value, number format) pairs; None is an empty cell, never 0."""
    kpis = summary.kpis
    yield [("Synthèse de l'export", None)]
    yield [("Filtres", None), (safe_text(summary.filters), None)]
    yield [("Périmètre", None), (summary.scope, None)]
    yield [("Tri", None), (summary.sort, None)]
    yield [("Exporté le (heure de Paris)", None), (summary.exported_at, MOMENT_FORMAT)]
    yield [("Deals exportés", None), (summary.row_count, "0")]
    yield []
    yield [("Indicateurs de la sélection", None)]
    yield [("Pipeline pondéré", None), (kpis.weighted_pipeline, MONEY_FORMAT)]
    yield [("Panier moyen", None), (kpis.average_deal, MONEY_FORMAT)]
    yield [("Taux de conversion (gagnés / tous)", None), (kpis.conversion_rate, RATE_FORMAT)]
    yield [("Taux de gain (gagnés / (gagnés + perdus))", None), (kpis.win_rate, RATE_FORMAT)]
    yield [("Deals", None), (kpis.deal_count, "0")]
    yield [("Deals sans montant (hors sommes et moyennes)", None), (kpis.without_amount, "0")]
    yield []
    yield [("Statut", None), ("Deals", None), ("Montant brut", None), ("Valeur pondérée", None)]
    by_stage = {total.stage: total for total in summary.stages}
    for stage in STAGE_NAMES:
        total = by_stage[stage]
        yield [(stage, None), (total.count, "0"), (total.gross, MONEY_FORMAT), (total.weighted, MONEY_FORMAT)]
    yield []
    yield [("Secteur", None), ("Deals", None), ("Montant brut", None), ("Panier moyen", None)]
    for sector in summary.sectors:
        yield [(safe_text(sector.sector), None), (sector.count, "0"), (sector.total, MONEY_FORMAT),
               (sector.average, MONEY_FORMAT)]


def _write_summary_value(sheet: Worksheet, row: int, col: int, value: Any, cell_format: Format) -> None:
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value, cell_format)
    else:
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, cell_format)


def _summary_sheet(workbook: Workbook, summary: ExportSummary) -> None:
    sheet = workbook.add_worksheet(SUMMARY_SHEET)
    for position, width in enumerate((44, 60, 18, 18)):
        sheet.set_column(position, position, width)
    formats: dict[str | None, Format] = {}
    for row, line in enumerate(_summary_lines(summary)):
        for col, (value, number_format) in enumerate(line):
            if number_format not in formats:
                formats[number_format] = _format(workbook, number_format, text_wrap=number_format is None)
            _write_summary_value(sheet, row, col, value, formats[number_format])


def write_workbook(rows: Iterable[Row], count: int, summary: ExportSummary, today: date, out: BinaryIO) -> int:
    """The workbook of `rows` (`count` of them, checked first) and its summary, saved to `out`."""
    if count > MAX_DEAL_ROWS:
        raise TooManyRowsError(count)
    workbook = Workbook(out, OPTIONS)
    written = _deals_sheet(workbook, rows, today)
    _summary_sheet(workbook, summary)
    workbook.close()
    return written
