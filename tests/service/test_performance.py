"""The performance reads on both databases, against a plain-Python walk of a known history: per salesperson,
the velocity levers, the forecast by close month and the stage movement, for many selections (empty ones
too)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from domain.deal_filter import DealFilter
from domain.stages import OPEN_STAGES
from services.cache import VersionedCache
from services.performance import PerformanceReads
from services.writes import DealWrites
from settings import Settings
from tests.service.known_deals import TODAY, Selection, as_filter
from tests.service.known_history import (
    ScriptedDeal,
    expected_by_person,
    expected_forecast,
    expected_movement,
    expected_person,
    make_history,
    month_edge_deals,
    performance_on,
)
from wiring import make_cache_backend

HISTORY = make_history()
HISTORY += month_edge_deals(first_id=len(HISTORY) + 1)
SELECTIONS = [
    Selection(),
    Selection(assignees=("Camille Martin",)),
    Selection(assignees=("Non attribué", "Léa Dubois")),
    Selection(sectors=("Banque",)),
    Selection(sectors=("Non renseigné",), assignees=("Hugo Bernard",)),
    Selection(stages=("Prospect", "Qualifié")),
    Selection(stages=("Gagné",)),
    Selection(stages=("Perdu",)),
    Selection(due_from=TODAY, due_to=TODAY + timedelta(days=120)),
    Selection(search="relance"),
    Selection(missing=("montant",)),
    Selection(missing=("retard",)),
    Selection(assignees=("Personne",)),
    Selection(search="introuvable"),
]



@pytest.fixture
def performance(engine: Engine, cache: VersionedCache) -> PerformanceReads:
    return performance_on(engine, cache, HISTORY)


def chosen(selection: Selection) -> list[ScriptedDeal]:
    return [item for item in HISTORY if selection.matches(item.deal)]


def close_days(found: Decimal | None, expected: Decimal | None) -> bool:
    """Averages of day fractions agree to the cent of a day (the databases round their division their way)."""
    return (found is None) == (expected is None) and (found is None or abs(found - expected) <= Decimal("0.01"))


def test_the_history_covers_the_awkward_cases() -> None:
    stays = [stay for item in HISTORY for stay in item.stays()]
    assert any(item.deal.statut == "Gagné" and item.won_at() is None for item in HISTORY)  # created won
    assert any(item.won_at() is not None for item in HISTORY)
    assert any(stay[3] == "Perdu" for stay in stays) and any(stay[2] is None for stay in stays)
    assert any(item.deal.montant_brut is None for item in HISTORY)
    assert any(item.deal.assignee is None for item in HISTORY)


@pytest.mark.parametrize("selection", SELECTIONS, ids=str)
def test_each_salesperson_has_the_figures_of_their_deals(performance: PerformanceReads, selection: Selection) -> None:
    expected = expected_by_person(chosen(selection))
    found = {person.assignee: person for person in performance.assignees(as_filter(selection))}
    assert set(found) == set(expected)
    for name, person in found.items():
        wanted = expected[name]
        assert (person.open_gross, person.open_weighted, person.won_amount, person.won, person.lost,
                person.deal_count, person.average_deal, person.stale) == (
            wanted["open_gross"], wanted["open_weighted"], wanted["won_amount"], wanted["won"], wanted["lost"],
            wanted["deal_count"], wanted["average_deal"], wanted["stale"]), name
        assert close_days(person.average_cycle_days, wanted["average_cycle_days"]), name
        closed = wanted["won"] + wanted["lost"]
        assert person.win_rate == (None if closed == 0 else round(Decimal(wanted["won"]) / closed, 6))


@pytest.mark.parametrize("selection", SELECTIONS, ids=str)
def test_the_velocity_levers_are_the_selection_s(performance: PerformanceReads, selection: Selection) -> None:
    wanted = expected_person(chosen(selection))
    levers = performance.levers(as_filter(selection))
    closed = wanted["won"] + wanted["lost"]
    assert (levers.open_deals, levers.average_deal, levers.weighted_pipeline) == (
        wanted["open_deals"], wanted["average_deal"], wanted["open_weighted"])
    assert levers.win_rate == (None if closed == 0 else round(Decimal(wanted["won"]) / closed, 6))
    assert close_days(levers.average_cycle_days, wanted["average_cycle_days"])


@pytest.mark.parametrize("selection", SELECTIONS, ids=str)
def test_the_forecast_buckets_open_deals_by_close_month(performance: PerformanceReads, selection: Selection) -> None:
    cells, won, undated = expected_forecast(chosen(selection))
    forecast = performance.forecast(as_filter(selection))
    assert {(cell.bucket, cell.stage): (cell.count, cell.gross, cell.weighted) for cell in forecast.cells} == cells
    assert forecast.undated == undated
    assert forecast.months[0] == "En retard" and forecast.months[1] == f"{TODAY:%Y-%m}" and len(forecast.months) == 13
    assert len(forecast.past_months) == 12 and forecast.past_months[-1] == f"{TODAY:%Y-%m}"
    assert dict(zip(forecast.past_months, forecast.won_by_month, strict=True)) == {
        month: won.get(month, Decimal("0.00")) for month in forecast.past_months}


@pytest.mark.parametrize("selection", SELECTIONS, ids=str)
def test_stage_movement_over_the_last_twelve_months(performance: PerformanceReads, selection: Selection) -> None:
    start, end = date(2025, 12, 1), date(2026, 11, 30)  # the 12 calendar months to the end of TODAY's (2026-11-21)
    expected = expected_movement(chosen(selection), start, end)
    conversion = performance.stage_conversion(as_filter(selection))
    assert (conversion.start, conversion.end) == (start, end)
    assert [movement.stage for movement in conversion.stages] == list(OPEN_STAGES)
    for movement in conversion.stages:
        entered, advanced, lost, average = expected[movement.stage]
        assert (movement.entered, movement.advanced, movement.lost) == (entered, advanced, lost), movement.stage
        assert close_days(movement.average_days, average), movement.stage


@pytest.mark.parametrize(("start", "end"), [(date(2025, 6, 1), date(2025, 12, 31)), (TODAY, TODAY - timedelta(days=90)),
                                            (date(2026, 10, 5), date(2026, 10, 20)),
                                            (date(2020, 1, 1), date(2020, 12, 31))])
def test_stage_movement_over_a_picked_period(performance: PerformanceReads, start: date, end: date) -> None:
    for selection in (Selection(), Selection(assignees=("Hugo Bernard",))):
        expected = expected_movement(chosen(selection), min(start, end), max(start, end))
        conversion = performance.stage_conversion(as_filter(selection), start, end)
        found = {m.stage: (m.entered, m.advanced, m.lost) for m in conversion.stages}
        assert found == {stage: figures[:3] for stage, figures in expected.items()}


@pytest.mark.parametrize("selection", SELECTIONS[:6] + SELECTIONS[8:10], ids=str)
def test_the_page_s_reads_side_by_side_answer_as_each_read_alone(engine: Engine, performance: PerformanceReads,
                                                                 selection: Selection) -> None:
    """`page` sends its reads from threads, each on a connection of its own, into a cold cache; a second reader
    with a cache of its own makes them one by one."""
    alone = PerformanceReads(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple"))),
                             today=lambda: TODAY)
    deal_filter = as_filter(selection)
    start, end = date(2026, 3, 10), date(2026, 10, 20)

    page = performance.page(deal_filter, start, end)

    assert page.assignees == alone.assignees(replace(deal_filter, assignees=()))
    assert page.forecast == alone.forecast(deal_filter)
    assert page.trend == alone.trend(deal_filter)
    assert page.stage_conversion == alone.stage_conversion(deal_filter, start, end)


def test_a_write_through_the_app_is_seen_at_once(engine: Engine, cache: VersionedCache,
                                                 performance: PerformanceReads) -> None:
    before = performance.levers(DealFilter())
    DealWrites(engine, cache).create_deal({"client": "Nouveau", "statut": "Prospect", "montant_brut": "1000"},
                                          "formulaire")
    after = performance.levers(DealFilter())
    assert (after.open_deals, after.weighted_pipeline) == (before.open_deals + 1,
                                                           before.weighted_pipeline + Decimal("100.00"))
