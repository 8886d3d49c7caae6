"""The API's figures over real HTTP, against an independent computation (tests/service/known_deals.py) and the
read service the dashboard uses: the same filters as the page URL give the same numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from data import clock
from domain.deal_filter import DealFilter
from domain.figure_payloads import funnel_payload, kpis_payload, sectors_payload
from domain.stages import STAGES
from services.cache import VersionedCache
from services.reads import DealReads
from settings import Settings
from tests.api.conftest import Api
from tests.service.known_deals import (
    TODAY,
    KnownDeal,
    Selection,
    expected_kpis,
    expected_sectors,
    insert_deals,
    make_known_deals,
    valued,
)
from wiring import make_cache_backend

SLUG = {stage.name: stage.slug for stage in STAGES}
SELECTIONS: dict[str, tuple[dict[str, object], Selection]] = {
    "everything": ({}, Selection()),
    "won or negotiating, in banking": ({"statut": ["gagne", "negociation"], "secteur": ["Banque"]},
                                       Selection(stages=("Gagné", "Négociation"), sectors=("Banque",))),
    "Léa's and nobody's, due in the autumn": (
        {"commercial": ["Léa Dubois", "Non attribué"], "du": "2026-10-01", "au": "2026-12-31"},
        Selection(assignees=("Léa Dubois", "Non attribué"), due_from=date(2026, 10, 1), due_to=date(2026, 12, 31))),
    "without an amount": ({"manque": ["montant"]}, Selection(missing=("montant",))),
    "searched": ({"q": "lyon"}, Selection(search="lyon")),
}


@pytest.fixture
def known(api: Api) -> Iterator[list[KnownDeal]]:
    deals = make_known_deals()
    insert_deals(api.engine, deals)
    clock.fix_today(TODAY)
    yield deals
    clock.fix_today(None)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_kpis_funnel_and_sectors_match_an_independent_computation(api: Api, known: list[KnownDeal],
                                                                   name: str) -> None:
    query, selection = SELECTIONS[name]
    chosen = [deal for deal in known if selection.matches(deal)]
    expected = expected_kpis(chosen)

    kpis = api.call("GET", "/kpis", "lecteur", params=query).json()
    assert kpis == {
        "nombre_deals": expected["deal_count"], "pipeline_pondere": _money(expected["weighted_pipeline"]),
        "deal_moyen": _money(expected["average_deal"]),
        "taux_conversion": None if expected["conversion_rate"] is None else str(expected["conversion_rate"]),
        "taux_gain": None if expected["win_rate"] is None else str(expected["win_rate"]),
        "deals_par_etape": expected["count_per_stage"],
        "sans_montant": expected["without_amount"]}

    funnel = api.call("GET", "/funnel", "lecteur", params=query).json()
    assert [step["etape"] for step in funnel] == ["Prospect", "Qualifié", "Négociation", "Gagné"]
    for step in funnel:
        in_stage = [deal for deal in chosen if deal.statut == step["etape"]]
        assert (step["nombre"], Decimal(step["brut"]), Decimal(step["pondere"])) == (
            len(in_stage), sum((d.montant_brut for d in valued(in_stage)), Decimal(0)),
            sum((d.weighted for d in valued(in_stage)), Decimal(0)))

    sectors = api.call("GET", "/sectors", "lecteur", params=query).json()
    by_total, top = expected_sectors(chosen)
    assert [(s["secteur"], Decimal(s["total"]), s["nombre"], s["nombre"] - s["sans_montant"])
            for s in sectors["secteurs"]] == by_total
    assert [s["secteur"] for s in sectors["top_moyenne"]] == top


def test_the_deal_list_pages_and_sorts_every_selected_deal_dated_or_not(api: Api, known: list[KnownDeal]) -> None:
    by_amount = sorted(known, key=lambda deal: (deal.montant_brut is None, -(deal.montant_brut or 0), deal.id))
    first = api.call("GET", "/deals", "lecteur", params={"tri": "-montant_brut", "page": 1, "par_page": 7}).json()
    second = api.call("GET", "/deals", "lecteur", params={"tri": "-montant_brut", "page": 2, "par_page": 7}).json()

    assert first["total"] == second["total"] == len(known)
    assert [row["id"] for row in first["deals"] + second["deals"]] == [deal.id for deal in by_amount[:14]]
    row = first["deals"][0]
    deal = by_amount[0]
    assert (row["client"], row["montant_brut"], row["statut"]) == (deal.client, _money(deal.montant_brut), deal.statut)


def test_the_deal_list_takes_the_page_url_filters(api: Api, known: list[KnownDeal]) -> None:
    query, selection = SELECTIONS["won or negotiating, in banking"]
    answer = api.call("GET", "/deals", "lecteur", params={**query, "par_page": 500}).json()
    chosen = [deal for deal in known if selection.matches(deal)]
    assert answer["total"] == len(chosen)
    assert sorted(row["id"] for row in answer["deals"]) == sorted(deal.id for deal in chosen)
    assert {row["statut"] for row in answer["deals"]} <= {"Gagné", "Négociation"}
    assert SLUG["Négociation"] in query["statut"]


@pytest.mark.parametrize(("query", "field"), [
    ({"statut": "gagné"}, "statut.0"), ({"du": "31/12/2026"}, "du"), ({"par_page": "100000"}, "par_page"),
    ({"tri": "mot_de_passe"}, "tri.0"), ({"manque": "tout"}, "manque.0"),
])
def test_a_bad_parameter_is_a_422_naming_it_in_french(api: Api, known: list[KnownDeal], query: dict,
                                                      field: str) -> None:
    answer = api.call("GET", "/deals", "lecteur", params=query)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "donnees_invalides" and field in body["champs"]
    assert body["message"].startswith("Données invalides")


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_each_figure_is_the_read_service_s(api: Api, known: list[KnownDeal], name: str) -> None:
    """The same numbers as the dashboard's own reads of the same selection (the cards, the funnel, the bars)."""
    query, selection = SELECTIONS[name]
    reads = DealReads(api.engine, VersionedCache(make_cache_backend(Settings(cache_type="simple"))))
    deal_filter = DealFilter.build(stages=selection.stages, sectors=selection.sectors, assignees=selection.assignees,
                                   due_from=selection.due_from, due_to=selection.due_to, search=selection.search,
                                   missing=selection.missing)

    def as_json(payload: object) -> object:
        return json.loads(json.dumps(payload, default=str))

    assert api.call("GET", "/kpis", "lecteur", params=query).json() == as_json(kpis_payload(reads.kpis(deal_filter)))
    assert api.call("GET", "/funnel", "lecteur", params=query).json() == as_json(
        funnel_payload(reads.funnel(deal_filter)))
    assert api.call("GET", "/sectors", "lecteur", params=query).json() == as_json(
        sectors_payload(reads.sectors(deal_filter)))
