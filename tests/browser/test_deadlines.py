"""The deadline grid: server paging and sorting, the scope switch with its counts, red overdue rows."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from tests.browser import page
from tests.browser.conftest import dashboard_app
from tests.browser.deals import (
    TODAY,
    Row,
    deadline_rows,
    french_count,
    french_euros,
    known_deals,
    option_label,
    where,
)

pytestmark = pytest.mark.browser
PAGE_SIZE = 10
OVERDUE_RED = "rgba(176, 42, 55, 1)"


def _clients(rows: list[Row]) -> list[str]:
    return [row.client for row in rows]


def test_grid_pages_on_the_server_soonest_first(dashboard: DashComposite, deals: list[Row]) -> None:
    dated = deadline_rows(deals)
    page.wait_for_grid(dashboard, "client", _clients(dated[:PAGE_SIZE]))
    page.wait_for_grid(dashboard, "date_echeance",
                       [row.date_echeance.strftime("%d/%m/%Y") for row in dated[:PAGE_SIZE]])
    page.wait_for_grid(dashboard, "days_left",  # a won or lost deal has no days left
                       [str((row.date_echeance - TODAY).days) if row.statut not in ("Gagné", "Perdu") else "—"
                        for row in dated[:PAGE_SIZE]])

    page.press(dashboard, '.ag-paging-button[aria-label="Page suivante"]')

    page.wait_for_grid(dashboard, "client", _clients(dated[PAGE_SIZE:2 * PAGE_SIZE]))
    page.wait_for_grid(dashboard, "montant_brut",
                       [french_euros(row.montant_brut, cents=True) for row in dated[PAGE_SIZE:2 * PAGE_SIZE]])
    assert f"sur {french_count(-(-len(dated) // PAGE_SIZE))}" in dashboard.find_element(".ag-paging-panel").text
    assert dashboard.get_logs() == []


def test_paging_counts_are_written_the_french_way(dash_duo: DashComposite, fixed_today: date, sqlite_url: str) -> None:
    """Over a thousand rows: "1 à 10 sur 1 234" with French digit grouping, not AG Grid's own "1,234"."""
    many = [replace(row, id=n, client=f"Client {n:04d}")
            for n, row in zip(range(1, 1401), itertools.cycle(known_deals()), strict=False)]
    dated = len(deadline_rows(many))
    dash_duo.start_server(dashboard_app(sqlite_url, many))

    summary = dash_duo.find_element("#table-deadlines .ag-paging-row-summary-panel")
    until(lambda: summary.text.split() == ["1", "à", "10", "sur", *french_count(dated).split()], timeout=page.TIMEOUT)
    assert french_count(dated) in summary.get_attribute("textContent")
    assert dash_duo.get_logs() == []


def test_a_filter_change_shows_page_1_of_the_new_selection_from_any_page(
    dashboard: DashComposite, deals: list[Row]
) -> None:
    """On page 1 the grid refreshes its page in place; from page 2 it goes back to page 1 (assets/dashboard.js)."""
    dated = deadline_rows(deals)
    page.press(dashboard, '.ag-paging-button[aria-label="Page suivante"]')
    page.wait_for_grid(dashboard, "client", _clients(dated[PAGE_SIZE:2 * PAGE_SIZE]))

    page.choose(dashboard, "filter-status", option_label("Négociation", deals, lambda row: row.statut))
    negotiating = deadline_rows(where(deals, lambda row: row.statut == "Négociation"))
    page.wait_for_grid(dashboard, "client", _clients(negotiating[:PAGE_SIZE]))

    page.choose(dashboard, "filter-status", option_label("Gagné", deals, lambda row: row.statut))
    negotiating_or_won = deadline_rows(where(deals, lambda row: row.statut in ("Négociation", "Gagné")))
    page.wait_for_grid(dashboard, "client", _clients(negotiating_or_won[:PAGE_SIZE]))
    assert dashboard.get_logs() == []


def test_grid_sorts_on_the_server(dashboard: DashComposite, deals: list[Row]) -> None:
    dated = deadline_rows(deals)
    header = '.ag-header-cell[col-id="montant_brut"] .ag-header-cell-label'

    page.press(dashboard, header)
    by_amount = sorted(dated, key=lambda row: row.montant_brut)
    page.wait_for_grid(dashboard, "client", _clients(by_amount[:PAGE_SIZE]))

    page.press(dashboard, header)
    page.wait_for_grid(dashboard, "client", _clients(by_amount[::-1][:PAGE_SIZE]))
    assert dashboard.get_logs() == []


def test_scope_switch_lists_overdue_then_next_7_and_30_days_with_counts(dashboard: DashComposite,
                                                                       deals: list[Row]) -> None:
    overdue, week, soon = (deadline_rows(deals, scope) for scope in ("overdue", "next7", "next30"))
    assert 0 < len(week) < len(soon)
    # Cold: none, for the deals' history was written now, after the fixed today (tests/browser/test_cold_deals.py).
    assert page.scope_labels(dashboard) == [f"Toutes ({len(deadline_rows(deals))})", f"En retard ({len(overdue)})",
                                            f"7 prochains jours ({len(week)})", f"30 prochains jours ({len(soon)})",
                                            "Froids (0)"]

    page.choose_scope(dashboard, "En retard")
    page.wait_for_grid(dashboard, "client", _clients(overdue[:PAGE_SIZE]))

    page.choose_scope(dashboard, "7 prochains jours")
    page.wait_for_grid(dashboard, "client", _clients(week[:PAGE_SIZE]))

    page.choose_scope(dashboard, "30 prochains jours")
    page.wait_for_grid(dashboard, "client", _clients(soon[:PAGE_SIZE]))
    assert dashboard.get_logs() == []


def test_scope_counts_follow_the_filters(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-assignee", option_label("Léa Dubois", deals, lambda row: row.assignee or ""))

    hers = [row for row in deals if row.assignee == "Léa Dubois"]
    expected = [f"Toutes ({len(deadline_rows(hers))})", f"En retard ({len(deadline_rows(hers, 'overdue'))})",
                f"7 prochains jours ({len(deadline_rows(hers, 'next7'))})",
                f"30 prochains jours ({len(deadline_rows(hers, 'next30'))})", "Froids (0)"]
    page.wait_for_grid(dashboard, "client", _clients(deadline_rows(hers)[:PAGE_SIZE]))
    assert page.scope_labels(dashboard) == expected
    assert dashboard.get_logs() == []


def test_overdue_rows_are_red_and_next_30_days_marked(dashboard: DashComposite, deals: list[Row]) -> None:
    first_page = deadline_rows(deals)[:PAGE_SIZE]
    page.wait_for_grid(dashboard, "client", _clients(first_page))
    rows = sorted(dashboard.find_elements("#table-deadlines .ag-center-cols-container .ag-row"),
                  key=lambda row: int(row.get_attribute("row-index")))

    red = [row.value_of_css_property("color") == OVERDUE_RED for row in rows]
    assert red == [deal.overdue for deal in first_page]
    assert any(red) and not all(red)
    marked = ["deadline-soon" in row.get_attribute("class") for row in rows]
    assert marked == [deal.next_30_days for deal in first_page]
    assert dashboard.get_logs() == []
