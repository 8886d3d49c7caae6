"""Cold deals in the browser: the "Deals froids" card, the "Froids" scope of the grid and the "Froid" column.

The known deals are inserted 60 days before the fixed today, but their history is written now, after it; the
history of a few is then moved back to known days before the page opens, so that the open ones among them and only
those are cold with the default rule (more than 10 days without change).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from sqlalchemy import insert, text

from app import create_app
from data.db import make_engine
from data.models import Deal
from domain.staleness import start_of_paris_day
from settings import Settings
from tests.browser import page
from tests.browser.deals import OPEN, TODAY, Row, french_count, option_label

pytestmark = pytest.mark.browser
COLD_DAYS = 10


def _open_with_history(dash_duo: DashComposite, database_url: str, rows: list[Row],
                       days_by_id: dict[int, int]) -> None:
    """The app on `rows`, created 60 days before today (a deal's creation cannot be moved once written), each
    deal of `days_by_id` with its history (and its last change, which the database keeps) moved back to that many
    days before today, noon in Paris."""
    app = create_app(Settings(database_url=database_url, demo_data=False, cache_type="simple"))
    engine = make_engine(database_url)
    created = start_of_paris_day(TODAY - timedelta(days=60))
    with engine.begin() as connection:
        connection.execute(insert(Deal), [
            {"id": row.id, "client": row.client, "statut": row.statut, "montant_brut": row.montant_brut,
             "secteur": row.secteur, "assignee": row.assignee, "date_echeance": row.date_echeance,
             "created_at": created} for row in rows])
        for deal_id, days in days_by_id.items():
            at = start_of_paris_day(TODAY - timedelta(days=days)) + timedelta(hours=12)
            connection.execute(text("UPDATE deal_events SET at = :at WHERE deal_id = :id"), {"at": at, "id": deal_id})
            connection.execute(text("UPDATE deals SET last_change_at = :at WHERE id = :id"), {"at": at, "id": deal_id})
    engine.dispose()
    dash_duo.start_server(app)


def test_cold_deals_are_counted_listed_and_marked(dash_duo: DashComposite, fixed_today: date, sqlite_url: str,
                                                  deals: list[Row]) -> None:
    dated_open = [row for row in deals if row.statut in OPEN and row.date_echeance is not None]
    closed = next(row for row in deals if row.statut not in OPEN)
    quiet = {dated_open[0].id: 25, dated_open[1].id: 11, dated_open[2].id: COLD_DAYS, closed.id: 60}
    _open_with_history(dash_duo, sqlite_url, deals, quiet)
    cold = sorted((row for row in deals if row.statut in OPEN and quiet.get(row.id, 0) > COLD_DAYS),
                  key=lambda row: (row.date_echeance, row.id))
    assert len(cold) == 2

    page.wait_for_texts(dash_duo, {"kpi-stale": french_count(len(cold))})
    assert page.scope_labels(dash_duo)[-1] == f"Froids ({len(cold)})"

    page.choose_scope(dash_duo, "Froids")
    page.wait_for_grid(dash_duo, "client", [row.client for row in cold])
    page.wait_for_grid(dash_duo, "cold_days", [f"{quiet[row.id]} j" for row in cold])
    rows = dash_duo.find_elements("#table-deadlines .ag-center-cols-container .ag-row")
    assert rows and all("deadline-cold" in row.get_attribute("class") for row in rows)
    assert dash_duo.get_logs() == []


def test_a_link_opens_the_cold_scope_and_the_url_keeps_the_scope(dash_duo: DashComposite, fixed_today: date,
                                                                  sqlite_url: str, deals: list[Row]) -> None:
    """The digest's link to the cold deals (`vue=froids`) opens the grid on them; switching the scope writes it in
    the URL, a filter change keeps it, and a reload opens the same view."""
    dated_open = [row for row in deals if row.statut in OPEN and row.date_echeance is not None]
    quiet = {dated_open[0].id: 25, dated_open[1].id: 11}
    _open_with_history(dash_duo, sqlite_url, deals, quiet)
    cold = sorted((row for row in deals if row.id in quiet), key=lambda row: (row.date_echeance, row.id))

    dash_duo.driver.get(f"{dash_duo.server_url}/?vue=froids")
    page.wait_for_grid(dash_duo, "client", [row.client for row in cold])
    assert page.props(dash_duo, "deadlines-scope")["value"] == "cold"

    page.choose_scope(dash_duo, "Toutes")
    until(lambda: "vue=" not in dash_duo.driver.current_url, timeout=page.TIMEOUT)
    page.choose_scope(dash_duo, "7 prochains jours")
    until(lambda: dash_duo.driver.current_url.endswith("/?vue=7-jours"), timeout=page.TIMEOUT)
    page.choose(dash_duo, "filter-status", option_label("Prospect", deals, lambda row: row.statut))
    until(lambda: dash_duo.driver.current_url.endswith("/?statut=prospect&vue=7-jours"), timeout=page.TIMEOUT)

    dash_duo.driver.refresh()
    page.wait_for_texts(dash_duo, {"kpi-deal-count": french_count(sum(row.statut == "Prospect" for row in deals))})
    assert page.props(dash_duo, "deadlines-scope")["value"] == "next7"
    assert page.chosen(dash_duo, "filter-status") == ["Prospect"]
    assert dash_duo.get_logs() == []
