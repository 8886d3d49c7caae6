"""The deadline grid: an AG Grid on the infinite row model, so the browser only ever holds one page.

The grid asks for rows with `getRowsRequest` (start, end, sort model); the callback answers with one page
formatted here. Sorting happens in the database, so cells can be French text (`12 345,67 €`, `21/11/2026`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from domain import formatting
from domain.pipeline_results import DEADLINE_PAGE_SIZE, DeadlineCounts, DeadlineRow, DeadlineScope
from domain.stages import STAGE_NAMES
from domain.staleness import ColdRule
from layouts import ids

# Past the last row a page is empty; beyond this an offset would overflow the databases' integers.
MAX_OFFSET = 2**31 - 1
MAX_ROWS_PER_REQUEST = 100
ROW_HEIGHT = 36
OVERDUE_CLASS, SOON_CLASS, COLD_CLASS = "deadline-overdue", "deadline-soon", "deadline-cold"
SCOPE_LABELS: dict[DeadlineScope, str] = {
    DeadlineScope.ALL: "Toutes",
    DeadlineScope.OVERDUE: "En retard",
    DeadlineScope.NEXT_7_DAYS: "7 prochains jours",
    DeadlineScope.NEXT_30_DAYS: "30 prochains jours",
    DeadlineScope.COLD: "Froids",
}
# Edited in place with a double click (a single click on another cell opens the deal form); the server checks
# the value with the form's rules and puts the old one back when it refuses it.
EDITABLE_FIELDS = frozenset({"statut", "montant_brut", "date_echeance"})
COLUMNS: tuple[dict[str, Any], ...] = (  # minimum widths fit the grid on a 1366 px wide laptop screen
    {"field": "client", "headerName": "Client", "flex": 2, "minWidth": 95},
    {"field": "statut", "headerName": "Statut", "minWidth": 110, "editable": True,
     "cellEditor": "agSelectCellEditor", "cellEditorParams": {"values": list(STAGE_NAMES)}},
    {"field": "montant_brut", "headerName": "Montant brut", "type": "rightAligned", "minWidth": 120,
     "editable": True},
    {"field": "valeur_ponderee", "headerName": "Valeur pondérée", "type": "rightAligned", "minWidth": 135},
    {"field": "secteur", "headerName": "Secteur", "minWidth": 120},
    {"field": "assignee", "headerName": "Commercial", "minWidth": 120},
    {"field": "date_echeance", "headerName": "Échéance", "sort": "asc", "minWidth": 125, "editable": True},
    {"field": "days_left", "headerName": "Jours restants", "type": "rightAligned", "minWidth": 120},
    {"field": "cold_days", "headerName": "Froid", "type": "rightAligned", "minWidth": 72, "sortable": False,
     "headerTooltip": "Deal froid : jours depuis le dernier changement de son historique"},
)
SORTABLE_FIELDS = frozenset(column["field"] for column in COLUMNS if column.get("sortable", True))
FRENCH_GRID_TEXT = {
    "page": "Page", "of": "sur", "to": "à", "more": "plus", "pageLastRowUnknown": "?",
    "firstPage": "Première page", "previousPage": "Page précédente", "nextPage": "Page suivante",
    "lastPage": "Dernière page", "loadingOoo": "Chargement…", "noRowsToShow": "Aucune échéance dans cette sélection",
    "ariaSortAscending": "tri croissant", "ariaSortDescending": "tri décroissant",
}


def deadline_grid(editable: bool = True) -> dag.AgGrid:
    """The grid, paged by the server; red rows are overdue, amber rows fall due in the next 30 days.

    Rows are known by their position (no `getRowId`): a filter change refreshes the cached page in place,
    and with ids AG Grid dropped a row that the old and the new page both held at different positions. It
    keeps one page only, so a refresh asks for the page on screen and not for every page visited. A read-only
    account gets no cell editor (the server refuses its edits anyway).
    """
    return dag.AgGrid(
        id=ids.TABLE_DEADLINES,
        rowModelType="infinite",
        columnDefs=[column if editable else {**column, "editable": False} for column in COLUMNS],
        defaultColDef={"sortable": True, "resizable": True, "flex": 1, "suppressHeaderMenuButton": True},
        rowClassRules={OVERDUE_CLASS: "params.data && params.data.overdue",
                       SOON_CLASS: "params.data && params.data.next30",
                       COLD_CLASS: "params.data && params.data.cold"},
        dashGridOptions={
            "pagination": True, "paginationPageSize": DEADLINE_PAGE_SIZE, "paginationPageSizeSelector": False,
            "cacheBlockSize": DEADLINE_PAGE_SIZE, "maxBlocksInCache": 1, "maxConcurrentDatasourceRequests": 1,
            "infiniteInitialRowCount": DEADLINE_PAGE_SIZE,
            "rowHeight": ROW_HEIGHT, "headerHeight": 40, "localeText": FRENCH_GRID_TEXT, "animateRows": False,
            # The paging counts in French digit grouping ("sur 12 345"); AG Grid writes "12,345" by itself.
            "paginationNumberFormatter": {"function": "params.value.toLocaleString('fr-FR')"},
        },
        style={"height": f"{DEADLINE_PAGE_SIZE * ROW_HEIGHT + 100}px", "width": "100%"},
    )


def scope_options(counts: DeadlineCounts | None) -> list[dict[str, str]]:
    """The scope switch's choices, each labelled with its row count (no count before the first answer)."""
    def label(scope: DeadlineScope) -> str:
        if counts is None:
            return SCOPE_LABELS[scope]
        return f"{SCOPE_LABELS[scope]} ({formatting.count(counts.for_scope(scope))})"

    return [{"label": label(scope), "value": scope.value} for scope in DeadlineScope]


def scope_switch(scope: DeadlineScope = DeadlineScope.ALL) -> dbc.RadioItems:
    """All / overdue / next 7 days / next 30 days / cold, drawn as toggle buttons; `scope` chosen first (a link's
    `vue=`)."""
    return dbc.RadioItems(
        id=ids.DEADLINES_SCOPE, options=scope_options(None), value=scope.value,
        className="scope-switch", inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary btn-sm", labelCheckedClassName="active",
    )


def legend(cold_rule: ColdRule) -> html.Div:
    """What the row colours and marks mean; the swatches are drawn by CSS (`.deadline-legend::before` and the
    spans'), few components rather than one per swatch."""
    return html.Div([
        "En retard (statut ouvert, échéance passée)",
        html.Span("Échéance dans les 30 prochains jours", className="legend-soon-item ms-3"),
        html.Span(f"Froid : aucun changement depuis plus de {cold_rule.days} jours (colonne « Froid »)",
                  className="legend-cold-item ms-3"),
    ], className="deadline-legend small text-muted mt-2")


def grid_row(row: DeadlineRow) -> dict[str, Any]:
    """One grid row: French text for display, the two urgency flags for the row colours."""
    return {
        "id": row.id,
        "version": row.version,
        "client": row.client,
        "statut": row.statut,
        "montant_brut": formatting.deal_amount(row.montant_brut, cents=True),
        "valeur_ponderee": formatting.deal_amount(row.valeur_ponderee, cents=True),
        "secteur": row.secteur or formatting.NO_VALUE,
        "assignee": row.assignee or formatting.NO_VALUE,
        "date_echeance": formatting.day(row.date_echeance),
        "days_left": formatting.count(row.days_left),
        "cold_days": "" if row.cold_days is None else f"{formatting.count(row.cold_days)} j",
        "overdue": row.is_overdue,
        "next30": row.is_next_30_days,
        "cold": row.cold_days is not None,
    }


def grid_response(rows: Sequence[DeadlineRow], total: int) -> dict[str, Any]:
    """The `getRowsResponse` for one page; the total lets the grid show its page count."""
    return {"rowData": [grid_row(row) for row in rows], "rowCount": total}


def rows_from_server(asked_at: int) -> dict[str, int]:
    """A `grid-first-page` value without rows: the grid asks the server for page 1 again (a refused edit in the
    grid puts the stored value back that way). The time makes each such value new."""
    return {"askedAt": asked_at}


def requested_sort(request: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
    """The grid's sort model as the service's (column, descending) pairs; unknown columns are dropped."""
    return tuple(
        (item["colId"], item.get("sort") == "desc")
        for item in request.get("sortModel") or ()
        if item.get("colId") in SORTABLE_FIELDS
    )


def sort_model(sort: tuple[tuple[str, bool], ...]) -> list[dict[str, str]]:
    """The service's (column, descending) pairs back as the grid's sort model, to label a page with its sort."""
    return [{"colId": column, "sort": "desc" if descending else "asc"} for column, descending in sort]


def requested_window(request: Mapping[str, Any]) -> tuple[int, int]:
    """(offset, limit) of the requested rows, bounded so a crafted request cannot ask for the whole table."""
    start = min(max(int(request.get("startRow") or 0), 0), MAX_OFFSET)
    end = int(request.get("endRow") or start + DEADLINE_PAGE_SIZE)
    return start, min(max(end - start, 0), MAX_ROWS_PER_REQUEST)
