"""The text search (`filter-search`): it finds client and external reference whatever the case and accents,
filters every output like any filter, combines with them, lives in the URL (`q=`) and reset clears it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from layouts import ids
from tests.browser import page
from tests.browser.conftest import open_drawn
from tests.browser.deals import TODAY, Row, deadline_rows, expected_kpis, option_label, where
from tests.service.known_deals import plain

pytestmark = pytest.mark.browser

# Beside the known deals (`Client 01`...): accents and capitals in clients and references, and a near miss.
NAMED = [
    Row(101, "Société Générale", "Négociation", Decimal("48000.00"), "Banque", "Camille Martin",
        TODAY + timedelta(days=12), ref_externe="SG-2026-001"),
    Row(102, "SOCIÉTÉ des Eaux", "Prospect", None, None, None, TODAY - timedelta(days=3)),
    Row(103, "Cabinet Dupont", "Qualifié", Decimal("7300.50"), "Santé", "Léa Dubois", TODAY + timedelta(days=40),
        ref_externe="societe-civile-7"),
    Row(104, "Socié Tech", "Prospect", Decimal("910.00"), "Logiciel", "Hugo Bernard", TODAY + timedelta(days=2)),
    Row(105, "Générale d'Électricité", "Gagné", Decimal("15999.99"), "Industrie", None, None),
]


def found(rows: list[Row], search: str) -> list[Row]:
    """The rows whose client or reference holds every word of `search`, compared without case or accents."""
    return where(rows, lambda row: all(word in plain(f"{row.client} {row.ref_externe or ''}")
                                       for word in plain(search).split()))


@pytest.fixture
def rows(deals: list[Row]) -> list[Row]:
    return [*deals, *NAMED]


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database of the kind asked (SQLite unless a test names PostgreSQL too)."""
    return request.getfixturevalue({"sqlite": "sqlite_url", "postgresql": "postgres_url"}[request.param])


@pytest.fixture
def named(dash_duo: DashComposite, fixed_today: date, database_url: str, rows: list[Row]) -> DashComposite:
    """The page on the known deals and the named ones above, every output drawn."""
    return open_drawn(dash_duo, database_url, rows)


def _search(dash_duo: DashComposite) -> str:
    return dash_duo.driver.execute_script("return window.location.search")


def _history_length(dash_duo: DashComposite) -> int:
    return dash_duo.driver.execute_script("return window.history.length")


def _type(dash_duo: DashComposite, text: str) -> None:
    """Replace the search field's text by typing, key by key, as a user does."""
    field = page.into_view(dash_duo, dash_duo.find_element(f"#{ids.FILTER_SEARCH}"))
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)


def _shows(dash_duo: DashComposite, rows: list[Row]) -> None:
    """The KPI cards and the grid's first page show exactly these deals."""
    page.wait_for_texts(dash_duo, expected_kpis(rows))
    page.wait_for_grid(dash_duo, "client", [row.client for row in deadline_rows(rows)[:10]])


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_typing_filters_everything_lands_in_the_url_once_and_reset_clears_it(named: DashComposite,
                                                                             rows: list[Row]) -> None:
    matching = found(rows, "societe")
    assert sorted(row.id for row in matching) == [101, 102, 103]
    entries = _history_length(named)

    _type(named, "societe")

    _shows(named, matching)
    until(lambda: _search(named) == "?q=societe", timeout=page.TIMEOUT)
    assert page.props(named, ids.FILTER_SEARCH)["value"] == "societe"
    # Debounced: the seven keys made one filter change, so one history entry (and one request per figure).
    assert _history_length(named) == entries + 1

    page.press(named, f"#{ids.FILTER_RESET}")

    _shows(named, rows)
    until(lambda: _search(named) == "", timeout=page.TIMEOUT)
    assert named.find_element(f"#{ids.FILTER_SEARCH}").get_attribute("value") == ""
    assert page.props(named, ids.FILTER_SEARCH)["value"] == ""
    assert named.get_logs() == []


def test_the_search_combines_with_the_other_filters(named: DashComposite, rows: list[Row]) -> None:
    page.choose(named, ids.FILTER_STATUS, option_label("Prospect", rows, lambda row: row.statut))
    _shows(named, where(rows, lambda row: row.statut == "Prospect"))

    _type(named, "SOCIÉTÉ")

    prospects = where(found(rows, "societe"), lambda row: row.statut == "Prospect")
    assert [row.id for row in prospects] == [102]
    _shows(named, prospects)
    until(lambda: _search(named) == "?statut=prospect&q=SOCI%C3%89T%C3%89", timeout=page.TIMEOUT)
    assert named.get_logs() == []


def test_a_link_opens_on_its_search_and_back_returns_to_the_previous_one(named: DashComposite,
                                                                          rows: list[Row]) -> None:
    named.driver.get(f"{named.server_url}/?q=+g%C3%A9n%C3%A9rale++SOCIETE")

    both = found(rows, "generale societe")
    assert [row.id for row in both] == [101]
    _shows(named, both)
    assert named.find_element(f"#{ids.FILTER_SEARCH}").get_attribute("value") == "générale SOCIETE"
    until(lambda: _search(named) == "?q=g%C3%A9n%C3%A9rale+SOCIETE", timeout=page.TIMEOUT)

    _type(named, "sg-2026")
    _shows(named, found(rows, "sg-2026"))
    until(lambda: _search(named) == "?q=sg-2026", timeout=page.TIMEOUT)

    named.driver.back()

    _shows(named, both)
    assert named.find_element(f"#{ids.FILTER_SEARCH}").get_attribute("value") == "générale SOCIETE"
    named.driver.forward()
    _shows(named, found(rows, "sg-2026"))
    assert named.get_logs() == []
