"""Loading states: an output whose answer is late is dimmed, with a spinner over the charts; a quick one never.

Dash marks an output whose callback is in flight with `data-dash-is-loading`; assets/dashboard.css draws the
loading state from that mark while the page root has the `crm-slow` class, which assets/01-slow-answers.js sets
once a request has been awaited 250 ms (Dash's renderer tells it when each request leaves and is answered).
"""

from __future__ import annotations

from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from sqlalchemy import text

from data.db import make_engine
from tests.browser import page
from tests.browser.conftest import dashboard_app
from tests.browser.deals import Row, deadline_rows, expected_kpis, option_label, where

pytestmark = pytest.mark.browser

LOOK = """
    const graph = document.getElementById("graph-funnel"), value = document.getElementById("kpi-deal-count");
    return [getComputedStyle(graph.firstElementChild).opacity, getComputedStyle(graph, "::after").content,
            getComputedStyle(value).opacity];"""
SHOWN = ["1", "none", "1"]
DIMMED = ["0.45", '""', "0.45"]
DEADLINES_LOOK = """
    const overlay = document.querySelector("#table-deadlines .ag-overlay-loading-wrapper");
    return [getComputedStyle(document.getElementById("deadlines-scope")).opacity,
            overlay !== null && overlay.offsetParent !== null && overlay.textContent.includes("Chargement")];"""
SLOW = 'return document.documentElement.classList.contains("crm-slow");'


def test_an_answer_held_up_by_the_database_dims_the_outputs_until_it_arrives(
    dash_duo: DashComposite, fixed_today: date, postgres_url: str, deals: list[Row]
) -> None:
    """The tables the figures read are locked, so the filter change's queries wait for the lock. The deadline
    grid keeps its old rows under its own loading overlay, so they cannot pass for the new selection's."""
    dash_duo.start_server(dashboard_app(postgres_url, deals))
    page.wait_for_texts(dash_duo, expected_kpis(deals))
    page.wait_idle(dash_duo)
    assert dash_duo.driver.execute_script(LOOK) == SHOWN
    assert dash_duo.driver.execute_script(DEADLINES_LOOK) == ["1", False]

    engine = make_engine(postgres_url)
    with engine.connect() as locker:
        locker.execute(text("LOCK TABLE deals, deal_totals, deal_rollup IN ACCESS EXCLUSIVE MODE"))
        page.choose(dash_duo, "filter-sector", option_label("Banque", deals, lambda row: row.sector_label))
        until(lambda: dash_duo.driver.execute_script(LOOK) == DIMMED, timeout=page.TIMEOUT)
        until(lambda: dash_duo.driver.execute_script(DEADLINES_LOOK) == ["0.45", True], timeout=page.TIMEOUT)
        locker.rollback()
    engine.dispose()

    in_banking = where(deals, lambda row: row.secteur == "Banque")
    page.wait_for_texts(dash_duo, expected_kpis(in_banking))
    page.wait_for_grid(dash_duo, "client", [row.client for row in deadline_rows(in_banking)[:10]])
    until(lambda: dash_duo.driver.execute_script(LOOK) == SHOWN, timeout=page.TIMEOUT)
    until(lambda: dash_duo.driver.execute_script(DEADLINES_LOOK) == ["1", False], timeout=page.TIMEOUT)
    until(lambda: not dash_duo.driver.execute_script(SLOW), timeout=page.TIMEOUT)
    assert dash_duo.get_logs() == []


def test_a_late_first_load_shows_the_grid_once_its_rows_arrive(
    dash_duo: DashComposite, fixed_today: date, postgres_url: str, deals: list[Row]
) -> None:
    """The page opens while the figures' tables are locked: the grid's overlay shows while its rows are late and
    goes when they are drawn, so it never stays over the rows (it would swallow the click that opens a deal)."""
    app = dashboard_app(postgres_url, deals)
    engine = make_engine(postgres_url)
    with engine.connect() as locker:
        locker.execute(text("LOCK TABLE deals, deal_totals, deal_rollup IN ACCESS EXCLUSIVE MODE"))
        dash_duo.start_server(app)
        dash_duo.wait_for_element("#table-deadlines", timeout=page.TIMEOUT)  # the page comes after the frame
        until(lambda: dash_duo.driver.execute_script(DEADLINES_LOOK)[1], timeout=page.TIMEOUT)
        locker.rollback()
    engine.dispose()

    page.wait_for_grid(dash_duo, "client", [row.client for row in deadline_rows(deals)[:10]])
    until(lambda: dash_duo.driver.execute_script(DEADLINES_LOOK) == ["1", False], timeout=page.TIMEOUT)
    page.wait_idle(dash_duo)
    assert dash_duo.driver.execute_script(DEADLINES_LOOK) == ["1", False]
    assert dash_duo.get_logs() == []


def test_an_output_is_dimmed_only_once_its_answer_is_250_ms_late(dashboard: DashComposite) -> None:
    """The timing rule alone, on a request reported by hand: nothing shows at once, the dimming shows at
    250 ms, and it goes as soon as the answer is in."""
    mark = 'for (const id of ["graph-funnel", "kpi-deal-count"]) {document.getElementById(id).%s}'
    sent = 'window.testRequest = {}; window.crmSlowAnswers.sent(window.testRequest);'

    at_once = dashboard.driver.execute_script(mark % 'setAttribute("data-dash-is-loading", "true")' + sent + LOOK)
    assert at_once == SHOWN
    until(lambda: dashboard.driver.execute_script(LOOK) == DIMMED, timeout=page.TIMEOUT)

    answered = 'window.crmSlowAnswers.answered(window.testRequest);'
    after = dashboard.driver.execute_script(mark % 'removeAttribute("data-dash-is-loading")' + answered + LOOK)
    assert after == SHOWN
    assert not dashboard.driver.execute_script(SLOW)
    assert dashboard.get_logs() == []
