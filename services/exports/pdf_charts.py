"""The report's KPI cards, funnel and sector bars as vector drawings (ReportLab graphics shapes).

Why shapes and not a picture of the page's Plotly charts: rendering Plotly to an image needs a browser on
the server (kaleido); shapes are drawn by the PDF itself, sharp at any zoom, a few kilobytes, and their
labels stay text that a reader can search and copy. Every text is drawn as a plain string, never parsed as
markup, so a client or sector named `<b>x</b>` shows as typed. Colours are the dashboard's
(`layouts/figures.py`, `assets/dashboard.css`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.lib.colors import HexColor

from domain import formatting
from domain.pipeline_results import FunnelStage, Kpis, SectorTotal
from domain.stages import STAGES
from services.exports.pdf_text import BOLD, FONT, fitted, printable

PRIMARY = HexColor("#2563eb")
STAGE_COLOURS = {"Prospect": HexColor("#93c5fd"), "Qualifié": HexColor("#60a5fa"),
                 "Négociation": HexColor("#2563eb"), "Gagné": HexColor("#16a34a")}
INK, MUTED, CARD_EDGE, CARD_FILL = HexColor("#212529"), HexColor("#6c757d"), HexColor("#dee2e6"), HexColor("#f8f9fa")
NO_DEAL = "Aucun deal ne correspond à ces filtres."
SECTOR_BARS = 10  # the largest sectors drawn; the others are counted in a note under the bars
BAR_HEIGHT, BAR_GAP = 16, 6


def _text(x: float, y: float, text: str, size: float = 8, font: str = FONT, colour: HexColor = INK,
          anchor: str = "start") -> String:
    return String(x, y, printable(text), fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def _card(group: Group, x: float, width: float, height: float, title: str, value: str, note: str = "") -> None:
    """A card as on the dashboard: a title, the formatted value alone (large on a headline card), a note under it."""
    headline = height > 40
    group.add(Rect(x, 0, width, height, rx=4, ry=4, fillColor=CARD_FILL, strokeColor=CARD_EDGE, strokeWidth=0.8))
    group.add(_text(x + 8, height - 14, title, 8, colour=MUTED))
    group.add(_text(x + 8, height - 34 if headline else 8, value, 15 if headline else 11, BOLD))
    if note:
        group.add(_text(x + 8, 7, note, 7, colour=MUTED))


def kpi_cards(kpis: Kpis, width: float) -> Drawing:
    """The four headline cards (the win rate beside the conversion rate) over the five per-stage counts."""
    headline_height, stage_height, gap = 54, 34, 8
    drawing = Drawing(width, headline_height + gap + stage_height)
    without = formatting.count(kpis.without_amount)
    note = f"hors {without} deal{'s' if kpis.without_amount > 1 else ''} sans montant" if kpis.without_amount else ""
    headlines = (
        ("Pipeline pondéré", formatting.euros(kpis.weighted_pipeline), note),
        ("Panier moyen", formatting.euros(kpis.average_deal), note),
        ("Taux de conversion", formatting.percent(kpis.conversion_rate),
         f"Taux de gain : {formatting.percent(kpis.win_rate)}"),
        ("Deals", formatting.count(kpis.deal_count), ""),
    )
    card_width = (width - gap * (len(headlines) - 1)) / len(headlines)
    top = Group()
    for index, (title, value, aside) in enumerate(headlines):
        _card(top, index * (card_width + gap), card_width, headline_height, title, value, aside)
    stage_width = (width - gap * (len(STAGES) - 1)) / len(STAGES)
    bottom = Group()
    for index, stage in enumerate(STAGES):
        _card(bottom, index * (stage_width + gap), stage_width, stage_height, stage.name,
              formatting.count(kpis.count_per_stage.get(stage.name, 0)))
    top.translate(0, stage_height + gap)
    drawing.add(top)
    drawing.add(bottom)
    return drawing


def _chart(width: float, rows: int, title: str) -> tuple[Drawing, float]:
    """An empty chart with its title; returns it and the y of its first bar."""
    height = 24 + max(rows, 1) * (BAR_HEIGHT + BAR_GAP) + 14
    drawing = Drawing(width, height)
    drawing.add(_text(0, height - 12, title, 10, BOLD))
    return drawing, height - 24 - BAR_HEIGHT


def _share(value: Decimal, largest: Decimal, room: float) -> float:
    """A bar's length for `value` when the largest value takes `room` points (a sliver for a zero)."""
    return max(room * float(value / largest), 1.0) if largest > 0 else 1.0


def funnel(stages: Sequence[FunnelStage], width: float) -> Drawing:
    """Weighted value per stage in funnel order, centred bars as the dashboard's funnel, value and count beside."""
    drawing, y = _chart(width, len(stages), "Entonnoir : valeur pondérée par statut")
    if not any(stage.count for stage in stages):
        drawing.add(_text(0, y + 4, NO_DEAL, 9, colour=MUTED))
        return drawing
    label_width, value_width = 78, 150
    room = width - label_width - value_width
    largest = max(stage.weighted for stage in stages)
    for stage in stages:
        length = _share(stage.weighted, largest, room)
        drawing.add(_text(0, y + 5, stage.stage, 9))
        drawing.add(Rect(label_width + (room - length) / 2, y, length, BAR_HEIGHT, strokeColor=None,
                         fillColor=STAGE_COLOURS.get(stage.stage, PRIMARY)))
        deals = f"{formatting.count(stage.count)} deal{'s' if stage.count > 1 else ''}"
        drawing.add(_text(label_width + room + 6, y + 5, f"{formatting.euros(stage.weighted)} · {deals}", 8))
        y -= BAR_HEIGHT + BAR_GAP
    return drawing


def sectors(totals: Sequence[SectorTotal], width: float) -> Drawing:
    """Gross amount per sector, largest first, horizontal bars; past `SECTOR_BARS` sectors, a note says how many."""
    shown = list(totals[:SECTOR_BARS])
    drawing, y = _chart(width, len(shown) + (len(totals) > SECTOR_BARS),
                        "Secteurs : montant brut, du plus grand au plus petit")
    if not shown:
        drawing.add(_text(0, y + 4, NO_DEAL, 9, colour=MUTED))
        return drawing
    label_width, value_width = 110, 80
    room = width - label_width - value_width
    largest = max(total.total for total in shown)
    for total in shown:
        drawing.add(_text(0, y + 5, fitted(total.sector, label_width - 6, size=9), 9))
        drawing.add(Rect(label_width, y, _share(total.total, largest, room), BAR_HEIGHT, strokeColor=None,
                         fillColor=PRIMARY))
        drawing.add(_text(width, y + 5, formatting.euros(total.total), 8, anchor="end"))
        y -= BAR_HEIGHT + BAR_GAP
    if len(totals) > SECTOR_BARS:
        others = len(totals) - SECTOR_BARS
        drawing.add(_text(0, y + 5, f"… et {formatting.count(others)} autre{'s' if others > 1 else ''} secteur"
                                    f"{'s' if others > 1 else ''} (détail dans l'export Excel)", 8, colour=MUTED))
    return drawing
