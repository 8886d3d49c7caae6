"""The demo-data badge and its removal, which bumps the data version so every output redraws."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State

from callbacks.changed_outputs import unless_shown
from callbacks.guard import guarded_callback
from domain.accounts import Actor, may_administer
from layouts import ids
from services.reads import DealReads
from services.writes import DealWrites

HIDDEN: dict[str, str] = {"display": "none"}
SHOWN: dict[str, str] = {}


def register(app: Dash, reads: DealReads, writes: DealWrites, actor: Callable[[], Actor | None]) -> None:
    """Show the badge while demo deals are present; remove them on request."""

    @guarded_callback(
        app,
        Output(ids.DEMO_BADGE, "style"),
        Output(ids.DEMO_REMOVE, "style"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.DEMO_BADGE, "style"),
        State(ids.DEMO_REMOVE, "style"),
    )
    def show_badge(_version: str | None, *shown: dict[str, str] | None) -> tuple[Any, ...]:
        style = SHOWN if reads.has_demo_data() else HIDDEN
        fresh = (style, style if may_administer(actor()) else HIDDEN)
        return tuple(unless_shown(value, current) for value, current in zip(fresh, shown, strict=True))

    @guarded_callback(app, Output(ids.DATA_VERSION, "data"), Input(ids.DEMO_REMOVE, "n_clicks"),
                      prevent_initial_call=True)
    def remove_demo(_clicks: int) -> str:
        writes.remove_demo(actor())
        return writes.data_version()
