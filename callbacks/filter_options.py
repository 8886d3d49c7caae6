"""The filter controls' options, and the actions that write into them: reset, chart clicks and the data-health
card's links.

Actions only change the controls; every output then follows the controls like any other change, so a click
is visible in the filter panel, lands in the URL and is undone by reset. The actions run in the browser
(assets/dashboard.js): they need no data, and a server round trip would delay every click's redraw.
"""

from __future__ import annotations

import json
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State

from callbacks.changed_outputs import unless_shown
from callbacks.guard import guarded_callback
from callbacks.selection import EMPTY_VALUES, FILTER_PROPS
from layouts import ids
from layouts.filter_panel import dropdown_options
from services.reads import DealReads

# Which filter a click on which charts toggles: the sector bars (both charts) and the funnel's stages.
CLICK_TARGETS = (
    (ids.FILTER_SECTOR, (ids.GRAPH_SECTORS, ids.GRAPH_TOP_SECTORS)),
    (ids.FILTER_STATUS, (ids.GRAPH_FUNNEL,)),
)


def register(app: Dash, service: DealReads) -> None:
    """Options read from the data; reset; cross-filtering clicks; the phone's filter toggle."""

    @guarded_callback(
        app,
        Output(ids.FILTER_STATUS, "options"),
        Output(ids.FILTER_SECTOR, "options"),
        Output(ids.FILTER_ASSIGNEE, "options"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.FILTER_STATUS, "options"),
        State(ids.FILTER_SECTOR, "options"),
        State(ids.FILTER_ASSIGNEE, "options"),
    )
    def fill_options(_version: str | None, *shown: list[dict[str, str]] | None) -> tuple[Any, ...]:
        options = service.filter_options()
        fresh = (dropdown_options(options.stages), dropdown_options(options.sectors),
                 dropdown_options(options.assignees))
        return tuple(unless_shown(value, current) for value, current in zip(fresh, shown, strict=True))

    app.clientside_callback(
        f"function () {{ return {json.dumps(EMPTY_VALUES)}; }}",
        *(Output(component, prop, allow_duplicate=True) for component, prop in FILTER_PROPS),
        Input(ids.FILTER_RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("crm", "toggleMissing"),
        Output(ids.FILTER_MISSING, "value", allow_duplicate=True),
        Input({"type": ids.DATA_HEALTH_LINK, "key": ALL}, "n_clicks"),
        State(ids.FILTER_MISSING, "value"),
        prevent_initial_call=True,
    )
    for control, graphs in CLICK_TARGETS:
        app.clientside_callback(
            ClientsideFunction("crm", "toggleClicked"),
            Output(control, "value", allow_duplicate=True),
            *(Input(graph, "clickData") for graph in graphs),
            State(control, "value"),
            prevent_initial_call=True,
        )

    app.clientside_callback(
        ClientsideFunction("crm", "toggle"),
        Output(ids.FILTERS_COLLAPSE, "is_open"),
        Input(ids.FILTERS_TOGGLE, "n_clicks"),
        State(ids.FILTERS_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
