"""When PostgreSQL stops answering, the page says so and keeps working; when it is back, so is the page.

The outage is real: the test's own database is closed to connections and its sessions are ended, so the
app's pooled connections die and new ones are refused, exactly as when a server goes away.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from dash.testing.composite import DashComposite

from domain.errors import DatabaseUnavailableError
from tests.browser import page
from tests.browser.conftest import dashboard_app
from tests.browser.deals import Row, expected_kpis, option_label, where
from tests.conftest import allow_connections

pytestmark = pytest.mark.browser
LATE_ROWS_S = 0.6  # past the 250 ms after which late rows get the grid's loading overlay (assets/dashboard.js)


def test_database_down_then_back_up(
    dash_duo: DashComposite, fixed_today: date, postgres_url: str, deals: list[Row]
) -> None:
    dash_duo.start_server(dashboard_app(postgres_url, deals))
    page.wait_for_texts(dash_duo, expected_kpis(deals))

    allow_connections(postgres_url, False)
    page.choose(dash_duo, "filter-sector", option_label("Banque", deals, lambda row: row.sector_label))

    dash_duo.wait_for_text_to_equal("#app-alert", DatabaseUnavailableError.message, timeout=page.TIMEOUT)
    page.wait_idle(dash_duo)
    assert page.text(dash_duo, "kpi-deal-count") == expected_kpis(deals)["kpi-deal-count"]
    time.sleep(LATE_ROWS_S)  # the grid's loading overlay would show by now
    overlays = dash_duo.find_elements("#table-deadlines .ag-overlay-loading-wrapper")
    assert not any(overlay.is_displayed() for overlay in overlays)
    assert page.grid_column(dash_duo, "client")  # its last rows, like every output keeps its last value

    allow_connections(postgres_url, True)
    page.choose(dash_duo, "filter-status", option_label("Gagné", deals, lambda row: row.statut))

    page.wait_for_texts(dash_duo, expected_kpis(where(deals, lambda r: (r.secteur, r.statut) == ("Banque", "Gagné"))))
    dash_duo.wait_for_no_elements("#app-alert", timeout=page.TIMEOUT)
    assert dash_duo.get_logs() == []
