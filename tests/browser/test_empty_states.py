"""No deals at all, or none matching the filters: "—", a French explanation, charts without empty axes."""

from __future__ import annotations

from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from tests.browser import page
from tests.browser.conftest import dashboard_app
from tests.browser.deals import STAGES, Row, expected_kpis, option_label

pytestmark = pytest.mark.browser
GRAPHS = ("graph-funnel", "graph-sectors", "graph-top-sectors")


def _message_only(dash_duo: DashComposite, graph_id: str) -> str | None:
    """The chart's message if it draws no axis and no trace, else None."""
    return dash_duo.driver.execute_script(
        "const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "if (!plot || plot.data.length || plot.layout.xaxis.visible !== false) return null;"
        "return plot.layout.annotations[0].text;",
        f"#{graph_id}",
    )


def _assert_empty_page(dash_duo: DashComposite, explanation: str) -> None:
    page.wait_for_texts(dash_duo, expected_kpis([]))
    until(lambda: explanation in page.text(dash_duo, "selection-message"), timeout=page.TIMEOUT)
    for graph_id in GRAPHS:
        until(lambda graph_id=graph_id: _message_only(dash_duo, graph_id) not in (None, "Chargement…"),
              timeout=page.TIMEOUT)
    assert page.scope_labels(dash_duo) == ["Toutes (0)", "En retard (0)", "7 prochains jours (0)",
                                                  "30 prochains jours (0)", "Froids (0)"]
    dash_duo.wait_for_contains_text("#table-deadlines", "Aucune échéance", timeout=page.TIMEOUT)


def test_empty_database_shows_dashes_and_says_why(
    dash_duo: DashComposite, fixed_today: date, sqlite_url: str
) -> None:
    dash_duo.start_server(dashboard_app(sqlite_url, []))

    _assert_empty_page(dash_duo, "Aucun deal dans la base")
    assert "NaN" not in dash_duo.find_element("body").text
    assert dash_duo.get_logs() == []


def test_filters_matching_nothing_show_dashes_and_say_why(dashboard: DashComposite, deals: list[Row]) -> None:
    present = {(row.statut, row.sector_label) for row in deals}
    stage, sector = next((stage, sector) for stage in STAGES for sector in ("Banque", "Santé", "Logiciel")
                         if (stage, sector) not in present)
    page.choose(dashboard, "filter-status", option_label(stage, deals, lambda row: row.statut))
    page.choose(dashboard, "filter-sector", option_label(sector, deals, lambda row: row.sector_label))

    page.wait_for_texts(dashboard, expected_kpis([]))
    until(lambda: "Aucun deal ne correspond" in page.text(dashboard, "selection-message"), timeout=page.TIMEOUT)
    assert page.scope_labels(dashboard) == ["Toutes (0)", "En retard (0)", "7 prochains jours (0)",
                                                  "30 prochains jours (0)", "Froids (0)"]
    assert "NaN" not in dashboard.find_element("body").text
    assert dashboard.get_logs() == []
