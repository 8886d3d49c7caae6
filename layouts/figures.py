"""The page's charts as pure functions of the service's answers and of the current selection.

Selected bars keep their colour and the others are dimmed (a per-bar colour list); bars are keyed on their
label, which is also what a click sends back. Amounts are written as French text on the bars rather than on
an axis, so no figure shows plotly's English number formats; an empty answer gives a message, never an
empty axis frame.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import plotly.graph_objects as go

from services import formatting
from services.results import FunnelStage, SectorTotal

PRIMARY = "#2563eb"
STAGE_COLOURS = {"Prospect": "#93c5fd", "Qualifié": "#60a5fa", "Négociation": "#2563eb", "Gagné": "#16a34a"}
DIMMED_ALPHA = 0.25
TEXT_MARGIN = 96  # px right of the bars, where the amount beside the longest bar is written
LOADING = "Chargement…"
NO_FUNNEL = "Aucun deal ouvert ou gagné dans cette sélection."
NO_SECTOR = "Aucun deal dans cette sélection : aucun secteur à afficher."
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13, "color": "#212529"}
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


def dimmed(colour: str) -> str:
    """`#rrggbb` as a translucent `rgba()`: the look of a bar outside the selection."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {DIMMED_ALPHA})"


def highlight(labels: Sequence[str], selected: Collection[str], colours: Sequence[str]) -> list[str]:
    """Each bar's colour: its own when nothing is selected or it is selected, dimmed otherwise."""
    if not selected:
        return list(colours)
    return [colour if label in selected else dimmed(colour) for label, colour in zip(labels, colours, strict=True)]


def _base_layout(figure: go.Figure) -> go.Figure:
    # template="none": plotly.py's default template adds about 7 KB to every figure sent to the browser.
    figure.update_layout(
        template="none", margin={"l": 8, "r": 8, "t": 8, "b": 8}, paper_bgcolor="white", plot_bgcolor="white",
        font=FONT, separators=", ", showlegend=False, hoverlabel={"font": FONT, "bgcolor": "white"},
        xaxis_showgrid=False, yaxis_showgrid=False, xaxis_zeroline=False, yaxis_zeroline=False,
    )
    return figure


def empty_figure(message: str) -> go.Figure:
    """A figure with no axes at all, only `message`: what a chart shows when it has nothing to draw."""
    figure = go.Figure()
    figure.update_layout(
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                      "font": {"size": 14, "color": "#6c757d"}}],
    )
    return _base_layout(figure)


def funnel_figure(stages: Sequence[FunnelStage], selected: Collection[str]) -> go.Figure:
    """Weighted value per stage in funnel order; count and gross amount in the hover text."""
    if not any(stage.count for stage in stages):
        return empty_figure(NO_FUNNEL)
    labels = [stage.stage for stage in stages]
    figure = go.Figure(go.Funnel(
        y=labels,
        x=[float(stage.weighted) for stage in stages],
        text=[formatting.euros(stage.weighted) for stage in stages],
        textinfo="text",
        textposition="auto",
        customdata=[[formatting.count(stage.count), formatting.euros(stage.gross)] for stage in stages],
        hovertemplate=("<b>%{y}</b><br>Valeur pondérée : %{text}<br>Deals : %{customdata[0]}"
                       "<br>Montant brut : %{customdata[1]}<extra></extra>"),
        marker={"color": highlight(labels, selected, [STAGE_COLOURS.get(label, PRIMARY) for label in labels])},
        connector={"fillcolor": "#e9ecef", "line": {"width": 0}},
    ))
    figure.update_layout(yaxis={"automargin": True, "fixedrange": True}, xaxis={"fixedrange": True})
    return _base_layout(figure)


def _horizontal_bars(
    labels: list[str], values: list[float], texts: list[str], hover: list[list[str]], template: str,
    selected: Collection[str],
) -> go.Figure:
    """Largest first at the top, the amount written beside each bar in a margin kept for it (never cut off)."""
    figure = go.Figure(go.Bar(
        orientation="h", y=labels, x=values, text=texts, textposition="outside", cliponaxis=False,
        constraintext="none",
        customdata=hover, hovertemplate=template,
        marker={"color": highlight(labels, selected, [PRIMARY] * len(labels))},
    ))
    figure.update_layout(
        xaxis={"visible": False, "range": [0, max(values) * 1.02], "fixedrange": True},
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True, "ticksuffix": " "},
        bargap=0.25,
    )
    return _base_layout(figure).update_layout(margin={"r": TEXT_MARGIN})


def sectors_figure(totals: Sequence[SectorTotal], selected: Collection[str]) -> go.Figure:
    """Total gross amount per sector, largest first, as horizontal bars."""
    if not totals:
        return empty_figure(NO_SECTOR)
    return _horizontal_bars(
        [item.sector for item in totals], [float(item.total) for item in totals],
        [formatting.euros(item.total) for item in totals],
        [[formatting.count(item.count)] for item in totals],
        "<b>%{y}</b><br>Montant brut : %{text}<br>Deals : %{customdata[0]}<extra></extra>",
        selected,
    )


def top_sectors_figure(top: Sequence[SectorTotal], selected: Collection[str]) -> go.Figure:
    """The sectors with the largest average deal, largest first."""
    if not top:
        return empty_figure(NO_SECTOR)
    return _horizontal_bars(
        [item.sector for item in top], [float(item.average) for item in top],
        [formatting.euros(item.average) for item in top],
        [[formatting.count(item.count), formatting.euros(item.total)] for item in top],
        "<b>%{y}</b><br>Panier moyen : %{text}<br>Deals : %{customdata[0]}<br>Montant brut : %{customdata[1]}"
        "<extra></extra>",
        selected,
    )
