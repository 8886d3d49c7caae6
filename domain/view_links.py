"""Links to a view of the dashboard: its address with the selection in the query string.

The same spelling as the browser writes it (assets/url_state.js `encode`): stages by their URL slug in funnel
order, then sectors, salespeople, due dates (`du`, `au`), missing data (`manque`) and the text search (`q`),
so a link sent by e-mail opens the dashboard on exactly that selection. The grid's scope ("Froids", "7
prochains jours") is not part of the URL: a link selects deals with the filters only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from domain.deal_filter import DealFilter
from domain.stages import STAGES

SLUG_BY_NAME: dict[str, str] = {stage.name: stage.slug for stage in STAGES}


def view_query(selection: DealFilter) -> str:
    """`?statut=negociation&du=2026-11-21`, or "" for the whole book (stages without a slug are left out)."""
    pairs = [("statut", SLUG_BY_NAME[stage]) for stage in selection.stages if stage in SLUG_BY_NAME]
    pairs += [("secteur", sector) for sector in selection.sectors]
    pairs += [("commercial", assignee) for assignee in selection.assignees]
    pairs += [(name, day.isoformat()) for name, day in (("du", selection.due_from), ("au", selection.due_to)) if day]
    pairs += [("manque", missing) for missing in selection.missing]
    pairs += [("q", selection.search)] if selection.search else []
    return f"?{urlencode(pairs)}" if pairs else ""


def view_url(public_url: str, selection: DealFilter) -> str:
    """The dashboard's page at `public_url` (PUBLIC_URL) showing `selection`."""
    return f"{public_url.rstrip('/')}/{view_query(selection)}"
