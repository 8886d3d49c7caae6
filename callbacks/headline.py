"""Headline figures and the demo-data badge (foundation version)."""

from __future__ import annotations

from dash import Dash, Input, Output, no_update

from layouts import ids
from services import formatting
from services.deal_service import DealService
from services.errors import DatabaseUnavailableError
from services.filters import DealFilter

HIDDEN, SHOWN = {"display": "none"}, {}


def register(app: Dash, service: DealService) -> None:
    """Fill the headline cards on load and whenever the data version changes."""

    @app.callback(
        Output(ids.KPI_DEAL_COUNT, "children"),
        Output(ids.KPI_WEIGHTED_PIPELINE, "children"),
        Output(ids.DEMO_BADGE, "style"),
        Output(ids.DEMO_REMOVE, "style"),
        Output(ids.APP_ALERT, "children"),
        Output(ids.APP_ALERT, "is_open"),
        Input(ids.DATA_VERSION, "data"),
    )
    def show_headline(_version: str | None) -> tuple:
        try:
            kpis = service.kpis(DealFilter())
            demo = SHOWN if service.has_demo_data() else HIDDEN
        except DatabaseUnavailableError as error:
            return no_update, no_update, no_update, no_update, str(error), True
        return (formatting.count(kpis.deal_count), formatting.euros(kpis.weighted_pipeline), demo, demo,
                None, False)

    @app.callback(
        Output(ids.DATA_VERSION, "data"),
        Input(ids.DEMO_REMOVE, "n_clicks"),
        prevent_initial_call=True,
    )
    def remove_demo(_clicks: int) -> str:
        service.remove_demo_data()
        return service.cache.data_version()
