"""The page's charts as pure functions of the service's answers and of the current selection.

Selected bars keep their colour and the others are dimmed (a per-bar colour list); bars are keyed on their
label, which is also what a click sends back. Amounts are written as French text on the bars rather than on
an axis, so no figure shows plotly's English number formats; an empty answer gives a message, never an
empty axis frame.

Figures are plain dicts in plotly.js's own schema, not `go.Figure` objects: building and validating three
`go.Figure`s took about 27 ms of server CPU per filter change, the dicts take well under 1 ms. The unit tests
pass every figure through `go.Figure` to validate it against plotly's schema.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from domain import formatting
from domain.pipeline_results import FunnelStage, SectorTotal

PRIMARY = "#2563eb"
STAGE_COLOURS = {"Prospect": "#93c5fd", "Qualifié": "#60a5fa", "Négociation": "#2563eb", "Gagné": "#16a34a"}
DIMMED_ALPHA = 0.25
TEXT_MARGIN = 96  # px right of the bars, where the amount beside the longest bar is written
LABEL_CHAR_PX = 7.5  # a generous average width of a 13 px label character
LABEL_PADDING_PX = 16
MAX_LABEL_CHARS = 22  # an axis label longer than this is cut with "…" (the full name is in the hover)
LOADING = "Chargement…"
# Messages are cut into lines with <br>: plotly does not wrap an annotation, and the charts can be narrow.
NO_FUNNEL = "Aucun deal ouvert ou gagné<br>dans cette sélection."
NO_FUNNEL_AMOUNT = "Aucun montant dans cette sélection :<br>ses deals sont à estimer."
NO_SECTOR = "Aucun deal dans cette sélection :<br>aucun secteur à afficher."
NO_SECTOR_AVERAGE = "Aucun montant dans cette sélection :<br>pas de panier moyen par secteur."
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#212529"}
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}

Figure = dict[str, Any]


def dimmed(colour: str) -> str:
    """`#rrggbb` as a translucent `rgba()`: the look of a bar outside the selection."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {DIMMED_ALPHA})"


def plotly_text(value: str) -> str:
    """A data-derived string as plotly shows it and never interprets: plotly renders a subset of HTML in
    labels, hover and text (a sector named `<a xlink:href=...>` became a live link), and decodes entities
    back to the characters on screen. `assets/dashboard.js` decodes a clicked label the same way."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short_label(label: str) -> str:
    """A label as the axis shows it: cut with "…" past `MAX_LABEL_CHARS`, so one long sector name cannot push
    the bars out of the chart (the full name stays in the data, the hover and the click)."""
    return label if len(label) <= MAX_LABEL_CHARS else f"{label[:MAX_LABEL_CHARS - 1]}…"


def highlight(labels: Sequence[str], selected: Collection[str], colours: Sequence[str]) -> list[str]:
    """Each bar's colour: its own when nothing is selected or it is selected, dimmed otherwise."""
    if not selected:
        return list(colours)
    return [colour if label in selected else dimmed(colour) for label, colour in zip(labels, colours, strict=True)]


def label_margin(labels: Sequence[str]) -> int:
    """Left margin of a bar chart, wide enough for its longest label, estimated from the label's length.

    Why not plotly's `automargin` alone: when the labels do not fit, plotly measures them and draws the chart a
    second time, which was about a quarter of its drawing time per filter change. `automargin` stays on as a
    net for a label wider than the estimate. The funnel keeps plain `automargin`: with a set margin, plotly
    stopped reporting clicks on its narrow steps.
    """
    return round(max((len(label) for label in labels), default=0) * LABEL_CHAR_PX + LABEL_PADDING_PX)


def _figure(traces: list[dict[str, Any]], **layout: Any) -> Figure:
    """A figure with the page's look; `layout` adds to (or, key by key, replaces) the base layout."""
    # template="none": plotly.js draws no default template, and plotly.py would add about 7 KB to every figure.
    axis = {"showgrid": False, "zeroline": False}
    base = {"template": "none", "margin": {"l": 8, "r": 8, "t": 8, "b": 8}, "paper_bgcolor": "white",
            "plot_bgcolor": "white", "font": FONT, "separators": ", ", "showlegend": False,
            "hoverlabel": {"font": FONT, "bgcolor": "white"}, "xaxis": axis, "yaxis": axis}
    for key, value in layout.items():
        base[key] = {**base[key], **value} if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return {"data": traces, "layout": base}


def empty_figure(message: str) -> Figure:
    """A figure with no axes at all, only `message`: what a chart shows when it has nothing to draw."""
    return _figure(
        [], xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                      "font": {"size": 14, "color": "#6c757d"}}],
    )


def without_amount_hover(count: int) -> str:
    """The hover line of a bar that leaves out deals without an amount ("" when none does)."""
    return f"<br>Sans montant (non comptés) : {formatting.count(count)}" if count else ""


def funnel_figure(stages: Sequence[FunnelStage], selected: Collection[str]) -> Figure:
    """Weighted value per stage in funnel order; count, gross amount and the deals left out in the hover text."""
    if not any(stage.count for stage in stages):
        return empty_figure(NO_FUNNEL)
    if all(stage.without_amount == stage.count for stage in stages):
        return empty_figure(NO_FUNNEL_AMOUNT)
    labels = [stage.stage for stage in stages]
    funnel = {
        "type": "funnel",
        "y": [plotly_text(label) for label in labels],
        "x": [float(stage.weighted) for stage in stages],
        "text": [plotly_text(formatting.euros(stage.weighted)) for stage in stages],
        "textinfo": "text",
        "textposition": "auto",
        "customdata": [[formatting.count(stage.count), formatting.euros(stage.gross),
                        without_amount_hover(stage.without_amount)] for stage in stages],
        "hovertemplate": ("<b>%{y}</b><br>Valeur pondérée : %{text}<br>Deals : %{customdata[0]}"
                          "<br>Montant brut : %{customdata[1]}%{customdata[2]}<extra></extra>"),
        "marker": {"color": highlight(labels, selected, [STAGE_COLOURS.get(label, PRIMARY) for label in labels])},
        "connector": {"fillcolor": "#e9ecef", "line": {"width": 0}},
    }
    return _figure([funnel], yaxis={"automargin": True, "fixedrange": True}, xaxis={"fixedrange": True})


def _horizontal_bars(
    labels: list[str], values: list[float], texts: list[str], hover: list[list[str]], template: str,
    selected: Collection[str],
) -> Figure:
    """Largest first at the top, the amount written beside each bar in a margin kept for it (never cut off)."""
    shown = [plotly_text(label) for label in labels]
    cut = [short_label(label) for label in labels]
    bars = {
        "type": "bar", "orientation": "h", "y": shown, "x": values,
        "text": [plotly_text(text) for text in texts], "textposition": "outside",
        "cliponaxis": False, "constraintext": "none", "customdata": hover, "hovertemplate": template,
        "marker": {"color": highlight(labels, selected, [PRIMARY] * len(labels))},
    }
    return _figure(
        [bars],
        xaxis={"visible": False, "range": [0, max(values) * 1.02 or 1], "fixedrange": True},
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True, "ticksuffix": " ",
               "tickmode": "array", "tickvals": shown, "ticktext": [plotly_text(label) for label in cut]},
        bargap=0.25, margin={"l": label_margin(cut), "r": TEXT_MARGIN},
    )


def sectors_figure(totals: Sequence[SectorTotal], selected: Collection[str]) -> Figure:
    """Total gross amount per sector, largest first, as horizontal bars; a sector whose deals all lack an amount
    keeps its (empty) bar, labelled "à estimer", so it stays visible and clickable."""
    if not totals:
        return empty_figure(NO_SECTOR)
    return _horizontal_bars(
        [item.sector for item in totals], [float(item.total) for item in totals],
        [formatting.deal_amount(item.total if item.with_amount else None) for item in totals],
        [[formatting.count(item.count), without_amount_hover(item.without_amount)] for item in totals],
        "<b>%{y}</b><br>Montant brut : %{text}<br>Deals : %{customdata[0]}%{customdata[1]}<extra></extra>",
        selected,
    )


def top_sectors_figure(top: Sequence[SectorTotal], selected: Collection[str], any_deal: bool) -> Figure:
    """The sectors with the largest average deal (over their deals that have an amount), largest first;
    `any_deal` tells an empty selection from one whose deals all lack an amount."""
    if not top:
        return empty_figure(NO_SECTOR_AVERAGE if any_deal else NO_SECTOR)
    return _horizontal_bars(
        [item.sector for item in top], [float(item.average or 0) for item in top],
        [formatting.euros(item.average) for item in top],
        [[formatting.count(item.count), formatting.euros(item.total), without_amount_hover(item.without_amount)]
         for item in top],
        "<b>%{y}</b><br>Panier moyen : %{text}<br>Deals : %{customdata[0]}<br>Montant brut : %{customdata[1]}"
        "%{customdata[2]}<extra></extra>",
        selected,
    )
