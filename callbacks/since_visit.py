"""'Since your last visit': at page load, the browser hands over the time of its previous visit and keeps the new
one; the server answers with the changes of that period, or leaves the panel closed on a first visit. With
sign-in on, the period is the account's instead, whichever browser it uses: the server swaps the account's
stored visit time for now (`Accounts.swap_last_visit`) and ignores the browser's.

The stored time only chooses the period (`domain.visit_changes.visit_period_start` bounds it); the figures come
from the database's history. Both callbacks run once per page load, never on a filter change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dash import Dash, Input, Output, State, no_update

from callbacks.guard import guarded_callback
from domain.visit_changes import visit_period_start
from layouts import ids
from layouts.since_visit import since_visit_content
from services.accounts import Accounts
from services.reads import DealReads


def register(app: Dash, service: DealReads, accounts: Accounts, signed_in: Callable[[], int | None]) -> None:
    """The browser's side (swap the stored visit time for now) and the server's (the period's changes);
    `signed_in()` is the account asking (None in solo mode), whose own last visit then chooses the period."""
    app.clientside_callback(
        "function (_panel, previous) { return [previous || null, new Date().toISOString()]; }",
        Output(ids.VISIT_PERIOD, "data"),
        Output(ids.LAST_VISIT, "data"),
        Input(ids.SINCE_LAST_VISIT, "id"),
        State(ids.LAST_VISIT, "data"),
    )

    @guarded_callback(
        app,
        Output(ids.SINCE_LAST_VISIT, "children"),
        Output(ids.SINCE_LAST_VISIT, "is_open"),
        Input(ids.VISIT_PERIOD, "data"),
        prevent_initial_call=True,
    )
    def show_changes(browser_visit: Any) -> tuple:
        now = datetime.now(UTC).replace(tzinfo=None)
        account_id = signed_in()
        if account_id is None:
            since = visit_period_start(browser_visit, now)
        else:
            previous = accounts.swap_last_visit(account_id, now)
            since = None if previous is None else visit_period_start(previous.isoformat(), now)
        if since is None:
            return no_update, no_update
        return since_visit_content(service.visit_changes(since)), True
