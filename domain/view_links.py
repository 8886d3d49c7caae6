"""Links to a view of the dashboard: its address with the selection in the query string.

The same spelling as the browser writes it (assets/url_state.js `encode`): stages by their URL slug in funnel
order, then sectors, salespeople, due dates (`du`, `au`), missing data (`manque`) and the text search (`q`),
so a link sent by e-mail opens the dashboard on exactly that selection; then the deadline grid's scope (`vue`:
"Froids", "7 prochains jours"…), which the page reads when it opens and the browser keeps in the URL.
"""

from __future__ import annotations

from urllib.parse import urlencode

from domain.deal_filter import DealFilter
from domain.pipeline_results import DeadlineScope
from domain.stages import STAGES

SLUG_BY_NAME: dict[str, str] = {stage.name: stage.slug for stage in STAGES}
VIEW = "vue"
SCOPE_SLUGS: dict[DeadlineScope, str] = {DeadlineScope.OVERDUE: "en-retard", DeadlineScope.NEXT_7_DAYS: "7-jours",
                                         DeadlineScope.NEXT_30_DAYS: "30-jours", DeadlineScope.COLD: "froids"}
SCOPE_BY_SLUG: dict[str, DeadlineScope] = {slug: scope for scope, slug in SCOPE_SLUGS.items()}


def scope_of(slug: str | None) -> DeadlineScope:
    """The grid's scope a `vue=` value names; every deal (`ALL`) for none or an unknown one."""
    return SCOPE_BY_SLUG.get(slug or "", DeadlineScope.ALL)


def view_query(selection: DealFilter, scope: DeadlineScope = DeadlineScope.ALL) -> str:
    """`?statut=negociation&du=2026-11-21&vue=froids`, or "" for the whole book in the grid's first scope (stages
    without a slug are left out)."""
    pairs = [("statut", SLUG_BY_NAME[stage]) for stage in selection.stages if stage in SLUG_BY_NAME]
    pairs += [("secteur", sector) for sector in selection.sectors]
    pairs += [("commercial", assignee) for assignee in selection.assignees]
    pairs += [(name, day.isoformat()) for name, day in (("du", selection.due_from), ("au", selection.due_to)) if day]
    pairs += [("manque", missing) for missing in selection.missing]
    pairs += [("q", selection.search)] if selection.search else []
    pairs += [(VIEW, SCOPE_SLUGS[scope])] if scope in SCOPE_SLUGS else []
    return f"?{urlencode(pairs)}" if pairs else ""


def view_url(public_url: str, selection: DealFilter, scope: DeadlineScope = DeadlineScope.ALL) -> str:
    """The dashboard's page at `public_url` (PUBLIC_URL) showing `selection`, its grid on `scope`."""
    return f"{public_url.rstrip('/')}/{view_query(selection, scope)}"
