"""Deals without an amount on the page, and the data-health card: each of its counts is a link that filters the
whole dashboard to those deals, lands in the URL (`manque=`) and in the filter panel, and reset clears it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dash.testing.composite import DashComposite

from layouts import ids
from tests.browser import page
from tests.browser.conftest import open_drawn
from tests.browser.deals import TODAY, Row, deadline_rows, expected_kpis, french_count, where

# Beside the known deals: three to estimate (one without a due date or sector) and a lost one at 0 €.
TO_ESTIMATE = [
    Row(101, "Estimer Prospect", "Prospect", None, "Logiciel", "Léa Dubois", TODAY + timedelta(days=5)),
    Row(102, "Estimer Gagné", "Gagné", None, "Banque", None, TODAY - timedelta(days=3)),
    Row(103, "Estimer sans rien", "Négociation", None, None, None, None),
]
LOST_AT_ZERO = Row(104, "Perdu à zéro", "Perdu", Decimal("0.00"), "Santé", "Hugo Bernard", TODAY + timedelta(days=9))


@pytest.fixture
def rows(deals: list[Row]) -> list[Row]:
    return [*deals, *TO_ESTIMATE, LOST_AT_ZERO]


@pytest.fixture
def with_gaps(dash_duo: DashComposite, fixed_today: date, sqlite_url: str, rows: list[Row]) -> DashComposite:
    """The page on the known deals and the deals above, every output drawn."""
    return open_drawn(dash_duo, sqlite_url, rows)


def _link(missing: str) -> str:
    return f'#{ids.DATA_HEALTH} button[id*=\'"key":"{missing}"\']'


def _health(rows: list[Row]) -> str:
    overdue = sum(row.overdue for row in rows)
    return (f"Données à compléter :Sans montant : {sum(row.montant_brut is None for row in rows)}"
            f"Sans échéance : {sum(row.date_echeance is None for row in rows)}"
            f"Sans secteur : {sum(row.secteur is None for row in rows)}"
            f"Sans commercial : {sum(row.assignee is None for row in rows)}"
            f"En retard : {french_count(overdue)}")


def test_deals_without_amount_count_in_the_rates_not_in_the_sums(with_gaps: DashComposite, rows: list[Row]) -> None:
    expected = expected_kpis(rows)
    assert expected[ids.KPI_WEIGHTED_PIPELINE_NOTE] == "hors 3 deals sans montant"
    page.wait_for_texts(with_gaps, {**expected, ids.DATA_HEALTH: _health(rows)})
    assert with_gaps.get_logs() == []


def test_a_data_health_link_filters_everything_lands_in_the_url_and_reset_clears_it(
    with_gaps: DashComposite, rows: list[Row]
) -> None:
    page.press(with_gaps, _link("montant"))

    unvalued = where(rows, lambda row: row.montant_brut is None)
    page.wait_for_texts(with_gaps, expected_kpis(unvalued))
    assert page.chosen(with_gaps, ids.FILTER_MISSING) == ["montant"]
    assert with_gaps.driver.execute_script("return window.location.search") == "?manque=montant"
    page.wait_for_grid(with_gaps, "client", [row.client for row in deadline_rows(unvalued)])
    page.wait_for_grid(with_gaps, "montant_brut", ["à estimer"] * len(deadline_rows(unvalued)))
    assert "active" in with_gaps.find_element(_link("montant")).get_attribute("class")

    page.press(with_gaps, _link("secteur"))
    both = where(unvalued, lambda row: row.secteur is None)
    page.wait_for_texts(with_gaps, expected_kpis(both))
    assert page.chosen(with_gaps, ids.FILTER_MISSING) == ["montant", "secteur"]

    page.press(with_gaps, f"#{ids.FILTER_RESET}")
    page.wait_for_texts(with_gaps, expected_kpis(rows))
    assert page.chosen(with_gaps, ids.FILTER_MISSING) == []
    assert with_gaps.driver.execute_script("return window.location.search") == ""
    assert with_gaps.get_logs() == []


def test_a_link_to_deals_without_due_date_lists_them_in_the_grid(with_gaps: DashComposite, rows: list[Row]) -> None:
    with_gaps.driver.get(f"{with_gaps.server_url}/?manque=echeance&manque=inconnu")

    undated = where(rows, lambda row: row.date_echeance is None)
    page.wait_for_texts(with_gaps, expected_kpis(undated))
    page.wait_for_grid(with_gaps, "client", sorted(row.client for row in undated)[:10])
    assert page.chosen(with_gaps, ids.FILTER_MISSING) == ["echeance"]
    assert with_gaps.driver.execute_script("return window.location.search") == "?manque=echeance"
    assert with_gaps.get_logs() == []


def test_the_overdue_link_selects_the_open_deals_past_their_due_date(with_gaps: DashComposite,
                                                                    rows: list[Row]) -> None:
    page.press(with_gaps, _link("retard"))

    overdue = where(rows, lambda row: row.overdue)
    page.wait_for_texts(with_gaps, expected_kpis(overdue))
    page.wait_for_grid(with_gaps, "client", [row.client for row in deadline_rows(overdue)[:10]])
    assert with_gaps.get_logs() == []
