"""The page's frame: the filter panel folds away on a phone and stays in view on a laptop; the chosen values and
the deadline grid fit their space; removing demo deals redraws every output."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from data.demo import DEMO_PREFIX
from tests.browser import page
from tests.browser.conftest import dashboard_app
from tests.browser.deals import Row, deadline_rows, expected_kpis, known_deals, option_label

pytestmark = pytest.mark.browser


def test_filter_panel_is_a_side_bar_on_a_laptop_and_folds_on_a_phone(dashboard: DashComposite) -> None:
    assert dashboard.find_element("#filter-status").is_displayed()
    assert not dashboard.find_element("#filters-toggle").is_displayed()

    dashboard.driver.set_window_size(390, 844)
    until(lambda: not dashboard.find_element("#filter-status").is_displayed(), timeout=page.TIMEOUT)
    page.press(dashboard, "#filters-toggle")

    until(lambda: dashboard.find_element("#filter-status").is_displayed(), timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []


def test_filter_panel_stays_in_view_down_to_the_import_area(dashboard: DashComposite) -> None:
    page.into_view(dashboard, dashboard.find_element("#upload-csv"))

    top, bottom, window = dashboard.driver.execute_script("""
        const panel = document.getElementById("filter-status").closest(".filter-panel").getBoundingClientRect();
        return [panel.top, panel.bottom, window.innerHeight];""")
    assert dashboard.driver.execute_script("return window.scrollY") > 0
    assert top >= 0 and bottom <= window
    assert dashboard.get_logs() == []


def test_filter_panel_scrolls_with_the_page_on_a_short_screen(dashboard: DashComposite) -> None:
    """A sticky panel taller than the window would keep its reset button below the fold."""
    dashboard.driver.set_window_size(1440, 640)
    collapse = dashboard.find_element("#filters-collapse")
    until(lambda: collapse.value_of_css_property("position") == "static", timeout=page.TIMEOUT)
    dashboard.driver.set_window_size(1440, 900)
    until(lambda: collapse.value_of_css_property("position") == "sticky", timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []


def test_every_chosen_value_is_readable_in_the_side_bar(dashboard: DashComposite, deals: list[Row]) -> None:
    """Dash's dropdown shows one cut label beside an "N sélectionné(s)" badge; the side bar shows them all."""
    chosen = [option_label(sector, deals, lambda row: row.sector_label) for sector in ("Industrie", "Logiciel")]
    for label in chosen:
        page.choose(dashboard, "filter-sector", label)

    until(lambda: [item.text for item in dashboard.find_elements("#filter-sector .dash-dropdown-value-item")]
          == chosen, timeout=page.TIMEOUT)
    value = dashboard.find_element("#filter-sector .dash-dropdown-value")
    clipped = dashboard.driver.execute_script(
        "const e = arguments[0]; return e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight;", value)
    assert not clipped
    assert not dashboard.find_element("#filter-sector .dash-dropdown-value-count").is_displayed()
    assert dashboard.get_logs() == []


def test_deadline_grid_needs_no_side_scrolling_on_a_laptop(dashboard: DashComposite) -> None:
    """Down to a 1366 px wide screen, the most common laptop width below 1440."""
    dashboard.driver.set_window_size(1366, 768)

    def side_scroll() -> int:
        return dashboard.driver.execute_script("""
            const viewport = document.querySelector("#table-deadlines .ag-body-horizontal-scroll-viewport");
            return viewport.scrollWidth - viewport.clientWidth;""")

    until(lambda: dashboard.driver.execute_script("return window.innerWidth") == 1366, timeout=page.TIMEOUT)
    until(lambda: side_scroll() <= 0, timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []


CLIENTS_IN_VIEW = """const box = document.querySelector('#table-deadlines').getBoundingClientRect();
    return [...document.querySelectorAll('#table-deadlines .ag-row [col-id="client"]')]
    .filter(cell => { const r = cell.getBoundingClientRect(); return r.left >= box.left && r.right <= box.right; })
    .map(cell => cell.textContent);"""
FIRST_COLUMN = """const first = dash_ag_grid.getApi('table-deadlines').getColumnState()[0];
    return [first.colId, first.pinned, first.flex];"""


def test_a_phone_keeps_the_client_in_view_beside_the_due_dates(dashboard: DashComposite, deals: list[Row]) -> None:
    """At 390 px the deadline grid scrolls its columns sideways: scrolled to the days left, each row still says
    whose deal it is (the client column is pinned at the left on a narrow screen), and back on a laptop it is the
    first column again, sharing the width."""
    first_page = [row.client for row in deadline_rows(deals)[:10]]
    dashboard.driver.set_window_size(390, 844)
    until(lambda: dashboard.driver.execute_script("return window.innerWidth") == 390, timeout=page.TIMEOUT)
    page.wait_for_grid(dashboard, "client", first_page)

    dashboard.driver.execute_script("dash_ag_grid.getApi('table-deadlines').ensureColumnVisible('cold_days');")

    until(lambda: sorted(dashboard.driver.execute_script(CLIENTS_IN_VIEW)) == sorted(first_page), timeout=page.TIMEOUT)
    dashboard.driver.set_window_size(1440, 900)
    until(lambda: dashboard.driver.execute_script(FIRST_COLUMN) == ["client", None, 2], timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []


def test_removing_demo_deals_keeps_the_users_and_redraws_everything(
    dash_duo: DashComposite, fixed_today: date, sqlite_url: str
) -> None:
    deals = known_deals()
    # The founder's own deals include references that look like demo ones, in any case: they must stay.
    mine = [replace(row, ref_externe=ref) for row, ref in zip(deals[:12], ("demo-mine", "DEMO-mine", "DEMO-9999"),
                                                               strict=False)] + deals[3:12]
    demo = [replace(row, ref_externe=f"{DEMO_PREFIX}{row.id:04d}", est_demo=True) for row in deals[12:]]
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
