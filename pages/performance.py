"""The performance page at `/performance`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dash
from dash import no_update

from layouts.performance import performance_content
from pages import already_shown

TITLE = "Performance — CRM"


def register(default_period: Callable[[], tuple[date, date]]) -> None:
    """Register `/performance`; `default_period()` is the stage movement's period until one is picked."""

    def layout(shown_page: dict[str, Any] | None = None, **_query: str) -> Any:
        """Per visit of the page; the query string is the filters', applied by callbacks/url_state.py."""
        if already_shown(shown_page, TITLE):
            return no_update
        return performance_content(default_period())

    dash.register_page(__name__, path="/performance", name="Performance", title=TITLE, layout=layout)
