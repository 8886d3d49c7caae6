"""The Excel export: typed cells, French formats, the dashboard's colours, and a summary sheet.

openpyxl's write-only mode streams each row to a temporary file as it comes, so memory stays flat whatever
the row count. Every cell of one kind shares one style (a template cell's style array), which keeps a
100 000-row workbook within seconds. Number formats are Excel's locale-free codes: French Excel shows
`#,##0.00 "€"` as `12 500,50 €` and `0 %` as `70 %`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import Row

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
OVERDUE_FILL = PatternFill("solid", fgColor="FDE2E1")
OVERDUE_FONT = Font(color="B02A37")
BOLD = Font(bold=True)
FORMATS = {Kind.TEXT: None, Kind.MONEY: MONEY_FORMAT, Kind.PERCENT: PERCENT_FORMAT, Kind.DATE: DATE_FORMAT}
STATUT_AT = next(index for index, column in enumerate(COLUMNS) if column.source == "statut")
DUE_AT = next(index for index, column in enumerate(COLUMNS) if column.source == "date_echeance")


class TooManyRowsError(ValueError):
    """The view holds more deals than an Excel sheet has rows: the CSV carries them."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"Cette vue compte {formatting.count(count)} deals : une feuille Excel en contient au plus "
            f"{formatting.count(MAX_DEAL_ROWS)}. Exportez-la en CSV (qui n'a pas de limite), ou filtrez-la davantage.")
        self.count = count


def _styled(sheet: WriteOnlyWorksheet, number_format: str | None = None, overdue: bool = False,
            bold: bool = False) -> WriteOnlyCell:
    """A template cell whose style array every cell of its kind shares."""
    cell = WriteOnlyCell(sheet)
    if number_format:
        cell.number_format = number_format
    if overdue:
        cell.fill, cell.font = OVERDUE_FILL, OVERDUE_FONT
    if bold:
        cell.font = BOLD
    return cell


class _RowCells:
    """Turns one database row into the sheet's cells, typed and styled."""

    def __init__(self, sheet: WriteOnlyWorksheet, today: date) -> None:
        self._sheet = sheet
        self._today = today
        self._plain = [_styled(sheet, FORMATS[column.kind])._style for column in COLUMNS]
        self._overdue = [_styled(sheet, FORMATS[column.kind], overdue=True)._style for column in COLUMNS]
        self._text = [column.kind is Kind.TEXT for column in COLUMNS]

    def __call__(self, row: Row) -> list[Any]:
        due = row[DUE_AT]
        overdue = due is not None and due < self._today and row[STATUT_AT] in OPEN_STAGES
        styles = self._overdue if overdue else self._plain
        cells: list[Any] = []
        for value, is_text, style in zip(row, self._text, styles, strict=True):
            if is_text:
                value = safe_text(value)
            if not overdue and (is_text or value is None):  # no cell object where no style is needed (faster)
                cells.append(value)
                continue
            cell = WriteOnlyCell(self._sheet, value)
            cell._style = style
            cells.append(cell)
        return cells


def _deals_sheet(workbook: Workbook, rows: Iterable[Row], today: date) -> int:
    sheet = workbook.create_sheet(DEALS_SHEET)
    sheet.freeze_panes = "A2"
    for position, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    header = _styled(sheet, bold=True)._style
    sheet.append([_with_style(sheet, column.header, header) for column in COLUMNS])
    to_cells = _RowCells(sheet, today)
    written = 0
    for row in rows:
        sheet.append(to_cells(row))
        written += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{written + 1}"
    return written


def _with_style(sheet: WriteOnlyWorksheet, value: Any, style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    cell._style = style
    return cell


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


def _summary_sheet(workbook: Workbook, summary: ExportSummary) -> None:
    sheet = workbook.create_sheet(SUMMARY_SHEET)
    for letter, width in zip("ABCD", (44, 60, 18, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    styles: dict[str | None, Any] = {}
    for line in _summary_lines(summary):
        cells = []
        for value, number_format in line:
            if number_format not in styles:
                template = _styled(sheet, number_format)
                template.alignment = Alignment(wrap_text=number_format is None)
                styles[number_format] = template._style
            cells.append(_with_style(sheet, value, styles[number_format]))
        sheet.append(cells)


def write_workbook(rows: Iterable[Row], count: int, summary: ExportSummary, today: date, out: BinaryIO) -> int:
    """The workbook of `rows` (`count` of them, checked first) and its summary, saved to `out`."""
    if count > MAX_DEAL_ROWS:
        raise TooManyRowsError(count)
    workbook = Workbook(write_only=True)
    written = _deals_sheet(workbook, rows, today)
    _summary_sheet(workbook, summary)
    workbook.save(out)
    return written
