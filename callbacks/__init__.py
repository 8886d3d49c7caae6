"""Thin wiring: inputs -> a filter value -> a service call -> a layout function.

Each output has its own callback with only the inputs it needs, so an interaction redraws only what
depends on it (tests/test_callback_calls.py counts the service calls to keep it that way).
"""

from __future__ import annotations

from dash import Dash

from callbacks import charts, deadlines, deal_form, demo, filter_options, guard, importing, kpis, url_state
from callbacks.import_seal import PreviewSeal
from services.imports import ImportService
from services.reads import DealReads
from services.writes import DealWrites


def register_callbacks(app: Dash, reads: DealReads, writes: DealWrites, imports: ImportService, seal: PreviewSeal,
                       max_files: int) -> None:
    """Attach every callback of the page to `app`."""
    guard.register(app)
    url_state.register(app)
    filter_options.register(app, reads)
    kpis.register(app, reads)
    charts.register(app, reads)
    deadlines.register(app, reads)
    demo.register(app, reads, writes)
    importing.register(app, imports, seal, max_files)
    deal_form.register(app, reads, writes)
