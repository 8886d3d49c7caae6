"""The filter state in the URL query string, so a view can be reloaded, bookmarked, shared and navigated.

The controls stay the single source of truth: one callback, both ways, so there is no loop. A control
change writes the query string (a new history entry); a page load or back/forward (the query string
changes on its own) writes the controls, and the figures follow the controls as for any other change.
The dropdowns' options are inputs too, because a dropdown drops any value missing from its options: the
URL is applied once the options are there, not before.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode

from dash import Dash, Input, Output, ctx, no_update

from callbacks.selection import FILTER_PROPS, FilterValues, filter_inputs
from data.stages import STAGE_NAMES, STAGES
from layouts import ids

SLUG_OF = {stage.name: stage.slug for stage in STAGES}
NAME_OF = {stage.slug: stage.name for stage in STAGES}
OPTION_IDS = (ids.FILTER_STATUS, ids.FILTER_SECTOR, ids.FILTER_ASSIGNEE)
VALUE_PROPS = frozenset(f"{component}.{prop}" for component, prop in FILTER_PROPS)
STAGE_KEY, SECTOR_KEY, ASSIGNEE_KEY, FROM_KEY, TO_KEY = "statut", "secteur", "commercial", "du", "au"


def _iso_day(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None


def canonical(values: FilterValues) -> FilterValues:
    """One spelling of a selection: stages in funnel order, other values sorted, dates as `YYYY-MM-DD`."""
    stages, sectors, assignees, due_from, due_to = values
    chosen = set(stages or ())
    return ([name for name in STAGE_NAMES if name in chosen], sorted(set(sectors or ())),
            sorted(set(assignees or ())), _iso_day(due_from), _iso_day(due_to))


def encode(values: FilterValues) -> str:
    """`?statut=gagne&secteur=Banque&du=2026-11-01`, or "" when nothing is selected."""
    stages, sectors, assignees, due_from, due_to = canonical(values)
    pairs = [(STAGE_KEY, SLUG_OF[name]) for name in stages]
    pairs += [(SECTOR_KEY, value) for value in sectors] + [(ASSIGNEE_KEY, value) for value in assignees]
    pairs += [(key, value) for key, value in ((FROM_KEY, due_from), (TO_KEY, due_to)) if value]
    return f"?{urlencode(pairs)}" if pairs else ""


def decode(search: str | None) -> FilterValues:
    """The selection a query string describes; unknown keys, stages and malformed dates are ignored."""
    query = parse_qs((search or "").lstrip("?"))
    stages = [NAME_OF[slug] for slug in query.get(STAGE_KEY, []) if slug in NAME_OF]
    return canonical((stages, query.get(SECTOR_KEY, []), query.get(ASSIGNEE_KEY, []),
                      next(iter(query.get(FROM_KEY, [])), None), next(iter(query.get(TO_KEY, [])), None)))


def register(app: Dash) -> None:
    """Mirror the controls into the URL and the URL (page load, back, forward) into the controls."""

    @app.callback(
        Output(ids.URL, "search"),
        *(Output(component, prop) for component, prop in FILTER_PROPS),
        Input(ids.URL, "search"),
        *filter_inputs(),
        *(Input(component, "options") for component in OPTION_IDS),
    )
    def sync_url(search: str | None, *values_and_options: object) -> tuple:
        values = values_and_options[:len(FILTER_PROPS)]
        unchanged = (no_update,) * len(FILTER_PROPS)
        if not VALUE_PROPS & set(ctx.triggered_prop_ids):  # page load, back/forward, new options
            wanted = decode(search)
            return (no_update, *(unchanged if wanted == canonical(values) else wanted))  # type: ignore[arg-type]
        written = encode(values)  # type: ignore[arg-type]
        return (no_update if written == (search or "") else written, *unchanged)
