"""The deadline grid: one page per request from the service, the scope switch's counts, and the data-health
card (its overdue count is the scope switch's, so one callback answers both).

Paging and sorting reach only `answer_rows` (the filters are read as State, not inputs). A filter, scope
or data change marks the grid's cached pages stale in the browser, which makes the grid ask again from
page 1 (assets/dashboard.js `refreshGrid`).
"""

from __future__ import annotations

from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State

from callbacks.guard import guarded_callback
from callbacks.selection import filter_inputs, filter_states, selection
from domain.pipeline_results import DeadlineScope
from layouts import ids
from layouts.data_health import health_links
from layouts.deadlines import grid_response, requested_sort, requested_window, scope_options
from services.reads import DealReads


def register(app: Dash, service: DealReads) -> None:
    """Grid rows on request, counts on filter change, grid refresh on filter, scope or data change."""

    @guarded_callback(
        app,
        Output(ids.TABLE_DEADLINES, "getRowsResponse"),
        Input(ids.TABLE_DEADLINES, "getRowsRequest"),
        *filter_states(),
        State(ids.DEADLINES_SCOPE, "value"),
        prevent_initial_call=True,
    )
    def answer_rows(request: dict[str, Any], *values: object) -> dict[str, Any]:
        *filters, scope = values
        offset, limit = requested_window(request)
        page = service.deadlines(selection(*filters), DeadlineScope(scope), requested_sort(request),  # type: ignore[arg-type]
                                 offset, limit)
        return grid_response(page.rows, page.total)

    links = {"type": ids.DATA_HEALTH_LINK, "key": ALL}

    @guarded_callback(
        app,
        Output(ids.DEADLINES_SCOPE, "options"),
        Output(links, "children"),
        Output(links, "className"),
        Output(links, "disabled"),
        Input(ids.DATA_VERSION, "data"),
        *filter_inputs(),
    )
    def count_deadlines_and_gaps(_version: str | None, *values: object) -> tuple:
        deal_filter = selection(*values)  # type: ignore[arg-type]
        health = service.data_health(deal_filter)
        return (scope_options(service.deadline_counts(deal_filter)), *health_links(health, deal_filter.missing))

    app.clientside_callback(
        ClientsideFunction("crm", "refreshGrid"),
        Input(ids.DATA_VERSION, "data"),
        Input(ids.DEADLINES_SCOPE, "value"),
        *filter_inputs(),
        prevent_initial_call=True,
    )
