"""The filter panel: the text search (client, notes and reference, `q=` in the URL), stage, sector and
salesperson multi-selects, the due-date range, the missing data (the data-health card's links land here,
`manque=` in the URL) and reset.

These controls are the single source of truth of the selection: chart clicks, the reset button and the URL
all write into them, and every figure reads them.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain import formatting
from domain.deal_filter import MISSING_LABELS, SEARCH_MAX_LENGTH
from layouts import ids

DROPDOWN_LABELS = {
    "select_all": "Tout sélectionner", "deselect_all": "Tout désélectionner",
    "selected_count": "{num_selected} sélectionné(s)", "search": "Rechercher", "clear_search": "Effacer la recherche",
    "clear_selection": "Effacer la sélection", "no_options_found": "Aucune option",
}
FILTERS: tuple[tuple[str, str, str], ...] = (
    (ids.FILTER_STATUS, "Statut", "Tous"),
    (ids.FILTER_SECTOR, "Secteur", "Tous"),
    (ids.FILTER_ASSIGNEE, "Commercial", "Tous"),
)


def dropdown_options(values: Sequence[tuple[str, int]]) -> list[dict[str, str]]:
    """Options labelled "value (count)", in the service's order."""
    return [{"label": f"{value} ({formatting.count(count)})", "value": value} for value, count in values]


# The search is sent once typing pauses this long (or on Enter / leaving the field), not on every key.
SEARCH_DEBOUNCE_MS = 400
MISSING_FILTER = (ids.FILTER_MISSING, "Données à compléter", "Aucun filtre")
MISSING_OPTIONS = [{"label": label, "value": value} for value, label in MISSING_LABELS.items()]


def _dropdown(component_id: str, label: str, placeholder: str,
              options: list[dict[str, str]] | None = None) -> tuple[dbc.Label, dcc.Dropdown]:
    return (dbc.Label(label, html_for=component_id, className="filter-label"),
            dcc.Dropdown(id=component_id, multi=True, options=options or [], value=[], placeholder=placeholder,
                         labels=DROPDOWN_LABELS, maxHeight=280, searchable=options is None, className="mb-3"))


def filter_panel() -> html.Div:
    """The panel's controls, empty: the URL callback and the options callback fill them.

    A flat list of plain elements (no Card/CardBody or per-control wrappers): each component on the page
    costs the renderer work on every store update of a filter change.
    """
    return html.Div([
        html.H2("Filtres", className="h6 mb-3"),
        dbc.Label("Recherche", html_for=ids.FILTER_SEARCH, className="filter-label"),
        dbc.Input(id=ids.FILTER_SEARCH, type="search", value="", placeholder="Client, notes, référence…",
                  debounce=SEARCH_DEBOUNCE_MS, maxLength=SEARCH_MAX_LENGTH, autocomplete="off", className="mb-3"),
        *(element for spec in FILTERS for element in _dropdown(*spec)),
        dbc.Label("Échéance", html_for=ids.FILTER_DUE_FROM, className="filter-label"),
        dcc.DatePickerRange(
            id=ids.FILTER_DUE_DATES, display_format="DD/MM/YYYY", first_day_of_week=1, clearable=True,
            start_date_placeholder_text="Du", end_date_placeholder_text="Au", number_of_months_shown=1,
            start_date_id=ids.FILTER_DUE_FROM, end_date_id=ids.FILTER_DUE_TO, className="w-100 mb-3",
            # Each date applies as soon as it is taken: "Du" alone filters from that day on, as the field shows.
            updatemode="singledate",
        ),
        *_dropdown(*MISSING_FILTER, options=MISSING_OPTIONS),
        dbc.Button("Réinitialiser", id=ids.FILTER_RESET, color="secondary", outline=True, className="w-100"),
    ], className="card card-body filter-panel")
