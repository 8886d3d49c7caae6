"""Every KPI card shows the figure computed independently over the known deals, in French format."""

from __future__ import annotations

import pytest
from dash.testing.composite import DashComposite

from tests.browser import page
from tests.browser.deals import Row, expected_kpis

pytestmark = pytest.mark.browser


def test_every_kpi_shows_the_known_deals_figures_in_french(dashboard: DashComposite, deals: list[Row]) -> None:
    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert dashboard.get_logs() == []


def test_each_kpi_states_its_formula_in_a_tooltip(dashboard: DashComposite) -> None:
    dashboard.find_element("#kpi-win-rate-info").click()
    dashboard.wait_for_contains_text(".tooltip", "Gagné", timeout=page.TIMEOUT)
    assert "Perdu" in dashboard.find_element(".tooltip").text
    assert dashboard.get_logs() == []
