"""The deadline grid: one page per request from the service, and the scope switch's counts.

Paging and sorting reach only `answer_rows` (the filters are read as State, not inputs). A filter, scope
or data change marks the grid's cached pages stale in the browser, which makes the grid ask again from
page 1 (assets/dashboard.js `refreshGrid`).
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State

from callbacks.guard import guarded_callback
from callbacks.selection import filter_inputs, filter_states, selection
from domain.pipeline_results import DeadlineScope
from layouts import ids
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

    @guarded_callback(app, Output(ids.DEADLINES_SCOPE, "options"), Input(ids.DATA_VERSION, "data"), *filter_inputs())
    def count_deadlines(_version: str | None, *values: object) -> list[dict[str, str]]:
        return scope_options(service.deadline_counts(selection(*values)))  # type: ignore[arg-type]

    app.clientside_callback(
        ClientsideFunction("crm", "refreshGrid"),
        Input(ids.DATA_VERSION, "data"),
        Input(ids.DEADLINES_SCOPE, "value"),
        *filter_inputs(),
        prevent_initial_call=True,
    )
