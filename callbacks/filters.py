"""The filter controls' options, and the actions that write into them: reset and chart clicks.

Actions only change the controls; every output then follows the controls like any other change, so a click
is visible in the filter panel, lands in the URL and is undone by reset. The actions run in the browser
(assets/dashboard.js): they need no data, and a server round trip would delay every click's redraw.
"""

from __future__ import annotations

import json

from dash import ClientsideFunction, Dash, Input, Output, State

from callbacks.guard import guarded_callback
from callbacks.selection import EMPTY_VALUES, FILTER_PROPS
from layouts import ids
from layouts.filters import dropdown_options
from services.deal_service import DealService


def register(app: Dash, service: DealService) -> None:
    """Options read from the data; reset; cross-filtering clicks; the phone's filter toggle."""

    @guarded_callback(
        app,
        Output(ids.FILTER_STATUS, "options"),
        Output(ids.FILTER_SECTOR, "options"),
        Output(ids.FILTER_ASSIGNEE, "options"),
        Input(ids.DATA_VERSION, "data"),
    )
    def fill_options(_version: str | None) -> tuple[list[dict[str, str]], ...]:
        options = service.filter_options()
        return (dropdown_options(options.stages), dropdown_options(options.sectors),
                dropdown_options(options.assignees))

    app.clientside_callback(
        f"function () {{ return {json.dumps(EMPTY_VALUES)}; }}",
        *(Output(component, prop, allow_duplicate=True) for component, prop in FILTER_PROPS),
        Input(ids.FILTER_RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("crm", "toggleClicked"),
        Output(ids.FILTER_SECTOR, "value", allow_duplicate=True),
        Input(ids.GRAPH_SECTORS, "clickData"),
        Input(ids.GRAPH_TOP_SECTORS, "clickData"),
        State(ids.FILTER_SECTOR, "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("crm", "toggleClicked"),
        Output(ids.FILTER_STATUS, "value", allow_duplicate=True),
        Input(ids.GRAPH_FUNNEL, "clickData"),
        State(ids.FILTER_STATUS, "value"),
        prevent_initial_call=True,
    )

    app.clientside_callback(
        ClientsideFunction("crm", "toggle"),
        Output(ids.FILTERS_COLLAPSE, "is_open"),
        Input(ids.FILTERS_TOGGLE, "n_clicks"),
        State(ids.FILTERS_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
