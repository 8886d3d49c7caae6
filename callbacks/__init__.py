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
    """Attach every callback of the page to `app`."""
    guard.register(app)
    url_state.register(app)
    filters.register(app, service)
    kpis.register(app, service)
    charts.register(app, service)
    deadlines.register(app, service)
    demo.register(app, service)
    importing.register(app, imports)
