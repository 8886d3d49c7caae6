"""Thin wiring: inputs -> a filter value -> a service call -> a layout function.

Each output has its own callback with only the inputs it needs, so an interaction redraws only what
depends on it (tests/test_callback_calls.py counts the service calls to keep it that way).
"""

from __future__ import annotations

from dash import Dash

from callbacks import charts, deadlines, demo, filters, guard, importing, kpis, url_state
from services.deal_service import DealService
from services.import_service import ImportService


def register_callbacks(app: Dash, service: DealService, imports: ImportService) -> None:
    """Attach every callback of the page to `app`.

    The order matters for speed: the renderer runs the callbacks that one change sets off in the order they were
    registered. The grid's refresh comes first because the grid asks for its rows one task later, and the URL
    write comes last because the history entry can wait until every request has left.
    """
    deadlines.register(app, service)
    guard.register(app)
    filters.register(app, service)
    kpis.register(app, service)
    charts.register(app, service)
    url_state.register(app)
    demo.register(app, service)
    importing.register(app, imports)
