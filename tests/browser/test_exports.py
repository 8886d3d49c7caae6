"""The export buttons download exactly what the page shows: the filtered deals, in the grid's scope, or its report."""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from dash.testing.composite import DashComposite

from app import create_app
from data.db import make_engine
from services.accounts import Accounts
from settings import Settings
from tests.browser import page
from tests.browser.deals import TODAY, Row, deadline_rows, expected_kpis, insert_deals, option_label, where
from tests.exports.conftest import csv_cells, deadline_clients, pdf_text, plain_spaces

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe solide"


def _downloaded(dash_duo: DashComposite, name: str) -> bytes:
    """The file Chromium saved in the test's download folder, once complete."""
    path = Path(dash_duo.download_path) / name
    deadline = time.monotonic() + page.TIMEOUT
    while not path.exists() or any(Path(dash_duo.download_path).glob("*.crdownload")):
        assert time.monotonic() < deadline, f"no {name} in {sorted(Path(dash_duo.download_path).iterdir())}"
        time.sleep(0.1)
    return path.read_bytes()


def test_the_csv_button_downloads_the_filtered_deals(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-sector", option_label("Banque", deals, lambda row: row.sector_label))
    banking = where(deals, lambda row: row.secteur == "Banque")
    page.wait_for_texts(dashboard, expected_kpis(banking))

    page.press(dashboard, "#export-csv")

    header, *rows = csv_cells(_downloaded(dashboard, f"deals-{TODAY.isoformat()}.csv"))
    assert header[:2] == ["Client", "Statut"]
    assert sorted(row[0] for row in rows) == sorted(row.client for row in banking)
    assert {row[header.index("Secteur")] for row in rows} == {"Banque"}
    assert dashboard.get_logs() == []


def test_the_excel_button_downloads_the_overdue_scope_in_the_grids_order(dashboard: DashComposite,
                                                                         deals: list[Row]) -> None:
    page.choose_scope(dashboard, "En retard")
    overdue = sorted(where(deals, lambda row: row.overdue), key=lambda row: (row.date_echeance, row.id))
    page.wait_for_grid(dashboard, "client", [row.client for row in overdue][:10])

    page.press(dashboard, "#export-xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(_downloaded(dashboard, f"deals-{TODAY.isoformat()}.xlsx")))
    assert [line[0] for line in workbook["Deals"].iter_rows(min_row=2, values_only=True)] == [
        row.client for row in overdue]
    assert dashboard.get_logs() == []


def test_the_pdf_button_downloads_the_report_of_the_filtered_view(dashboard: DashComposite, deals: list[Row],
                                                                   tmp_path: Path) -> None:
    page.choose(dashboard, "filter-sector", option_label("Banque", deals, lambda row: row.sector_label))
    banking = where(deals, lambda row: row.secteur == "Banque")
    cards = expected_kpis(banking)
    page.wait_for_texts(dashboard, cards)

    page.press(dashboard, "#export-pdf")

    path = tmp_path / "rapport.pdf"
    path.write_bytes(_downloaded(dashboard, f"deals-{TODAY.isoformat()}.pdf"))
    text = pdf_text(path, "-layout")
    assert "Filtres : Secteur : Banque" in text
    for card in ("kpi-weighted-pipeline", "kpi-average-deal", "kpi-conversion-rate", "kpi-deal-count"):
        assert plain_spaces(cards[card]) in text
    assert deadline_clients(text) == [row.client for row in deadline_rows(banking)][:20]
    assert dashboard.get_logs() == []


def test_signed_in_the_csv_button_downloads_through_the_accounts_link(dash_duo: DashComposite, fixed_today: date,
                                                                      sqlite_url: str, deals: list[Row]) -> None:
    """AUTH=on: the link the button follows is served to the signed-in account, cookie and all."""
    engine = make_engine(sqlite_url)
    app = create_app(Settings(database_url=sqlite_url, demo_data=False, cache_type="simple", auth=True,
                              secret_key="k" * 48))
    insert_deals(engine, deals)
    Accounts(engine).add("lou", "Lou Lecteur", "lecture", PASSWORD)
    engine.dispose()
    dash_duo.start_server(app, navigate=False)  # the sign-in form comes first
    dash_duo.driver.get(dash_duo.server.url)
    dash_duo.wait_for_element("#login", timeout=page.TIMEOUT).send_keys("lou")
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("button[type=submit]").click()
    page.wait_for_texts(dash_duo, expected_kpis(deals))

    page.press(dash_duo, "#export-csv")

    header, *rows = csv_cells(_downloaded(dash_duo, f"deals-{TODAY.isoformat()}.csv"))
    assert sorted(row[header.index("Client")] for row in rows) == sorted(row.client for row in deals)
    assert dash_duo.get_logs() == []
