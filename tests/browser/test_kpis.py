"""Every KPI card shows the figure computed independently over the known deals, in French format."""

from __future__ import annotations

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.remote.webelement import WebElement

from layouts.kpis import VALUE_IDS
from tests.browser import page
from tests.browser.deals import Row, expected_kpis

pytestmark = pytest.mark.browser


def test_every_kpi_shows_the_known_deals_figures_in_french(dashboard: DashComposite, deals: list[Row]) -> None:
    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert dashboard.get_logs() == []


def _bubble(dashboard: DashComposite, title: WebElement) -> tuple[str, str]:
    """The tooltip drawn under a KPI title (its `::before`): text, display."""
    return tuple(dashboard.driver.execute_script(
        "var bubble = getComputedStyle(arguments[0], '::before');"
        "return [bubble.content, bubble.display];", title))


def test_each_kpi_states_its_formula_in_a_tooltip(dashboard: DashComposite) -> None:
    titles = dashboard.find_elements(".kpi-formula")
    assert len(titles) == len(VALUE_IDS) + 1  # and the cold-deal card's, filled by the same answer
    win_rate = dashboard.find_element(".kpi-aside .kpi-formula")
    assert _bubble(dashboard, win_rate)[1] == "none"

    win_rate.click()

    until(lambda: _bubble(dashboard, win_rate)[1] == "block", timeout=page.TIMEOUT)
    text = _bubble(dashboard, win_rate)[0]
    assert "Gagné" in text and "Perdu" in text
    assert dashboard.get_logs() == []


@pytest.mark.parametrize("width", [1440, 1024, 800, 390])
def test_the_dashboard_does_not_scroll_sideways(dashboard: DashComposite, width: int) -> None:
    """At laptop, tablet and phone widths nothing (a hidden formula bubble at the end of a row included) makes the
    page wider than the window."""
    dashboard.driver.set_window_size(width, 900)
    page.wait_idle(dashboard)

    until(lambda: dashboard.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"), timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []
