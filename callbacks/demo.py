"""The demo-data badge and its removal, which bumps the data version so every output redraws."""

from __future__ import annotations

from dash import Dash, Input, Output

from callbacks.guard import guarded_callback
from layouts import ids
from services.deal_service import DealService

HIDDEN: dict[str, str] = {"display": "none"}
SHOWN: dict[str, str] = {}


def register(app: Dash, service: DealService) -> None:
    """Show the badge while demo deals are present; remove them on request."""

    @guarded_callback(
        app,
        Output(ids.DEMO_BADGE, "style"),
        Output(ids.DEMO_REMOVE, "style"),
        Input(ids.DATA_VERSION, "data"),
    )
    def show_badge(_version: str | None) -> tuple[dict[str, str], dict[str, str]]:
        style = SHOWN if service.has_demo_data() else HIDDEN
        return style, style

    @guarded_callback(app, Output(ids.DATA_VERSION, "data"), Input(ids.DEMO_REMOVE, "n_clicks"),
                      prevent_initial_call=True)
    def remove_demo(_clicks: int) -> str:
        service.remove_demo_data()
        return service.cache.data_version()
