"""The Content-Security-Policy breaks nothing a user sees: both pages load, draw their charts and grids, show a
chart's hover label and open a dropdown with no refusal in Chromium's console (a blocked script, style, image,
font or request is logged there as a SEVERE "Refused to ..." message)."""

from __future__ import annotations

import pytest
from dash.testing.composite import DashComposite

from layouts import ids
from tests.browser import page

pytestmark = pytest.mark.browser


def hover_first_bar(dash_duo: DashComposite, graph_id: str) -> None:
    """Plotly draws and styles its hover label on demand, so that code runs only when a bar is hovered (asked of
    Plotly itself: headless Chromium's synthetic pointer does not reach Plotly's hover layer)."""
    dash_duo.driver.execute_script("Plotly.Fx.hover(document.querySelector(arguments[0] + ' .js-plotly-plot'), "
                                   "[{curveNumber: 0, pointNumber: 0}]);", f"#{graph_id}")
    dash_duo.wait_for_element(f"#{graph_id} .hoverlayer .hovertext", timeout=page.TIMEOUT)


def test_both_pages_run_under_the_policy_with_nothing_refused(dashboard: DashComposite) -> None:
    policy = dashboard.driver.execute_script(
        "return fetch('/').then(r => r.headers.get('Content-Security-Policy'));")
    assert "script-src 'self' 'sha256-" in policy
    hover_first_bar(dashboard, ids.GRAPH_FUNNEL)
    dashboard.find_element(f"#{ids.FILTER_SECTOR}").click()
    dashboard.driver.get(f"{dashboard.server_url}/performance")
    dashboard.wait_for_element("#table-assignees .ag-row", timeout=page.TIMEOUT)
    page.wait_idle(dashboard)
    hover_first_bar(dashboard, ids.GRAPH_ASSIGNEES)
    assert dashboard.get_logs() == []
