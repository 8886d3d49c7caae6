"""Keep the page working while the database is down, and say so in `app-alert`.

A guarded callback that meets `DatabaseUnavailableError` leaves its outputs as they were and publishes the
service's French message in the `db-status` store; its next success clears it. A clientside callback shows
the store in the alert, so every data callback reports without sharing (and racing on) the alert's props.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update, set_props

from layouts import ids
from services.errors import DatabaseUnavailableError

F = TypeVar("F", bound=Callable[..., Any])


def _unchanged() -> Any:
    outputs = ctx.outputs_list
    return [no_update] * len(outputs) if isinstance(outputs, list) else no_update


def database_guard(callback: F) -> F:
    """Wrap a callback that reads the service: on an outage, change nothing and report it."""
    @wraps(callback)
    def guarded(*args: Any) -> Any:
        try:
            result = callback(*args)
        except DatabaseUnavailableError as error:
            set_props(ids.DB_STATUS, {"data": str(error)})
            return _unchanged()
        set_props(ids.DB_STATUS, {"data": None})
        return result

    return guarded  # type: ignore[return-value]


def register(app: Dash) -> None:
    """Show the outage message in `app-alert`; on recovery close it, unless it shows another message."""
    app.clientside_callback(
        ClientsideFunction("crm", "databaseAlert"),
        Output(ids.APP_ALERT, "children"),
        Output(ids.APP_ALERT, "is_open"),
        Input(ids.DB_STATUS, "data"),
        State(ids.APP_ALERT, "children"),
        prevent_initial_call=True,
    )
