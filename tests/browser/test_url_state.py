"""The filters live in the URL query string: a link or a reload restores the view, back restores the last.
(The text search's `q=` in a real page: tests/browser/test_search.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from callbacks.url_state import STAGE_SLUGS
from domain.deal_filter import SEARCH_MAX_LENGTH
from tests.browser import page
from tests.browser.deals import Row, deadline_rows, expected_kpis, option_label, where

pytestmark = pytest.mark.browser


def _search(dash_duo: DashComposite) -> str:
    return dash_duo.driver.execute_script("return window.location.search")


def _url_state(dash_duo: DashComposite, function: str, *args: object) -> object:
    """Call the page's own URL functions (assets/url_state.js) with the app's stage slugs."""
    return dash_duo.driver.execute_script(f"return window.crmUrlState.{function}(...arguments)", STAGE_SLUGS, *args)


def test_the_url_spells_a_selection_one_way_and_reads_it_back(dashboard: DashComposite) -> None:
    values = [["Gagné", "Prospect"], ["Santé", "Banque"], ["Non attribué"], "2026-11-01", "2026-12-31",
              ["secteur", "montant"], "  Société \t 50% & co "]

    search = _url_state(dashboard, "encode", values)

    assert search == ("?statut=prospect&statut=gagne&secteur=Banque&secteur=Sant%C3%A9"
                      "&commercial=Non+attribu%C3%A9&du=2026-11-01&au=2026-12-31&manque=montant&manque=secteur"
                      "&q=Soci%C3%A9t%C3%A9+50%25+%26+co")
    assert _url_state(dashboard, "decode", search) == [["Prospect", "Gagné"], ["Banque", "Santé"], ["Non attribué"],
                                                        "2026-11-01", "2026-12-31", ["montant", "secteur"],
                                                        "Société 50% & co"]
    assert _url_state(dashboard, "encode", [[], [], [], None, None, [], ""]) == ""
    assert _url_state(dashboard, "encode", [[], [], [], None, None, [], "   "]) == ""
    assert dashboard.get_logs() == []


def test_the_url_ignores_unknown_stages_keys_and_impossible_dates(dashboard: DashComposite) -> None:
    assert _url_state(dashboard, "decode", "?statut=gagne&statut=inconnu&du=31/12/2026&au=2027-02-30&zz=1") == [
        ["Gagné"], [], [], None, None, [], ""]
    assert _url_state(dashboard, "decode", None) == [[], [], [], None, None, [], ""]
    # Of several `q=` the first counts; a long one is cut where the filter cuts it (domain/deal_filter.py).
    assert _url_state(dashboard, "decode", "?q=un&q=deux")[6] == "un"
    assert _url_state(dashboard, "decode", f"?q={'a' * 99}+{'b' * 50}")[6] == "a" * 99
    assert _url_state(dashboard, "decode", f"?q={'é' * 150}")[6] == "é" * SEARCH_MAX_LENGTH
    assert dashboard.get_logs() == []


def test_a_shared_link_opens_on_its_view(dashboard: DashComposite, deals: list[Row]) -> None:
    dashboard.driver.get(f"{dashboard.server_url}/?statut=gagne&statut=prospect&secteur=Banque"
                         "&du=2026-10-01&au=2027-01-31")

    shown = where(deals, lambda row: row.statut in ("Prospect", "Gagné") and row.secteur == "Banque"
                  and row.date_echeance is not None and date(2026, 10, 1) <= row.date_echeance <= date(2027, 1, 31))
    page.wait_for_texts(dashboard, expected_kpis(shown))
    page.wait_for_grid(dashboard, "client", [row.client for row in deadline_rows(shown)[:10]])
    assert page.chosen(dashboard, "filter-status") == ["Prospect", "Gagné"]
    assert page.chosen(dashboard, "filter-sector") == ["Banque"]
    assert page.props(dashboard, "filter-due-dates")["start_date"] == "2026-10-01"
    assert dashboard.get_logs() == []


def test_a_reload_keeps_the_view(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-sector", option_label("Santé", deals, lambda row: row.sector_label))
    health = expected_kpis(where(deals, lambda row: row.secteur == "Santé"))
    page.wait_for_texts(dashboard, health)
    until(lambda: _search(dashboard) == "?secteur=Sant%C3%A9", timeout=page.TIMEOUT)

    dashboard.driver.refresh()

    page.wait_for_texts(dashboard, health)
    assert page.chosen(dashboard, "filter-sector") == ["Santé"]
    assert dashboard.get_logs() == []


def test_back_restores_the_previous_view(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-sector", option_label("Logiciel", deals, lambda row: row.sector_label))
    software = where(deals, lambda row: row.secteur == "Logiciel")
    page.wait_for_texts(dashboard, expected_kpis(software))
    page.choose(dashboard, "filter-status", option_label("Prospect", deals, lambda row: row.statut))
    page.wait_for_texts(dashboard, expected_kpis(where(software, lambda row: row.statut == "Prospect")))
    until(lambda: _search(dashboard) == "?statut=prospect&secteur=Logiciel", timeout=page.TIMEOUT)

    dashboard.driver.back()

    page.wait_for_texts(dashboard, expected_kpis(software))
    assert page.chosen(dashboard, "filter-status") == []
    assert page.chosen(dashboard, "filter-sector") == ["Logiciel"]

    dashboard.driver.back()

    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert _search(dashboard) == ""
    dashboard.driver.forward()
    page.wait_for_texts(dashboard, expected_kpis(software))
    assert dashboard.get_logs() == []


def test_a_stale_link_drops_what_no_dropdown_offers_and_back_leaves_it(dashboard: DashComposite,
                                                                        deals: list[Row]) -> None:
    dashboard.driver.get(f"{dashboard.server_url}/?secteur=Inconnu&secteur=Banque")

    page.wait_for_texts(dashboard, expected_kpis(where(deals, lambda row: row.secteur == "Banque")))
    until(lambda: _search(dashboard) == "?secteur=Banque", timeout=page.TIMEOUT)
    assert page.chosen(dashboard, "filter-sector") == ["Banque"]

    dashboard.driver.back()

    until(lambda: _search(dashboard) == "", timeout=page.TIMEOUT)
    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert dashboard.get_logs() == []
