"""The PDF report of the current view: A4 landscape, the view in words, the KPI cards, the funnel and the
sector bars (vector), the next deadlines with the overdue ones in red, "Page 1 sur 2" at the foot.

Built with ReportLab (pure Python, no browser). Paragraphs interpret a small markup language, so every text
that comes from the data (filter words, which hold the search and sector names) is escaped before it goes
into one; table cells and chart labels are plain strings, never parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from domain import formatting
from domain.pipeline_results import DeadlinePage, DeadlineRow, FunnelStage
from services.exports.pdf_charts import CARD_EDGE, CARD_FILL, INK, MUTED, funnel, kpi_cards, sectors
from services.exports.pdf_text import BOLD, FONT, fitted, printable, register_fonts
from services.exports.summary import ExportSummary

TITLE = "Pipeline des deals"
DEADLINE_ROWS = 20
PAGE = landscape(A4)
MARGIN = 28
FRAME_PADDING = 6  # platypus's default padding inside the page's frame
WIDTH = PAGE[0] - 2 * (MARGIN + FRAME_PADDING)
# The grid's overdue colours (assets/dashboard.css `legend-overdue`), as in the Excel export.
OVERDUE_FILL, OVERDUE_INK = HexColor("#FDE2E1"), HexColor("#B02A37")
# (header, width in points, right-aligned): the deadline grid's columns; the client takes the rest of the width.
_FIXED_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("Statut", 72, False), ("Montant brut", 88, True), ("Valeur pondérée", 88, True), ("Secteur", 112, False),
    ("Commercial", 110, False), ("Échéance", 66, False), ("Jours restants", 66, True),
)
DEADLINE_COLUMNS = (("Client", WIDTH - sum(width for _, width, _ in _FIXED_COLUMNS), False), *_FIXED_COLUMNS)
CELL_PADDING = 4
STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22, textColor=INK),
    "meta": ParagraphStyle("meta", fontName=FONT, fontSize=9, leading=12, textColor=MUTED),
    "words": ParagraphStyle("words", fontName=FONT, fontSize=9, leading=12, textColor=INK),
    "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=11, leading=14, textColor=INK, spaceAfter=4),
}


@dataclass(frozen=True)
class ReportContent:
    """What the report shows: the export summary (view in words, KPIs, sectors), the funnel and the first
    rows of the deadline grid as the page lists them (scope and sort)."""

    summary: ExportSummary
    funnel: tuple[FunnelStage, ...]
    deadlines: DeadlinePage


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages until the end, so each foot can say "Page 2 sur 3"."""

    def __init__(self, *args: Any, foot: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._foot = foot
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._held:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN + FRAME_PADDING, MARGIN / 2, self._foot)
            self.drawRightString(PAGE[0] - MARGIN - FRAME_PADDING, MARGIN / 2,
                                 f"Page {self._pageNumber} sur {len(self._held)}")
            super().showPage()
        super().save()


def _paragraph(text: str, style: str) -> Paragraph:
    """A paragraph of plain text: markup characters in `text` are shown, never interpreted."""
    return Paragraph(escape(printable(text)), STYLES[style])


def _cells(row: DeadlineRow) -> list[str]:
    """A deadline row as the grid shows it (`layouts/deadlines.py`), each cell cut to its column."""
    values = (row.client, row.statut, formatting.deal_amount(row.montant_brut, cents=True),
              formatting.deal_amount(row.valeur_ponderee, cents=True), row.secteur or formatting.NO_VALUE,
              row.assignee or formatting.NO_VALUE, formatting.day(row.date_echeance), formatting.count(row.days_left))
    widths = (width for _, width, _ in DEADLINE_COLUMNS)
    return [fitted(value, width - 2 * CELL_PADDING) for value, width in zip(values, widths, strict=True)]


def _deadline_table(rows: Sequence[DeadlineRow]) -> Table:
    """The deadline rows, overdue ones on the grid's red; the header repeats if the table runs onto a page."""
    table = Table([[header for header, _, _ in DEADLINE_COLUMNS], *(_cells(row) for row in rows)],
                  colWidths=[width for _, width, _ in DEADLINE_COLUMNS], repeatRows=1)
    style: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8), ("FONT", (0, 0), (-1, 0), BOLD, 8),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("BACKGROUND", (0, 0), (-1, 0), CARD_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, CARD_EDGE),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (at, 0), (at, -1), "RIGHT") for at, (_, _, right) in enumerate(DEADLINE_COLUMNS) if right]
    for at, row in enumerate(rows, start=1):
        if row.is_overdue:
            style += [("BACKGROUND", (0, at), (-1, at), OVERDUE_FILL), ("TEXTCOLOR", (0, at), (-1, at), OVERDUE_INK)]
    table.setStyle(TableStyle(style))
    return table


def _deadlines(page: DeadlinePage, sort: str) -> list[Flowable]:
    """The heading that says which rows these are, the legend and the table (or why there is none)."""
    shown = len(page.rows)
    heading = (f"Les {formatting.count(shown)} prochaines échéances sur {formatting.count(page.total)}" if shown > 1
               else f"La prochaine échéance sur {formatting.count(page.total)}" if shown else "Échéances")
    parts: list[Flowable] = [_paragraph(heading, "heading")]
    if not shown:
        return [*parts, _paragraph("Aucune échéance dans cette vue.", "meta")]
    legend = f"Tri : {sort}. En rouge : en retard (statut ouvert, échéance passée)."
    return [*parts, _paragraph(legend, "meta"), Spacer(0, 4), _deadline_table(page.rows)]


def _story(content: ReportContent) -> list[Flowable]:
    summary = content.summary
    deals = f"{formatting.count(summary.row_count)} deal{'s' if summary.row_count > 1 else ''}"
    charts = Table([[funnel(content.funnel, WIDTH / 2 - 16), sectors(summary.sectors, WIDTH / 2 - 16)]],
                   colWidths=[WIDTH / 2, WIDTH / 2], style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                            ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return [
        _paragraph(TITLE, "title"),
        _paragraph(f"Exporté le {_when(summary)} (heure de Paris) · {deals} dans la vue", "meta"),
        Spacer(0, 6),
        _paragraph(f"Filtres : {summary.filters}", "words"),
        _paragraph(f"Vue de la grille : {summary.scope} · Tri : {summary.sort}", "words"),
        Spacer(0, 10),
        kpi_cards(summary.kpis, WIDTH),
        Spacer(0, 14),
        charts,
        Spacer(0, 10),
        KeepTogether(_deadlines(content.deadlines, summary.sort)),
    ]


def _when(summary: ExportSummary) -> str:
    """`06/12/2026 à 14:05`: the export's Paris time."""
    return f"{formatting.day(summary.exported_at.date())} à {summary.exported_at:%H:%M}"


def write_report(content: ReportContent, out: BinaryIO) -> None:
    """Write the report of `content` as a PDF to `out`."""
    register_fonts()
    document = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=TITLE, author="CRM Dashboard", lang="fr-FR")
    foot = f"{TITLE} · exporté le {_when(content.summary)}"
    document.build(_story(content), canvasmaker=partial(_NumberedCanvas, foot=foot))
