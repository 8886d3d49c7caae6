"""The data-health card: what the selected deals lack, each count a link that selects those deals.

A link writes its `manque=` value into the "Données à compléter" filter (assets/dashboard.js), so the whole
dashboard, the URL and reset follow it like any other filter; a second click takes it off again.
"""

from __future__ import annotations

from dash import html

from domain import formatting
from domain.deal_filter import MISSING_LABELS
from domain.pipeline_results import DataHealth
from layouts import ids

LINK_CLASS = "btn btn-link btn-sm health-link"
CHOSEN_CLASS = f"{LINK_CLASS} active"


def health_link_id(missing: str) -> dict[str, str]:
    """The pattern-matching ID of the link behind one `manque=` value."""
    return {"type": ids.DATA_HEALTH_LINK, "key": missing}


def data_health_card() -> html.Section:
    """The card with a link per gap, showing "—" until the first counts arrive."""
    links = [html.Button(f"{label} : {formatting.NO_VALUE}", id=health_link_id(missing), className=LINK_CLASS,
                         n_clicks=0, disabled=True, type="button")
             for missing, label in MISSING_LABELS.items()]
    # The title is plain text, not an element: every component costs the renderer work on each store update.
    return html.Section(["Données à compléter :", *links],
                        id=ids.DATA_HEALTH, className="card data-health")


def health_links(health: DataHealth, chosen: tuple[str, ...]) -> tuple[list[str], list[str], list[bool]]:
    """Each link's text, class (chosen ones stand out) and disabled flag, in `MISSING_LABELS` order. A link
    with nothing to select is disabled, unless it is chosen: a click must still be able to take it off."""
    texts, classes, disabled = [], [], []
    for missing, label in MISSING_LABELS.items():
        count = health.count_of(missing)
        texts.append(f"{label} : {formatting.count(count)}")
        classes.append(CHOSEN_CLASS if missing in chosen else LINK_CLASS)
        disabled.append(count == 0 and missing not in chosen)
    return texts, classes, disabled
