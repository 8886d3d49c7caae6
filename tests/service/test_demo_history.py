"""The demo deals come with a true history on both databases: created as prospects, moved stage by stage to where
they stand (recorded by the triggers), on dates before today, some left to go cold."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, select

from data.demo import generate_demo_deals
from data.models import Deal, DealEvent
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
