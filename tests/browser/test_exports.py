"""The export buttons download exactly what the page shows: the filtered deals, in the grid's scope."""

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pytest
from dash.testing.composite import DashComposite

from tests.browser import page
from tests.browser.deals import TODAY, Row, deadline_rows, expected_kpis, option_label, where
from tests.exports.conftest import csv_cells, deadline_clients, pdf_text, plain_spaces

pytestmark = pytest.mark.browser


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
