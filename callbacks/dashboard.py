"""Every figure of a selection in one answer: the KPI cards (the cold-deal count among them), the three charts, the
scope counts, the data-health card and the deadline grid's first page.

A filter or data change costs the browser one request. Each query still runs once (the service caches it,
and the KPI cards, the funnel and the counts share the per-stage totals); outputs whose value did not change
are not sent (`callbacks/changed_outputs.py`), so the renderer and Plotly redraw only what changed.

A chart does not filter itself: the funnel is drawn over every stage and the sector charts over every sector,
with the chosen ones highlighted and the rest dimmed, so an unchosen bar stays visible and clickable. All
other filters apply as everywhere else.

The grid's first page rides along in `grid-first-page` with the scope and sort it was read with;
assets/dashboard.js shows it without asking the server, and asks only when the grid's sort or scope no longer
match. Until the grid has asked for rows once (its own request at page load), no page is sent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dash import ALL, Dash, Input, Output, State, no_update

from callbacks.changed_outputs import changed_only
from callbacks.guard import guarded_callback
from callbacks.selection import filter_inputs, selection
from domain import formatting
from domain.deal_filter import DealFilter
from domain.pipeline_results import DEADLINE_PAGE_SIZE, DeadlineScope
from layouts import ids
from layouts.data_health import health_links
from layouts.deadlines import grid_response, requested_sort, scope_options, sort_model
from layouts.figures import funnel_figure, sectors_figure, top_sectors_figure
from layouts.kpis import NOTE_IDS, VALUE_IDS, kpi_texts, selection_message, without_amount_note
from services.reads import DealReads

HEALTH_LINKS = {"type": ids.DATA_HEALTH_LINK, "key": ALL}


def register(app: Dash, service: DealReads) -> None:
    """One callback answers every output that follows the filters and the data."""

    @guarded_callback(
        app,
        *(Output(value_id, "children") for value_id in VALUE_IDS),
        *(Output(note_id, "children") for note_id in NOTE_IDS.values()),
        Output(ids.KPI_STALE, "children"),
        Output(ids.SELECTION_MESSAGE, "children"),
        Output(ids.GRAPH_FUNNEL, "figure"),
        Output(ids.GRAPH_SECTORS, "figure"),
        Output(ids.GRAPH_TOP_SECTORS, "figure"),
        Output(ids.DEADLINES_SCOPE, "options"),
        Output(HEALTH_LINKS, "children"),
        Output(HEALTH_LINKS, "className"),
        Output(HEALTH_LINKS, "disabled"),
        Output(ids.SHOWN_OUTPUTS, "data"),
        Output(ids.GRID_FIRST_PAGE, "data"),
        Input(ids.DATA_VERSION, "data"),
        *filter_inputs(),
        State(ids.DEADLINES_SCOPE, "value"),
        State(ids.TABLE_DEADLINES, "getRowsRequest"),
        State(ids.SHOWN_OUTPUTS, "data"),
    )
    def refresh_dashboard(_version: str | None, *values: Any) -> tuple:
        *filters, scope, grid_request, shown = values
        deal_filter = selection(*filters)
        answered, digests = changed_only(_figures(service, deal_filter), shown)
        page = no_update if grid_request is None else _first_page(service, deal_filter, scope, grid_request)
        return (*answered, digests, page)


def _figures(service: DealReads, deal_filter: DealFilter) -> tuple:
    """Every output's value but the grid's, in the callback's output order."""
    kpis = service.kpis(deal_filter)
    note = without_amount_note(kpis)
    sectors = service.sectors(replace(deal_filter, sectors=()))
    health = service.data_health(deal_filter)
    counts = service.deadline_counts(deal_filter)
    return (
        *kpi_texts(kpis),
        *(note for _ in NOTE_IDS),
        formatting.count(counts.cold_deals),
        selection_message(kpis, filtered=deal_filter != DealFilter()),
        funnel_figure(service.funnel(replace(deal_filter, stages=())), deal_filter.stages),
        sectors_figure(sectors.totals, deal_filter.sectors),
        top_sectors_figure(sectors.top_by_average, deal_filter.sectors, any_deal=bool(sectors.totals)),
        scope_options(counts),
        *health_links(health, deal_filter.missing),
    )


def _first_page(service: DealReads, deal_filter: DealFilter, scope: str, grid_request: dict[str, Any]) -> dict:
    """Page 1 of the grid in the sort of its last request, labelled with that sort and the scope."""
    sort = requested_sort(grid_request)
    page = service.deadlines(deal_filter, DeadlineScope(scope), sort, 0, DEADLINE_PAGE_SIZE)
    return {**grid_response(page.rows, page.total), "scope": scope, "sortModel": sort_model(sort)}
