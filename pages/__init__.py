"""The Dash pages (`/`, `/performance`), registered by app.py with what their layouts need.

Registered from the entry point rather than found in a pages folder: each layout is built per page load for
the signed-in account (a read-only one gets no control that writes), so it needs the settings and the account,
which only app.py holds.
"""

from __future__ import annotations

from typing import Any

from dash import State

# `dash.page_container`'s store, which holds the title of the page shown (Dash's router writes it).
SHOWN_PAGE_STORE = "_pages_store"
# Handed to every page layout as `shown_page` by Dash's router (Dash(routing_callback_inputs=...)).
ROUTING_INPUTS = {"shown_page": State(SHOWN_PAGE_STORE, "data")}


def already_shown(shown_page: dict[str, Any] | None, title: str) -> bool:
    """Whether the router is asked for the page already on screen: the query string changed (a filter change
    undone by back or forward), not the page. Dash's router would rebuild the page from scratch, racing the
    figures the filter change already asked for; the page returns `no_update` instead and stays as it is."""
    return bool(shown_page) and shown_page.get("title") == title
