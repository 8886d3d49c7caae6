"""The performance page (`/performance`): velocity and what-if, per salesperson, forecast, stage movement.

Pure functions: the page's components in their empty state ("—", "Chargement…"), the grid's rows and the
French texts of the velocity, its levers and the what-if projection. The filters are the frame's
(layouts/page.py), shared with the dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from domain import formatting
from domain.performance_results import AssigneePerformance, VelocityLevers
from domain.velocity import PRESET_AVERAGE_DEAL, Projection
from layouts import ids
from layouts.figures import GRAPH_CONFIG, LOADING, empty_figure

CHART_HEIGHT = "380px"
FORECAST_HEIGHT = "600px"  # two panels one above the other (layouts/performance_figures.py)
SLIDER_RANGE = 50  # each what-if lever moves from -50 % to +50 %
NO_WON_CYCLE = "aucun deal gagné avec historique"
FROM_CREATION_NOTE = ("Les deals sans historique (importés avant le suivi des changements) comptent depuis leur "
                      "date de création. Durée moyenne : séjours terminés dans l'étape.")
TREND_NOTE = ("Fin de chaque semaine (lundi 0 h UTC) ; la semaine en cours : maintenant. Les deals importés sans "
              "historique comptent depuis leur date de création.")
LEVER_NAMES = ("Deals ouverts", "Panier moyen", "Taux de gain", "Cycle moyen")
WHATIF_SLIDERS = (
    (ids.WHATIF_AVERAGE_DEAL, "Panier moyen"),
    (ids.WHATIF_WIN_RATE, "Taux de gain"),
    (ids.WHATIF_CYCLE, "Cycle de vente"),
    (ids.WHATIF_DEAL_COUNT, "Nombre de deals ouverts"),
)
# Field, header, the field of its French text (none: shown as it is) and the narrowest width that shows that text
# whole ("3 522 435 €", "185,1 jours"); wider screens share the rest in the same proportions.
ASSIGNEE_COLUMNS = (
    ("assignee", "Commercial", None, 140),
    ("open_gross", "Pipeline brut", "open_gross_text", 120),
    ("open_weighted", "Pipeline pondéré", "open_weighted_text", 120),
    ("won_amount", "Montant gagné", "won_amount_text", 120),
    ("won", "Gagnés", "won_text", 90),
    ("lost", "Perdus", "lost_text", 90),
    ("win_rate", "Taux de gain", "win_rate_text", 90),
    ("average_deal", "Panier moyen", "average_deal_text", 110),
    ("average_cycle_days", "Cycle moyen", "average_cycle_text", 115),
    ("stale", "Deals froids", "stale_text", 90),
)
# The salesperson's whole name, kept in view while a narrow screen scrolls the figures sideways (a pinned
# column takes its width: it does not share the rest).
NAME_COLUMN = {"pinned": "left"}


def _chart(title: str, graph_id: str, *extra: Any, note: str | None = None, height: str = CHART_HEIGHT) -> html.Section:
    return html.Section([
        html.Div([html.H2(title, className="h6 mb-0 me-3"), *extra],
                 className="d-flex flex-wrap align-items-center gap-2 mb-2"),
        dcc.Graph(id=graph_id, figure=empty_figure(LOADING), config=GRAPH_CONFIG, className="loads-in-place",
                  style={"height": height}),
        *([html.Small(note, className="text-muted")] if note else []),
    ], className="card chart-card mt-3")


def _slider(slider_id: str, label: str) -> html.Div:
    marks = {-SLIDER_RANGE: f"−{SLIDER_RANGE} %", 0: "0", SLIDER_RANGE: f"+{SLIDER_RANGE} %"}
    return html.Div([html.Label(label, htmlFor=slider_id, className="form-label small mb-0"),
                     dcc.Slider(id=slider_id, min=-SLIDER_RANGE, max=SLIDER_RANGE, step=1, value=0, marks=marks,
                                updatemode="drag")],  # the issue: "updated as the sliders move"
                    className="whatif-slider")


def _velocity_card() -> html.Section:
    return html.Section([
        html.Div([
            html.Div([html.H2("Vitesse de vente", className="h6 mb-1"),
                      html.Div([html.Span("—", id=ids.KPI_VELOCITY, className="kpi-value me-1"),
                                html.Span("par jour", className="text-muted")]),
                      html.Small("deals ouverts × panier moyen × taux de gain ÷ cycle moyen",
                                 className="text-muted d-block mb-2"),
                      html.Ul(lever_items(None), id=ids.VELOCITY_LEVERS, className="list-unstyled small mb-0")],
                     className="velocity-now"),
            html.Div([html.H2("Simulation", className="h6 mb-1"),
                      *(_slider(slider_id, label) for slider_id, label in WHATIF_SLIDERS),
                      dbc.Button(f"+{PRESET_AVERAGE_DEAL} % panier moyen", id=ids.WHATIF_PRESET, size="sm",
                                 color="primary", outline=True, className="mt-1"),
                      html.Div(whatif_result(), id=ids.WHATIF_RESULT, className="small mt-2")],
                     className="velocity-whatif"),
        ], className="velocity-grid"),
        dcc.Store(id=ids.LEVERS_STORE),
    ], className="card chart-card")


def assignee_grid() -> dag.AgGrid:
    """Sortable in the browser (a few rows per salesperson): each column sorts on its number and shows the
    French text the server wrote beside it."""
    columns = [{"field": field, "headerName": header, "sortable": True, "minWidth": width,
                **({"valueFormatter": {"function": f"params.data.{text}"}, "type": "rightAligned", "flex": width}
                   if text else {**NAME_COLUMN, "width": width, "tooltipField": field})}
               for field, header, text, width in ASSIGNEE_COLUMNS]
    return dag.AgGrid(id=ids.TABLE_ASSIGNEES, columnDefs=columns, rowData=[],
                      defaultColDef={"resizable": True, "wrapHeaderText": True,
                                     "autoHeaderHeight": True},
                      dashGridOptions={"domLayout": "autoHeight", "suppressCellFocus": True,
                                       "localeText": {"noRowsToShow": "Aucun commercial dans cette sélection"}},
                      className="ag-theme-alpine", style={"width": "100%"})


def performance_content(period: tuple[date, date]) -> list[Any]:
    """The page in its empty state; `period` is the stage movement's default (the last 12 months)."""
    start, end = period
    picker = dcc.DatePickerRange(id=ids.STAGE_PERIOD, start_date=start, end_date=end, display_format="DD/MM/YYYY",
                                 start_date_id=ids.STAGE_PERIOD_FROM, end_date_id=ids.STAGE_PERIOD_TO,
                                 first_day_of_week=1, start_date_placeholder_text="Début",
                                 end_date_placeholder_text="Fin", className="stage-period")
    return [
        dcc.Store(id=ids.PERFORMANCE_SHOWN_OUTPUTS),
        _velocity_card(),
        _chart("Par commercial : pipeline ouvert", ids.GRAPH_ASSIGNEES,
               html.Small("Cliquez sur un commercial pour filtrer ; cliquez à nouveau pour retirer.",
                          className="text-muted")),
        html.Section(assignee_grid(), className="card chart-card mt-3"),
        _chart("Prévision par mois de clôture", ids.GRAPH_FORECAST, height=FORECAST_HEIGHT),
        _chart("Tendance : pipeline ouvert des 26 dernières semaines", ids.GRAPH_TREND, note=TREND_NOTE),
        _chart("Passage d'étape", ids.GRAPH_STAGE_CONVERSION, html.Small("Période :", className="text-muted"),
               picker, note=FROM_CREATION_NOTE),
    ]


def assignee_rows(people: Sequence[AssigneePerformance]) -> list[dict[str, Any]]:
    """One grid row per salesperson: numbers to sort on, French texts to show ("—" for a win rate with no
    closed deal, never 0 %)."""
    return [{
        "assignee": p.assignee,
        "open_gross": float(p.open_gross), "open_gross_text": formatting.euros(p.open_gross),
        "open_weighted": float(p.open_weighted), "open_weighted_text": formatting.euros(p.open_weighted),
        "won_amount": float(p.won_amount), "won_amount_text": formatting.euros(p.won_amount),
        "won": p.won, "won_text": formatting.count(p.won), "lost": p.lost, "lost_text": formatting.count(p.lost),
        "win_rate": None if p.win_rate is None else float(p.win_rate), "win_rate_text": formatting.percent(p.win_rate),
        "average_deal": None if p.average_deal is None else float(p.average_deal),
        "average_deal_text": formatting.euros(p.average_deal),
        "average_cycle_days": None if p.average_cycle_days is None else float(p.average_cycle_days),
        "average_cycle_text": formatting.days(p.average_cycle_days),
        "stale": p.stale, "stale_text": formatting.count(p.stale),
    } for p in people]


def lever_texts(levers: VelocityLevers | None) -> tuple[str, str, str, str]:
    """The four levers in French, in `LEVER_NAMES` order; a cycle with no won deal says so."""
    if levers is None:
        return (formatting.NO_VALUE,) * 4
    cycle = (formatting.days(levers.average_cycle_days) if levers.average_cycle_days is not None
             else f"{formatting.NO_VALUE} ({NO_WON_CYCLE})")
    return (formatting.count(levers.open_deals), formatting.euros(levers.average_deal),
            formatting.percent(levers.win_rate), cycle)


def lever_items(levers: VelocityLevers | None) -> list[html.Li]:
    """The levers beside the velocity."""
    return [html.Li([f"{name} : ", html.Strong(text)]) for name, text in zip(LEVER_NAMES, lever_texts(levers),
                                                                             strict=True)]


def whatif_texts(projection: Projection | None) -> tuple[str, str, str, str]:
    """Projected velocity, today's, projected weighted pipeline, today's: the texts of `whatif_result`."""
    if projection is None:
        return (formatting.NO_VALUE,) * 4
    return (formatting.euros(projection.projected_velocity), formatting.euros(projection.velocity),
            formatting.euros(projection.projected_weighted_pipeline), formatting.euros(projection.weighted_pipeline))


def whatif_result() -> list[html.Div]:
    """Projected velocity and weighted pipeline against today's, in elements the what-if fills in place."""
    return [
        html.Div(["Vitesse projetée : ", html.Strong("—", id=ids.WHATIF_VELOCITY), " par jour (aujourd'hui : ",
                  html.Span("—", id=ids.WHATIF_VELOCITY_NOW), ")"]),
        html.Div(["Pipeline pondéré projeté : ", html.Strong("—", id=ids.WHATIF_PIPELINE), " (aujourd'hui : ",
                  html.Span("—", id=ids.WHATIF_PIPELINE_NOW), ")"]),
    ]
