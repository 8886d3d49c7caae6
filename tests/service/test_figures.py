"""Every figure of the service equals an independent computation over the same deals, on both databases,
for a matrix of filters that includes empty results, a single deal, missing sectors and due dates, deals
without an amount and at 0 €, the data-health filter (`manque=`) and the text search (`q=`: case, accents, LIKE's
wildcards as plain text, several words)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, text

from data import clock
from domain.deal_filter import SEARCH_MAX_LENGTH, DealFilter
from domain.pipeline_results import DeadlineScope
from services.cache import VersionedCache
from services.reads import DealReads
from settings import Settings
from tests.service.known_deals import (
    TODAY,
    KnownDeal,
    Selection,
    expected_deadline_ids,
    expected_health,
    expected_kpis,
    expected_sectors,
    insert_deals,
    make_known_deals,
    plain,
    valued,
)
from wiring import make_cache_backend

D = date.fromisoformat
SELECTIONS: dict[str, Selection] = {
    "everything": Selection(),
    "won only": Selection(stages=("Gagné",)),
    "two open stages": Selection(stages=("Prospect", "Négociation")),
    "lost only": Selection(stages=("Perdu",)),
    "one sector": Selection(sectors=("Logiciel",)),
    "no sector": Selection(sectors=("Non renseigné",)),
    "no sector or Santé": Selection(sectors=("Non renseigné", "Santé")),
    "injection-looking sector": Selection(sectors=("'; DROP TABLE deals;--",)),
    "single deal": Selection(sectors=("Secteur unique",)),
    "one salesperson": Selection(assignees=("Hugo Bernard",)),
    "no salesperson": Selection(assignees=("Non attribué",)),
    "days inside one month": Selection(due_from=D("2026-11-05"), due_to=D("2026-11-20")),
    "range with partial months": Selection(due_from=D("2026-10-15"), due_to=D("2027-01-10")),
    "whole months": Selection(due_from=D("2026-10-01"), due_to=D("2026-12-31")),
    "month edges": Selection(due_from=D("2026-10-31"), due_to=D("2026-12-01")),
    "from a date on": Selection(due_from=D("2026-12-02")),
    "up to a date": Selection(due_to=D("2026-11-20")),
    "one day": Selection(due_from=D("2026-11-24"), due_to=D("2026-11-24")),
    "range with no deal": Selection(due_from=D("2031-01-01"), due_to=D("2031-02-01")),
    "lost in one sector": Selection(stages=("Perdu",), sectors=("Logiciel",)),
    "everything combined": Selection(stages=("Qualifié", "Négociation", "Gagné"), sectors=("Santé", "Banque"),
                                     assignees=("Camille Martin", "Léa Dubois"), due_from=D("2026-09-20"),
                                     due_to=D("2027-02-14")),
    "text search": Selection(search="alpha"),
    "text search in notes": Selection(search="BUDGET"),
    "text search with no match": Selection(search="zzz introuvable"),
    "unknown stage": Selection(stages=("Signé",)),
    "without amount": Selection(missing=("montant",)),
    "without amount among the won": Selection(stages=("Gagné",), missing=("montant",)),
    "without due date": Selection(missing=("echeance",)),
    "without due date in a sector": Selection(sectors=("Logiciel", "Santé"), missing=("echeance",)),
    "without sector": Selection(missing=("secteur",)),
    "without salesperson for one stage": Selection(stages=("Négociation",), missing=("commercial",)),
    "overdue": Selection(missing=("retard",)),
    "overdue among the won": Selection(stages=("Gagné",), missing=("retard",)),
    "overdue in a range": Selection(due_from=D("2026-10-15"), due_to=D("2026-12-31"), missing=("retard",)),
    "without amount nor salesperson": Selection(missing=("montant", "commercial")),
    "without amount, searched": Selection(search="gamma", missing=("montant",)),
    "search without accents finds accented text": Selection(search="societe"),
    "search with accents and capitals": Selection(search="  SOCIÉTÉ "),
    "search finds capitals in notes": Selection(search="ecole"),
    "search in capitals finds lower case": Selection(search="ÉCOLE"),
    "search with an accent in the random clients": Selection(search="beta"),
    "search in the external reference": Selection(search="sg-2026"),
    "search for a ligature": Selection(search="oeuvres"),
    "search percent is literal": Selection(search="50%"),
    "search underscore is literal": Selection(search="eco_4"),
    "search slash is literal": Selection(search="2026/11"),
    "search backslash is literal": Selection(search="\\partage"),
    "search two words": Selection(search="societe generale"),
    "search two words the other way": Selection(search="Générale   Société"),
    "search two words in two fields": Selection(search="dupont ecole"),
    "search one word matches, the other not": Selection(search="societe zzz"),
    "search with stage and missing data": Selection(stages=("Prospect", "Négociation"), search="societe",
                                                    missing=("montant",)),
    "search in a date range and a sector": Selection(sectors=("Banque", "Industrie"), due_from=D("2026-11-21"),
                                                     due_to=D("2027-01-31"), search="generale"),
    # A search's figures come from one grouped read of what it finds (`domain.fact_groups`): the stage, sector
    # and salesperson choices, "no sector" and "no salesperson" among them, apply to those groups.
    "search in the notes, one stage": Selection(stages=("Négociation",), search="budget"),
    "search among the closed stages only": Selection(stages=("Gagné", "Perdu"), search="a"),
    "search in no sector or Santé": Selection(sectors=("Non renseigné", "Santé"), search="a"),
    "search for a salesperson or nobody": Selection(assignees=("Hugo Bernard", "Non attribué"), search="budget"),
    "search without sector": Selection(search="a", missing=("secteur",)),
    "search without salesperson nor amount": Selection(search="a", missing=("commercial", "montant")),
    "search without due date": Selection(sectors=("Logiciel", "Santé"), search="a", missing=("echeance",)),
    "search overdue": Selection(search="a", missing=("retard",)),
    "search overdue in a range": Selection(due_from=D("2026-10-15"), due_to=D("2026-12-31"), search="budget",
                                           missing=("retard",)),
    "search from a date on, two sectors": Selection(sectors=("Logiciel", "Banque"), due_from=D("2026-11-25"),
                                                    search="a"),
    "search, unknown stage": Selection(stages=("Signé",), search="a"),
}
# The search cases' deals, by id, written out by hand so the model above is checked too.
SEARCH_EXPECTED_IDS = {
    "search without accents finds accented text": {106, 107, 111},
    "search percent is literal": {107},
    "search underscore is literal": {108},
    "search two words": {106, 111},
    "search with stage and missing data": {107},
}


@pytest.fixture
def service_with_deals(engine: Engine) -> Iterator[tuple[DealReads, list[KnownDeal]]]:
    deals = make_known_deals()
    insert_deals(engine, deals)
    clock.fix_today(TODAY)
    yield DealReads(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple")))), deals
    clock.fix_today(None)


def build(selection: Selection) -> DealFilter:
    return DealFilter.build(stages=selection.stages, sectors=selection.sectors, assignees=selection.assignees,
                            due_from=selection.due_from, due_to=selection.due_to, search=selection.search,
                            missing=selection.missing)


@pytest.mark.parametrize("name", list(SEARCH_EXPECTED_IDS))
def test_the_search_model_selects_the_deals_written_out(name: str) -> None:
    assert {deal.id for deal in make_known_deals() if SELECTIONS[name].matches(deal)} == SEARCH_EXPECTED_IDS[name]


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_figures_match_an_independent_computation(service_with_deals, name: str) -> None:
    service, deals = service_with_deals
    selection = SELECTIONS[name]
    chosen = [deal for deal in deals if selection.matches(deal)]
    deal_filter = build(selection)

    kpis = service.kpis(deal_filter)
    assert vars(kpis) == expected_kpis(chosen)

    funnel = {step.stage: (step.count, step.gross, step.weighted) for step in service.funnel(deal_filter)}
    for stage in ("Prospect", "Qualifié", "Négociation", "Gagné"):
        in_stage = [deal for deal in chosen if deal.statut == stage]
        assert funnel[stage] == (len(in_stage), sum((d.montant_brut for d in valued(in_stage)), 0),
                                 sum((d.weighted for d in valued(in_stage)), 0))
    assert list(funnel) == ["Prospect", "Qualifié", "Négociation", "Gagné"]

    sectors = service.sectors(deal_filter)
    by_total, top_names = expected_sectors(chosen)
    assert [(s.sector, s.total, s.count, s.with_amount) for s in sectors.totals] == by_total
    assert [s.sector for s in sectors.top_by_average] == top_names

    assert vars(service.data_health(deal_filter)) == expected_health(chosen)

    for scope in DeadlineScope:
        expected_ids = expected_deadline_ids(chosen, scope.value, without_due_date="echeance" in selection.missing)
        page = service.deadlines(deal_filter, scope, offset=0, limit=10)
        assert page.total == len(expected_ids)
        assert [row.id for row in page.rows] == expected_ids[:10]
        assert service.deadline_counts(deal_filter).for_scope(scope) == len(expected_ids)


def test_empty_selection_has_explicit_no_data_values(service_with_deals) -> None:
    service, _ = service_with_deals
    nothing = DealFilter.build(stages=["Gagné"], sectors=["Secteur unique"])
    kpis = service.kpis(nothing)
    assert (kpis.deal_count, kpis.weighted_pipeline, kpis.average_deal, kpis.conversion_rate, kpis.win_rate) == (
        0, None, None, None, None)
    assert service.sectors(nothing).totals == ()
    assert service.deadlines(nothing).rows == ()


def test_deadline_rows_page_and_sort_on_the_server(service_with_deals) -> None:
    service, deals = service_with_deals
    dated = [deal for deal in deals if deal.date_echeance]
    # Deals without an amount come last in either direction, on both databases.
    by_amount = sorted(dated, key=lambda deal: (deal.montant_brut is None, -(deal.montant_brut or 0), deal.id))
    page = service.deadlines(DealFilter(), DeadlineScope.ALL, sort=(("montant_brut", True),), offset=5, limit=7)
    assert [row.id for row in page.rows] == [deal.id for deal in by_amount[5:12]]
    by_client = sorted(dated, key=lambda deal: (deal.client, deal.id))
    page = service.deadlines(DealFilter(), DeadlineScope.ALL, sort=(("client", False),), offset=0, limit=4)
    assert [row.client for row in page.rows] == [deal.client for deal in by_client[:4]]
    row = service.deadlines(DealFilter(), DeadlineScope.OVERDUE, limit=1).rows[0]
    assert row.is_overdue and row.days_left < 0
    closed = service.deadlines(DealFilter.build(stages=["Gagné", "Perdu"]), DeadlineScope.ALL, limit=50).rows
    assert closed and all(row.days_left is None and not row.is_overdue for row in closed)


def test_filter_options_count_every_value(service_with_deals) -> None:
    service, deals = service_with_deals
    options = service.filter_options()
    assert dict(options.sectors) == {
        name: sum((deal.secteur or "Non renseigné") == name for deal in deals)
        for name in {deal.secteur or "Non renseigné" for deal in deals}
    }
    assert dict(options.assignees)["Non attribué"] == sum(deal.assignee is None for deal in deals)
    assert [stage for stage, _ in options.stages] == ["Prospect", "Qualifié", "Négociation", "Gagné", "Perdu"]


def test_a_hostile_sector_name_is_only_a_value(service_with_deals, engine: Engine) -> None:
    service, _ = service_with_deals
    service.kpis(DealFilter.build(sectors=["'; DROP TABLE deals;--"]))
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == len(make_known_deals())


def test_filter_is_normalised_and_hashable() -> None:
    one = DealFilter.build(stages=["Gagné", "Prospect", "Gagné"], sectors=[" BTP "], due_from="2026-12-31",
                           due_to=date(2026, 1, 1))
    two = DealFilter.build(stages=("Prospect", "Gagné"), sectors={"BTP"}, due_from="2026-01-01",
                           due_to="2026-12-31")
    assert one == two and hash(one) == hash(two) and one.cache_key() == two.cache_key()
    assert one.stages == ("Prospect", "Gagné")
    assert DealFilter.build(stages=[], sectors=None).cache_key() == DealFilter().cache_key()


def test_a_nul_character_in_a_selection_is_dropped_and_the_figures_still_answer(service_with_deals) -> None:
    """PostgreSQL refuses a NUL in any text: a hand-made URL or API query holding one selects as without it."""
    service, deals = service_with_deals
    forged = DealFilter.build(sectors=["Banque\x00"], assignees=["\x00"], search="ly\x00on")
    assert forged == DealFilter.build(sectors=["Banque"], search="lyon")
    assert service.kpis(forged).deal_count == sum(
        deal.secteur == "Banque" and "lyon" in plain(f"{deal.client} {deal.notes or ''} {deal.ref_externe or ''}")
        for deal in deals)


def test_sorting_by_amount_puts_the_deals_to_estimate_last_both_ways(service_with_deals) -> None:
    service, deals = service_with_deals
    dated = [deal for deal in deals if deal.date_echeance]
    unvalued = sum(deal.montant_brut is None for deal in dated)
    for descending in (False, True):
        page = service.deadlines(DealFilter(), DeadlineScope.ALL, sort=(("montant_brut", descending),), offset=0,
                                 limit=100)
        amounts = [row.montant_brut for row in page.rows]
        assert amounts[len(amounts) - unvalued:] == [None] * unvalued
        assert amounts[:len(amounts) - unvalued] == sorted(amounts[:len(amounts) - unvalued], reverse=descending)


def test_the_search_is_trimmed_collapsed_and_capped() -> None:
    assert DealFilter.build(search="  Société \t  Générale \n").search == "Société Générale"
    assert DealFilter.build(search="   ") == DealFilter.build(search=None) == DealFilter()
    capped = DealFilter.build(search="a" * 99 + " b" + "c" * 50).search
    assert capped == "a" * 99  # cut after the space at the 100th character, which goes too
    assert DealFilter.build(search="x" * 500).search == "x" * SEARCH_MAX_LENGTH


def test_an_unknown_missing_value_from_a_hand_edited_url_is_ignored() -> None:
    assert DealFilter.build(missing=["montant", "n'importe quoi", "montant"]).missing == ("montant",)
    assert DealFilter.build(missing="retard") == DealFilter.build(missing=["retard"])
