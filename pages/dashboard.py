"""The dashboard at `/`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import no_update

from domain.staleness import ColdRule
from domain.view_links import scope_of
from layouts.page import dashboard_content
from pages import already_shown

TITLE = "Tableau de bord CRM"


def register(upload_max_bytes: int, read_only: Callable[[], bool], cold_rule: ColdRule) -> None:
    """Register `/`; `read_only()` says, inside the request, whether the account asking may not write;
    `cold_rule` is when a deal is cold (`STALE_DAYS`)."""

    def layout(shown_page: dict[str, Any] | None = None, vue: str | None = None, **_query: str) -> Any:
        """Per visit of the page; the query string's filters are applied by callbacks/url_state.py, its `vue=`
        (the grid's scope, as the digest's links name it) here."""
        if already_shown(shown_page, TITLE):
            return no_update
        return dashboard_content(upload_max_bytes, read_only(), cold_rule, scope_of(vue))

    dash.register_page(__name__, path="/", name="Tableau de bord", title=TITLE, layout=layout)
