"""Thin wiring: inputs -> a filter value -> a service call -> a layout function.

A filter change is one request (`callbacks/dashboard.py` answers every figure and the grid's first page);
paging, sorting and the scope switch reach only the grid's rows (tests/test_callback_calls.py counts the
requests and the service calls to keep it that way).
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Dash

from callbacks import (
    dashboard,
    deadlines,
    deal_form,
    demo,
    exports,
    filter_options,
    guard,
    importing,
    performance,
    since_visit,
    url_state,
)
from callbacks.exports import LinkSigner
from callbacks.import_seal import PreviewSeal
from domain.accounts import Actor
from services.accounts import Accounts
from services.exports import DealExports
from services.imports import ImportService
from services.performance import PerformanceReads
from services.reads import DealReads
from services.writes import DealWrites


def register_callbacks(app: Dash, reads: DealReads, writes: DealWrites, imports: ImportService, seal: PreviewSeal,
                       max_files: int, actor: Callable[[], Actor | None], deal_exports: DealExports,
                       export_link: LinkSigner, performance_reads: PerformanceReads, accounts: Accounts,
                       signed_in: Callable[[], int | None]) -> None:
    """Attach every callback of both pages to `app`; `actor` says who asks, inside a request (None: solo mode);
    `export_link` signs an export's download path for the account asking. A callback whose outputs are on the
    other page is not called (Dash calls none whose outputs are absent)."""
    guard.register(app)
    url_state.register(app)
    filter_options.register(app, reads)
    dashboard.register(app, reads)
    deadlines.register(app, reads)
    demo.register(app, reads, writes, actor)
    importing.register(app, imports, seal, max_files, actor)
    deal_form.register(app, reads, writes, actor)
    exports.register(app, deal_exports, export_link)
    since_visit.register(app, reads, accounts, signed_in)
    performance.register(app, performance_reads)
