"""The demo deals come with a true history on both databases: created as prospects, moved stage by stage to where
they stand (recorded by the triggers), on dates before today, some left to go cold."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, insert, select

from data import pipeline_changes
from data.demo import generate_demo_deals
from data.models import Deal, DealEvent, PipelineChange
from domain.deal_filter import DealFilter
from domain.stages import OPEN_STAGES, STAGE_NAMES
from domain.staleness import ColdRule, quiet_days, start_of_paris_day
from services.cache import VersionedCache
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from wiring import make_cache_backend

TODAY = date(2026, 11, 21)


def test_every_demo_deal_reached_its_stage_through_its_history(engine: Engine) -> None:
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    DealWrites(engine, cache).seed_demo(TODAY)
    with engine.connect() as connection:
        stages = dict(connection.execute(select(Deal.id, Deal.statut)).all())
        e = DealEvent
        events = connection.execute(select(e.deal_id, e.action, e.field, e.old_value, e.new_value, e.at, e.source)
                                    .order_by(e.deal_id, e.at, e.id)).all()
    assert len(stages) == len(list(generate_demo_deals(TODAY)))
    assert {event.source for event in events} == {"démo"}
    assert max(event.at for event in events) < start_of_paris_day(TODAY)

    last_change = {}
    for deal_id, stage in stages.items():
        story = [event for event in events if event.deal_id == deal_id]
        assert story[0].action == "created"
        moves = [(event.old_value, event.new_value) for event in story if event.field == "statut"]
        walked = [STAGE_NAMES[0], *(new for _old, new in moves)]
        assert walked[-1] == stage
        assert all(old == before for (old, _new), before in zip(moves, walked, strict=False))
        last_change[deal_id] = story[-1].at

    rule = ColdRule()
    cold = [deal_id for deal_id, stage in stages.items()
            if stage in OPEN_STAGES and quiet_days(last_change[deal_id], TODAY) > rule.days]
    open_deals = sum(stage in OPEN_STAGES for stage in stages.values())
    assert 0.15 * open_deals < len(cold) < 0.5 * open_deals  # some, not most
    reads = DealReads(engine, cache, today=lambda: TODAY)
    assert reads.deadline_counts(DealFilter()).cold_deals == len(cold)
    assert min(last_change.values()) > start_of_paris_day(TODAY - timedelta(days=400))


def _moves(engine: Engine) -> dict[tuple, int]:
    """The trend's moves as (week, stage, sector, salesperson, "n" or "cents") -> value, zeros left out."""
    c = PipelineChange
    with engine.connect() as connection:
        rows = connection.execute(select(c.change_day, c.statut, c.secteur, c.assignee, c.n, c.ponderee)).all()
    found: dict[tuple, int] = {}
    for day, stage, sector, assignee, n, weighted in rows:
        found = _added(found, {(day, stage, sector, assignee, "n"): int(n),
                               (day, stage, sector, assignee, "cents"): int(Decimal(str(weighted)) * 100)})
    return found


def test_seeding_places_the_demo_s_moves_on_its_history_and_keeps_the_founder_s(engine: Engine) -> None:
    """The founder's own moves (one of a deal deleted since, which no history can rebuild) stay; the demo deals'
    moves are those their dated history gives, as a whole rebuild would place them."""
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    writes = DealWrites(engine, cache)
    writes.create_deal({"client": "Le mien", "statut": "Négociation", "montant_brut": "1000"}, "formulaire")
    with engine.begin() as connection:
        connection.execute(insert(PipelineChange), [
            {"change_day": datetime(2026, 8, 31), "statut": "Prospect", "secteur": None, "assignee": None, "n": 1,
             "ponderee": Decimal("50.00")},
            {"change_day": datetime(2026, 9, 28), "statut": "Prospect", "secteur": None, "assignee": None, "n": -1,
             "ponderee": Decimal("-50.00")}])
    founders = _moves(engine)

    writes.seed_demo(TODAY)
    seeded = _moves(engine)
    with engine.begin() as connection:
        pipeline_changes.rebuild(connection)  # every present deal from its history: the founder's deal and the demo's
    rebuilt = _moves(engine)
    deleted_deal = {key: value for key, value in founders.items() if key[0] < datetime(2026, 11, 1)}
    assert len(deleted_deal) == 4 and seeded == _added(rebuilt, deleted_deal)  # two weeks, deals and cents
    assert any(key[0] < datetime(2026, 11, 1) for key in rebuilt)  # the demo's moves lie in the past


def _added(first: dict[tuple, int], second: dict[tuple, int]) -> dict[tuple, int]:
    """Both sums key by key, the keys that come to zero left out."""
    total = dict(first)
    for key, value in second.items():
        total[key] = total.get(key, 0) + value
    return {key: value for key, value in total.items() if value}


def test_removing_the_demo_leaves_no_trace_in_the_trend(engine: Engine) -> None:
    """After the demo's removal the moves are the founder's alone, as before it was seeded: no past week shows
    the demo's pipeline."""
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    writes = DealWrites(engine, cache)
    writes.create_deal({"client": "Le mien", "statut": "Négociation", "montant_brut": "1000"}, "formulaire")
    before = _moves(engine)
    writes.seed_demo(TODAY)
    assert _moves(engine) != before
    writes.remove_demo()
    assert _moves(engine) == before
