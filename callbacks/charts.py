"""The funnel and the sector charts.

A chart does not filter itself: the funnel is drawn over every stage and the sector charts over every
sector, with the chosen ones highlighted and the rest dimmed, so an unchosen bar stays visible and
clickable. All other filters apply as everywhere else.
"""

from __future__ import annotations

from dataclasses import replace

from dash import Dash, Input, Output

from callbacks.guard import guarded_callback
from callbacks.selection import filter_inputs, selection
from layouts import ids
from layouts.figures import Figure, funnel_figure, sectors_figure, top_sectors_figure
from services.reads import DealReads


def register(app: Dash, service: DealReads) -> None:
    """One callback per query: the funnel, and both sector charts (one sector query answers the two)."""

    @guarded_callback(app, Output(ids.GRAPH_FUNNEL, "figure"), Input(ids.DATA_VERSION, "data"), *filter_inputs())
    def draw_funnel(_version: str | None, *values: object) -> Figure:
        deal_filter = selection(*values)  # type: ignore[arg-type]
        return funnel_figure(service.funnel(replace(deal_filter, stages=())), deal_filter.stages)

    @guarded_callback(
        app,
        Output(ids.GRAPH_SECTORS, "figure"),
        Output(ids.GRAPH_TOP_SECTORS, "figure"),
        Input(ids.DATA_VERSION, "data"),
        *filter_inputs(),
    )
    def draw_sectors(_version: str | None, *values: object) -> tuple[Figure, Figure]:
        deal_filter = selection(*values)  # type: ignore[arg-type]
        summary = service.sectors(replace(deal_filter, sectors=()))
        return (sectors_figure(summary.totals, deal_filter.sectors),
                top_sectors_figure(summary.top_by_average, deal_filter.sectors, any_deal=bool(summary.totals)))
