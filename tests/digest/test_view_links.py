"""Links to the dashboard: the selection written in the query string as the browser writes it, read back whole."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from domain.deal_filter import DealFilter
from domain.pipeline_results import DeadlineScope
from domain.view_links import scope_of, view_url

BASE = "https://crm.exemple.fr"


@pytest.mark.parametrize(("selection", "pairs"), [
    (DealFilter(), []),
    (DealFilter.build(stages=["Négociation", "Prospect"]), [("statut", "prospect"), ("statut", "negociation")]),
    (DealFilter.build(sectors=["Banque & Assurance", "Santé"], assignees=["Léa Dubois"], due_from="2026-11-21",
                      due_to="2026-11-28", search="acme  = 1", missing=["retard", "montant"]),
     [("secteur", "Banque & Assurance"), ("secteur", "Santé"), ("commercial", "Léa Dubois"), ("du", "2026-11-21"),
      ("au", "2026-11-28"), ("manque", "montant"), ("manque", "retard"), ("q", "acme = 1")]),
])
def test_a_link_holds_the_selection_in_the_dashboards_order(selection: DealFilter,
                                                            pairs: list[tuple[str, str]]) -> None:
    """Read back with urllib, the pairs come in the browser's order, a sector's own `&` and `=` kept in it."""
    url = view_url(BASE + "/", selection)
    parts = urlsplit(url)
    assert (f"{parts.scheme}://{parts.netloc}", parts.path) == (BASE, "/")
    assert parse_qsl(parts.query) == pairs


def test_dates_are_iso_days() -> None:
    assert view_url(BASE, DealFilter(due_from=date(2026, 1, 5))) == f"{BASE}/?du=2026-01-05"


@pytest.mark.parametrize("scope", list(DeadlineScope))
def test_the_grid_s_scope_goes_last_and_reads_back(scope: DeadlineScope) -> None:
    url = view_url(BASE, DealFilter.build(stages=["Prospect"]), scope)
    pairs = parse_qsl(urlsplit(url).query)
    assert pairs[0] == ("statut", "prospect")
    assert scope_of(dict(pairs).get("vue")) == scope
    assert ("vue" in dict(pairs)) == (scope != DeadlineScope.ALL)


def test_an_unknown_scope_shows_every_deal() -> None:
    assert scope_of("tout-sauf") == scope_of(None) == DeadlineScope.ALL
