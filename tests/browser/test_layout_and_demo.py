"""The page's frame: the filter panel folds away on a phone; removing demo deals redraws every output."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from data.demo import DEMO_PREFIX
from tests.browser import page
from tests.browser.conftest import dashboard_app
from tests.browser.deals import deadline_rows, expected_kpis, known_deals

pytestmark = pytest.mark.browser


def test_filter_panel_is_a_side_bar_on_a_laptop_and_folds_on_a_phone(dashboard: DashComposite) -> None:
    assert dashboard.find_element("#filter-status").is_displayed()
    assert not dashboard.find_element("#filters-toggle").is_displayed()

    dashboard.driver.set_window_size(390, 844)
    until(lambda: not dashboard.find_element("#filter-status").is_displayed(), timeout=page.TIMEOUT)
    page.press(dashboard, "#filters-toggle")

    until(lambda: dashboard.find_element("#filter-status").is_displayed(), timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []


def test_removing_demo_deals_keeps_the_users_and_redraws_everything(
    dash_duo: DashComposite, fixed_today: date, sqlite_url: str
) -> None:
    deals = known_deals()
    mine, demo = deals[:12], [replace(row, ref_externe=f"{DEMO_PREFIX}{row.id}") for row in deals[12:]]
    dash_duo.start_server(dashboard_app(sqlite_url, mine + demo))
    dash_duo.wait_for_text_to_equal("#demo-badge", "données de démonstration", timeout=page.TIMEOUT)
    page.wait_for_texts(dash_duo, expected_kpis(mine + demo))

    page.press(dash_duo, "#demo-remove")

    page.wait_for_texts(dash_duo, expected_kpis(mine))
    page.wait_for_grid(dash_duo, "client", [row.client for row in deadline_rows(mine)[:10]])
    until(lambda: not dash_duo.find_element("#demo-badge").is_displayed(), timeout=page.TIMEOUT)
    assert dash_duo.get_logs() == []


def test_sector_labels_are_never_cut_off(dashboard: DashComposite) -> None:
    """The bar charts' left margin is estimated from the labels' length (layouts/figures.label_margin)."""
    page.wait_idle(dashboard)
    cut = dashboard.driver.execute_script("""
        const cut = [];
        for (const id of ["graph-sectors", "graph-top-sectors"]) {
            const svg = document.querySelector("#" + id + " .main-svg").getBoundingClientRect();
            document.querySelectorAll("#" + id + " .ytick text").forEach((label) => {
                if (label.getBoundingClientRect().left < svg.left) { cut.push(id + ": " + label.textContent); }
            });
        }
        return cut;""")
    assert dashboard.find_elements("#graph-top-sectors .ytick text")
    assert cut == []
    assert dashboard.get_logs() == []
