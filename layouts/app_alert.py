"""The app-wide message area (`app-alert`): a database outage, a deletion with its undo button, a refused
grid edit. Its text and its undo button are separate elements, so a message never removes the button."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids

HIDDEN: dict[str, str] = {"display": "none"}
SHOWN: dict[str, str] = {}
UNDO_SECONDS = 10


@dataclass(frozen=True)
class AlertView:
    """What the alert shows: text, Bootstrap colour, how long before it closes (None: until closed), and
    whether the undo button is offered."""

    text: str
    color: str = "info"
    seconds: int | None = None
    undo: bool = False

    def props(self) -> tuple[str, bool, str, int | None, dict[str, str]]:
        """The values of the alert's text, `is_open`, `color`, `duration` (ms) and the undo button's style."""
        return (self.text, True, self.color, self.seconds * 1000 if self.seconds else None,
                SHOWN if self.undo else HIDDEN)


def offers_undo(is_open: bool | None, undo_style: dict[str, str] | None) -> bool:
    """Whether the alert, as the browser shows it (its `is_open` and its undo button's style), offers an undo."""
    return bool(is_open) and undo_style != HIDDEN


def app_alert() -> dbc.Alert:
    """Closed and empty until something has to be said."""
    return dbc.Alert([
        html.Span(id=ids.APP_ALERT_TEXT),
        dbc.Button("Annuler", id=ids.DEAL_UNDO, size="sm", color="link", className="ms-2 p-0 align-baseline",
                   style=HIDDEN),
    ], id=ids.APP_ALERT, is_open=False, color="danger", dismissable=True, className="mb-3")
