"""The filter controls' options, and the actions that write into them: reset and chart clicks.

Actions only change the controls; every output then follows the controls like any other change, so a click
is visible in the filter panel, lands in the URL and is undone by reset.
"""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update

from callbacks.guard import guarded_callback
from callbacks.selection import EMPTY_VALUES, FILTER_PROPS
from layouts import ids
from layouts.filters import dropdown_options
from services.deal_service import DealService


def clicked_label(click: dict[str, Any] | None) -> str | None:
    """The label of the clicked bar (bars are keyed on their label, which a horizontal bar carries as `y`)."""
    points = (click or {}).get("points") or []
    return points[0].get("y") if points else None


def toggled(values: list[str] | None, label: str) -> list[str]:
    """The selection with `label` added, or removed if it was there: a second click undoes the first."""
    current = list(values or [])
    return [value for value in current if value != label] if label in current else [*current, label]


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

    @app.callback(
        *(Output(component, prop, allow_duplicate=True) for component, prop in FILTER_PROPS),
        Input(ids.FILTER_RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    def reset(_clicks: int) -> tuple:
        return EMPTY_VALUES

    @app.callback(
        Output(ids.FILTER_SECTOR, "value", allow_duplicate=True),
        Input(ids.GRAPH_SECTORS, "clickData"),
        Input(ids.GRAPH_TOP_SECTORS, "clickData"),
        State(ids.FILTER_SECTOR, "value"),
        prevent_initial_call=True,
    )
    def toggle_sector(sectors_click: dict | None, top_click: dict | None, chosen: list[str] | None) -> Any:
        label = clicked_label(sectors_click if ctx.triggered_id == ids.GRAPH_SECTORS else top_click)
        return toggled(chosen, label) if label else no_update

    @app.callback(
        Output(ids.FILTER_STATUS, "value", allow_duplicate=True),
        Input(ids.GRAPH_FUNNEL, "clickData"),
        State(ids.FILTER_STATUS, "value"),
        prevent_initial_call=True,
    )
    def toggle_stage(click: dict | None, chosen: list[str] | None) -> Any:
        label = clicked_label(click)
        return toggled(chosen, label) if label else no_update

    app.clientside_callback(
        ClientsideFunction("crm", "toggle"),
        Output(ids.FILTERS_COLLAPSE, "is_open"),
        Input(ids.FILTERS_TOGGLE, "n_clicks"),
        State(ids.FILTERS_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
