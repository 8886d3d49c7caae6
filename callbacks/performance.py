"""The performance page's wiring: every figure of a selection in one answer, a what-if that asks the database nothing.

A filter, period or data change costs the browser one request, as on the dashboard (callbacks/dashboard.py); each
query runs once, and outputs whose value did not change are not sent. The outputs exist only on `/performance`,
so on the dashboard Dash never calls it. The velocity levers are read once per selection into `levers-store`; the
what-if sliders project from the store with `domain.velocity` (no query per slider move); a change of the
selection projects them in the same answer as the levers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State

from callbacks.changed_outputs import changed_only
from callbacks.guard import guarded_callback
from callbacks.selection import filter_inputs, selection
from domain import formatting
from domain.performance_results import PerformancePage, VelocityLevers
from domain.velocity import PRESET_AVERAGE_DEAL, WhatIf, project, velocity
from layouts import ids
from layouts.performance import assignee_rows, lever_items, whatif_texts
from layouts.performance_figures import (
    assignees_figure,
    forecast_figure,
    stage_conversion_figure,
    trend_figure,
)
from services.performance import PerformanceReads

SLIDERS = (ids.WHATIF_AVERAGE_DEAL, ids.WHATIF_WIN_RATE, ids.WHATIF_CYCLE, ids.WHATIF_DEAL_COUNT)
FIGURE_OUTPUTS = ((ids.GRAPH_ASSIGNEES, "figure"), (ids.TABLE_ASSIGNEES, "rowData"), (ids.KPI_VELOCITY, "children"),
                  (ids.VELOCITY_LEVERS, "children"), (ids.LEVERS_STORE, "data"), (ids.GRAPH_FORECAST, "figure"),
                  (ids.GRAPH_TREND, "figure"), (ids.GRAPH_STAGE_CONVERSION, "figure"))
WHATIF_TEXTS = (ids.WHATIF_VELOCITY, ids.WHATIF_VELOCITY_NOW, ids.WHATIF_PIPELINE, ids.WHATIF_PIPELINE_NOW)


def _stored(levers: VelocityLevers) -> dict[str, Any]:
    """The levers as JSON for the browser: exact decimals as text."""
    return {key: value if value is None or isinstance(value, int) else str(value)
            for key, value in asdict(levers).items()}


def _levers(data: dict[str, Any]) -> VelocityLevers:
    def number(value: Any) -> Decimal | None:
        return None if value is None else Decimal(value)

    return VelocityLevers(int(data["open_deals"]), number(data["average_deal"]), number(data["win_rate"]),
                          number(data["average_cycle_days"]), Decimal(data["weighted_pipeline"]))


def _projected(levers: VelocityLevers | None, changes: Sequence[float | None]) -> tuple[str, ...]:
    """The what-if texts for the sliders' `changes` (an empty slider moves nothing)."""
    if levers is None:
        return whatif_texts(None)
    return whatif_texts(project(levers, WhatIf(*(change or 0 for change in changes))))


def _figures(read: PerformancePage, chosen: Collection[str], levers: VelocityLevers) -> tuple:
    """Every `FIGURE_OUTPUTS` value of a selection whose salespeople are `chosen`. The salesperson chart is drawn
    over every salesperson (the chosen ones highlighted, so the others stay clickable), the grid lists the chosen
    ones."""
    listed = [p for p in read.assignees if not chosen or p.assignee in chosen]
    return (assignees_figure(read.assignees, chosen), assignee_rows(listed),
            formatting.euros(velocity(levers)), lever_items(levers), _stored(levers),
            forecast_figure(read.forecast), trend_figure(read.trend), stage_conversion_figure(read.stage_conversion))


def _day(value: str | None) -> date | None:
    """The date picker's `YYYY-MM-DD` (perhaps with a time), or None when empty or malformed."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def register(app: Dash, service: PerformanceReads) -> None:
    """The page's figures, its velocity and what-if, and the salesperson click."""

    @guarded_callback(app, *(Output(component, prop) for component, prop in FIGURE_OUTPUTS),
                      *(Output(text_id, "children") for text_id in WHATIF_TEXTS),
                      Output(ids.PERFORMANCE_SHOWN_OUTPUTS, "data"),
                      Input(ids.DATA_VERSION, "data"), *filter_inputs(),
                      Input(ids.STAGE_PERIOD, "start_date"), Input(ids.STAGE_PERIOD, "end_date"),
                      *(State(slider, "value") for slider in SLIDERS), State(ids.PERFORMANCE_SHOWN_OUTPUTS, "data"))
    def refresh_performance(_version: str | None, *values: Any) -> tuple:
        """Every figure of the page in one answer, each of its queries run once; a figure the browser already shows
        is not sent again (a period pick sends the stage movement alone). The what-if texts are always sent: the
        sliders change them in the browser's copy too (`project_whatif`), so a digest could not tell."""
        *filters, start, end = values[:-len(SLIDERS) - 1]
        *changes, shown = values[-len(SLIDERS) - 1:]
        deal_filter = selection(*filters)
        figures = service.page(deal_filter, _day(start), _day(end))
        levers = service.levers(deal_filter)  # summed from the per-salesperson read just cached
        answered, digests = changed_only(_figures(figures, deal_filter.assignees, levers), shown)
        return (*answered, *_projected(levers, changes), digests)

    @app.callback(*(Output(text_id, "children", allow_duplicate=True) for text_id in WHATIF_TEXTS),
                  *(Input(slider, "value") for slider in SLIDERS), State(ids.LEVERS_STORE, "data"),
                  prevent_initial_call=True)
    def project_whatif(*values: Any) -> tuple[str, ...]:
        """A slider moved: no database here, the levers come from the store."""
        *changes, stored = values
        return _projected(_levers(stored) if stored else None, changes)

    app.clientside_callback(
        f"function () {{ return {PRESET_AVERAGE_DEAL}; }}",
        Output(ids.WHATIF_AVERAGE_DEAL, "value"),
        Input(ids.WHATIF_PRESET, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("crm", "toggleClicked"),
        Output(ids.FILTER_ASSIGNEE, "value", allow_duplicate=True),
        Input(ids.GRAPH_ASSIGNEES, "clickData"),
        State(ids.FILTER_ASSIGNEE, "value"),
        prevent_initial_call=True,
    )
