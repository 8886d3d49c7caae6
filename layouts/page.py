"""The page skeleton (foundation version: headline figures and the demo-data badge)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids


def _kpi(title: str, value_id: str) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.Div(title, className="text-muted small"),
                                  html.Div("—", id=value_id, className="fs-3 fw-semibold")]))


def page_layout() -> dbc.Container:
    """Built per page load, so a new visitor always gets fresh figures."""
    return dbc.Container(
        [
            dcc.Store(id=ids.DATA_VERSION),
            html.Div(
                [
                    html.H1("Tableau de bord CRM", className="h3 mb-0 me-3"),
                    dbc.Badge("données de démonstration", id=ids.DEMO_BADGE, color="warning", className="me-2",
                              style={"display": "none"}),
                    dbc.Button("Retirer les données de démonstration", id=ids.DEMO_REMOVE, size="sm",
                               color="link", style={"display": "none"}),
                ],
                className="d-flex align-items-center my-3",
            ),
            dbc.Alert(id=ids.APP_ALERT, is_open=False, color="danger"),
            dbc.Row(
                [
                    dbc.Col(_kpi("Deals", ids.KPI_DEAL_COUNT), md=3),
                    dbc.Col(_kpi("Pipeline pondéré", ids.KPI_WEIGHTED_PIPELINE), md=3),
                ],
                className="g-3",
            ),
        ],
        fluid=True,
    )
