"""The dashboard at `/`."""

from __future__ import annotations

from collections.abc import Callable

import dash
from dash.development.base_component import Component

from layouts.page import dashboard_content


def register(upload_max_bytes: int, read_only: Callable[[], bool]) -> None:
    """Register `/`; `read_only()` says, inside the request, whether the account asking may not write."""

    def layout(**_query: str) -> list[Component]:
        """Per visit of the page; the query string is the filters', applied by callbacks/url_state.py."""
        return dashboard_content(upload_max_bytes, read_only())

    dash.register_page(__name__, path="/", name="Tableau de bord", title="Tableau de bord CRM", layout=layout)
