"""The performance page at `/performance`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dash

from layouts.performance import performance_content


def register(default_period: Callable[[], tuple[date, date]]) -> None:
    """Register `/performance`; `default_period()` is the stage movement's period until one is picked."""

    def layout(**_query: str) -> list[Any]:
        """Per visit of the page; the query string is the filters', applied by callbacks/url_state.py."""
        return performance_content(default_period())

    dash.register_page(__name__, path="/performance", name="Performance", title="Performance — CRM", layout=layout)
