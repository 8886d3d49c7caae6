"""Keep the page working while the database is down, and say so in `app-alert`.

A guarded callback that meets `DatabaseUnavailableError` leaves its outputs as they were and publishes the
service's French message in the `db-status` store. The store comes back with every guarded call as a
State, so a success clears it only when the browser shows a message: an ordinary filter change carries no
side update (each one costs the renderer a store update, a layout-path pass and a clientside callback).
A clientside callback shows the store in the alert, so every data callback reports without sharing (and
racing on) the alert's props.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update, set_props
from dash.dependencies import DashDependency

from domain.accounts import PermissionDeniedError
from domain.errors import DatabaseUnavailableError
from layouts import ids

F = TypeVar("F", bound=Callable[..., Any])
REFUSAL_SHOWN_MS = 8000


def _unchanged() -> Any:
    """`no_update` for every output; a pattern-matching output (ALL) takes one per matched component."""
    outputs = ctx.outputs_list
    if not isinstance(outputs, list):
        return no_update
    return [[no_update] * len(output) if isinstance(output, list) else no_update for output in outputs]


def guarded_callback(app: Dash, *dependencies: DashDependency, **options: Any) -> Callable[[F], F]:
    """`app.callback` for a callback that reads the database: on an outage, change nothing and report it; on a
    write the signed-in account's role does not allow (checked by the write service), change nothing and say why
    in `app-alert`.

    The wrapped function receives only its own dependencies' values; the `db-status` State is appended
    after them and consumed here.
    """
    def register(callback: F) -> F:
        @wraps(callback)
        def guarded(*args: Any) -> Any:
            *values, shown_status = args
            try:
                result = callback(*values)
            except DatabaseUnavailableError as error:
                set_props(ids.DB_STATUS, {"data": str(error)})
                return _unchanged()
            except PermissionDeniedError as refused:
                set_props(ids.APP_ALERT_TEXT, {"children": refused.message})
                set_props(ids.APP_ALERT, {"is_open": True, "color": "warning", "duration": REFUSAL_SHOWN_MS})
                return _unchanged()
            if shown_status is not None:
                set_props(ids.DB_STATUS, {"data": None})
            return result

        app.callback(*dependencies, State(ids.DB_STATUS, "data"), **options)(guarded)
        return callback

    return register


def register(app: Dash) -> None:
    """Show the outage message in `app-alert`; on recovery close it, unless it shows another message."""
    app.clientside_callback(
        ClientsideFunction("crm", "databaseAlert"),
        Output(ids.APP_ALERT_TEXT, "children"),
        Output(ids.APP_ALERT, "is_open"),
        Output(ids.APP_ALERT, "color"),
        Output(ids.APP_ALERT, "duration"),
        Output(ids.DEAL_UNDO, "style"),
        Input(ids.DB_STATUS, "data"),
        State(ids.APP_ALERT_TEXT, "children"),
        prevent_initial_call=True,
    )
