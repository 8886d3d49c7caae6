"""The "Depuis votre dernière visite" panel: what changed in the pipeline since the previous visit from this
browser, shown once at page load and closed with its cross."""

from __future__ import annotations

from decimal import Decimal

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain import formatting
from domain.visit_changes import NamedCount, VisitChanges
from layouts import ids


def since_visit_panel() -> list:
    """The closed panel and its two stores: the time of the latest visit, kept by the browser (local storage), and
    the period the page asks about (that time as it was when the page opened)."""
    return [
        dcc.Store(id=ids.LAST_VISIT, storage_type="local"),
        dcc.Store(id=ids.VISIT_PERIOD),
        dbc.Alert(id=ids.SINCE_LAST_VISIT, is_open=False, dismissable=True, color="light",
                  className="since-last-visit mb-3"),
    ]


def _plural(count: int, one: str, many: str) -> str:
    return f"{formatting.count(count)} {one if count == 1 else many}"


def _line(named: NamedCount, one: str, many: str) -> html.Li | None:
    """`2 deals gagnés : Alpine SA, Vercors SA` (the latest clients, "…" when there are more), or None for none."""
    if not named.count:
        return None
    more = "…" if named.count > len(named.clients) else ""
    names = f" : {', '.join(named.clients)}{more}" if named.clients else ""
    return html.Li(f"{_plural(named.count, one, many)}{names}")


def _signed_euros(amount: Decimal) -> str:
    """`+12 500 €`, `-3 000 €`, `0 €`."""
    return f"{'+' if amount > 0 else ''}{formatting.euros(amount)}"


def since_visit_content(changes: VisitChanges) -> list:
    """The panel's text: the date of the previous visit, then the deals created, moved, won and lost and the
    weighted pipeline's change; "Rien de nouveau depuis le …" when nothing moved. Client names are text, never
    markup (Dash escapes them)."""
    when = formatting.moment(changes.since).replace(" ", " à ", 1)
    if changes.nothing_new:
        return [f"Rien de nouveau depuis le {when}."]
    lines = [
        _line(changes.created, "deal créé", "deals créés"),
        _line(changes.moved, "deal changé d'étape", "deals changés d'étape"),
        _line(changes.won, "deal gagné", "deals gagnés"),
        _line(changes.lost, "deal perdu", "deals perdus"),
        html.Li(f"Pipeline pondéré : {formatting.euros(changes.weighted_now)} "
                f"({_signed_euros(changes.weighted_now - changes.weighted_then)})"),
    ]
    return [html.Strong(f"Depuis votre dernière visite, le {when} :"),
            html.Ul([line for line in lines if line is not None], className="mb-0 mt-1")]
