"""The deadline grid: one page per request from the service.

Paging, sorting and the scope switch reach only `answer_rows` (the filters are read as State, not inputs).
A filter or data change sends page 1 with the figures (`callbacks/dashboard.py`), which the browser shows
without a request of its own (assets/dashboard.js `showFirstPage`); a scope change makes the grid ask again
from page 1 (`refreshGrid`) and writes the scope in the URL (`vue=`, assets/url_state.js `writeView`). Those two
are one callback: Dash names a callback without output after its inputs, so a second one on the scope alone
would silently replace the first.
"""

from __future__ import annotations

import json
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State

from callbacks.guard import guarded_callback
from callbacks.selection import filter_states, selection
from domain.pipeline_results import DeadlineScope
from domain.view_links import SCOPE_SLUGS
from layouts import ids
from layouts.deadlines import grid_response, requested_sort, requested_window
from services.reads import DealReads


def register(app: Dash, service: DealReads) -> None:
    """Grid rows on request; page 1 shown from the figures' answer; a new request from page 1 on a scope change."""

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

    app.clientside_callback(
        ClientsideFunction("crm", "showFirstPage"),
        Input(ids.GRID_FIRST_PAGE, "data"),
        State(ids.DEADLINES_SCOPE, "value"),
        prevent_initial_call=True,
    )
    slugs = json.dumps({scope.value: slug for scope, slug in SCOPE_SLUGS.items()})
    app.clientside_callback(
        f"function (scope) {{ window.dash_clientside.crm.refreshGrid(); "
        f"window.crmUrlState.writeView({slugs}, scope); }}",
        Input(ids.DEADLINES_SCOPE, "value"),
        prevent_initial_call=True,
    )
