"""The page skeleton: the frame every page shares (header, filter side bar, navigation) and the dashboard page
(KPI cards, charts, deadline grid and upload area).

Every output starts in its empty state ("—", "Chargement…") at its final size, so the first answers and
later redraws fill it in place without moving the page. An output whose answer is late (250 ms) is dimmed,
with a spinner over the charts, by assets/dashboard.css from the `data-dash-is-loading` mark Dash puts on it
(assets/01-slow-answers.js says when an answer is late); no `dcc.Loading` wrapper, because each one re-reads
the renderer's whole update log on every store update, which made every filter change slower in the browser.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from domain.pipeline_results import DeadlineScope
from domain.staleness import DEFAULT_COLD_RULE, ColdRule
from layouts import deadlines, ids
from layouts.app_alert import app_alert
from layouts.data_health import data_health_card
from layouts.deal_form import deal_form
from layouts.export_controls import export_controls
from layouts.figures import GRAPH_CONFIG, LOADING, empty_figure
from layouts.filter_panel import filter_panel
from layouts.import_panel import import_panel
from layouts.kpis import kpi_cards
from layouts.since_visit import since_visit_panel

CHART_HEIGHT = "320px"


def _sign_out() -> html.Form:
    """A plain form: signing out is a POST to Flask's `/logout` (auth/guard.py), not a callback."""
    return html.Form(dbc.Button("Se déconnecter", type="submit", size="sm", color="secondary", outline=True),
                     action="/logout", method="post", id=ids.SIGN_OUT)


def _header(sign_out: bool, read_only: bool, admin: bool) -> html.Div:
    return html.Div([
        html.H1("Tableau de bord CRM", className="h4 mb-0 me-3"),
        dbc.Badge("données de démonstration", id=ids.DEMO_BADGE, color="warning", text_color="dark",
                  className="me-2", style={"display": "none"}),
        dbc.Button("Retirer les données de démonstration", id=ids.DEMO_REMOVE, size="sm", color="link",
                   className="px-0", style={"display": "none"}),
        dbc.Button("Nouveau deal", id=ids.DEAL_NEW, size="sm", color="primary", className="ms-auto",
                   style={"display": "none"} if read_only else None),
        dbc.Button("Filtres", id=ids.FILTERS_TOGGLE, size="sm",
                   color="primary", outline=True, className="d-lg-none"),
        *([html.A("Comptes", href="/admin/comptes", id=ids.ADMIN_LINK, className="btn btn-sm btn-link")]
          if admin else []),
        *([_sign_out()] if sign_out else []),
    ], className="d-flex flex-wrap align-items-center gap-1 py-3")


def _chart_card(title: str, graph_id: str) -> html.Section:
    return html.Section([
        html.H2(title, className="h6 mb-2"),
        dcc.Graph(id=graph_id, figure=empty_figure(LOADING), config=GRAPH_CONFIG, className="loads-in-place",
                  style={"height": CHART_HEIGHT}),
    ], className="card chart-card")


CLICK_HINT = "Cliquez sur une barre pour filtrer ; cliquez à nouveau pour retirer."


def _charts() -> html.Div:
    """The three chart cards in a CSS grid (dashboard.css): plain elements rather than Row/Col/Card
    components, because each component costs the renderer work on every store update of a filter change. The
    click hint, the same for the three, is said once above them (one component rather than three)."""
    return html.Div([
        _chart_card("Funnel : valeur pondérée par étape", ids.GRAPH_FUNNEL),
        _chart_card("Montant brut par secteur", ids.GRAPH_SECTORS),
        _chart_card("Top 5 secteurs par panier moyen", ids.GRAPH_TOP_SECTORS),
    ], className="chart-grid")


def _deadlines(read_only: bool, cold_rule: ColdRule, scope: DeadlineScope) -> html.Section:
    return html.Section([
        html.Div([html.H2("Échéances", className="h6 mb-0 me-3"), deadlines.scope_switch(scope), *export_controls()],
                 className="d-flex flex-wrap align-items-center gap-2 mb-2"),
        deadlines.deadline_grid(editable=not read_only),
        deadlines.legend(cold_rule),
    ], className="card chart-card mt-3")


def dashboard_content(upload_max_bytes: int, read_only: bool = False, cold_rule: ColdRule = DEFAULT_COLD_RULE,
                      scope: DeadlineScope = DeadlineScope.ALL) -> list[Component]:
    """The dashboard page (`/`) inside the shared frame: its stores, cards, charts, grid and upload area (a list,
    not a wrapper: every component costs the renderer work on each update); `cold_rule`: when a deal is cold
    (`STALE_DAYS`), for the cold-deal card's tooltip and the grid's legend; `scope`: the grid's first scope."""
    return [
        dcc.Store(id=ids.SHOWN_OUTPUTS),
        dcc.Store(id=ids.GRID_FIRST_PAGE),
        kpi_cards(cold_rule),
        data_health_card(),
        html.Div(id=ids.SELECTION_MESSAGE, className="selection-message"),
        html.P(CLICK_HINT, className="chart-hint mt-3 mb-0"),
        _charts(),
        _deadlines(read_only, cold_rule, scope),
        import_panel(upload_max_bytes, shown=not read_only),
    ]


def _navigation() -> html.Nav:
    """Links between the pages: `dcc.Link`, so moving stays in the browser (the filters keep their values);
    callbacks/url_state.py keeps their query string on the current selection."""
    return html.Nav([
        dcc.Link("Tableau de bord", href="/", id=ids.NAV_DASHBOARD, className="nav-link px-2"),
        dcc.Link("Performance", href="/performance", id=ids.NAV_PERFORMANCE, className="nav-link px-2"),
    ], id=ids.PAGE_NAV, className="nav page-nav mb-2")


def page_frame(content: Component | list[Component], sign_out: bool = False, read_only: bool = False,
               admin: bool = False, navigation: bool = True) -> dbc.Container:
    """The frame every page shares, built per page load: header, app-wide stores and messages, the deal form,
    the filter side bar and the navigation, with `content` (a page, or Dash's page container) beside the
    filters. The filters live here, outside the pages, so their values survive moving between pages."""
    return dbc.Container([
        dcc.Store(id=ids.URL_HISTORY),
        dcc.Store(id=ids.DATA_VERSION),
        dcc.Store(id=ids.DB_STATUS),
        _header(sign_out, read_only, admin),
        *([_navigation()] if navigation else []),
        app_alert(),
        *since_visit_panel(),
        deal_form(),
        dbc.Row([
            dbc.Col(dbc.Collapse(filter_panel(), id=ids.FILTERS_COLLAPSE, is_open=False),
                    xs=12, lg="auto", className="filters-column mb-3"),
            dbc.Col(content, xs=12, lg=True, className="main-column"),
        ]),
    ], fluid=True, className="pb-4")


def page_layout(upload_max_bytes: int, sign_out: bool = False, read_only: bool = False,
                admin: bool = False) -> dbc.Container:
    """The dashboard in its frame, with the navigation (what tests/test_layouts.py weighs); the app serves the
    frame around Dash's page container instead (app.py), which adds its own few components. `sign_out`: the
    header's sign-out button (AUTH=on); `read_only`: no control that writes (a `lecture` account); `admin`: the
    link to the accounts page (an admin signed in)."""
    return page_frame(dashboard_content(upload_max_bytes, read_only), sign_out, read_only, admin)
