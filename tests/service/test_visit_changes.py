"""'Since your last visit' on both databases: what the history recorded after an instant (deals created, moved,
won, lost) and the weighted pipeline then and now, against an independent walk of a known history.

Each deal's story is a list of (day, stage, amount) states written through the write service (so the triggers
record them), each write's history rows then dated to its day; a story ending in None was deleted that day.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from sqlalchemy import Engine, func, select, update

from data.models import DealEvent
from domain.stages import LOST, PROBABILITY, WON
from domain.visit_changes import MAX_LOOKBACK_DAYS, NAMES_SHOWN, visit_period_start
from services.cache import VersionedCache
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from wiring import make_cache_backend

START = datetime(2026, 10, 1, 9)
State = tuple[str, str | None] | None  # (stage, amount) or None: deleted
STORIES: dict[str, list[tuple[int, State]]] = {  # client -> [(day after START, state)]; the first is the creation
    "Alpine moved": [(1, ("Prospect", "10000")), (12, ("Qualifié", "10000"))],
    "Bellevue won": [(1, ("Négociation", "20000")), (13, (WON, "20000"))],
    "Colbert lost": [(2, ("Qualifié", "5000")), (14, (LOST, "5000"))],
    "Delta new": [(15, ("Prospect", "8000"))],
    "Éole repriced": [(1, ("Négociation", "30000")), (11, ("Négociation", "40000"))],
    "Faubourg still": [(1, ("Prospect", "1000"))],
    "Garonne before": [(1, ("Qualifié", "7000")), (5, ("Qualifié", "9000"))],
    "Horizon deleted": [(1, ("Qualifié", "4000")), (16, None)],
    "Iroise unvalued": [(3, ("Qualifié", None)), (17, ("Négociation", None))],
    "Jura moved twice": [(2, ("Prospect", "2000")), (8, ("Qualifié", "2000")), (12, ("Négociation", "2500")),
                         (18, ("Qualifié", "2500"))],
}


def _weighted(state: State) -> Decimal:
    if state is None or state[1] is None:
        return Decimal(0)
    return (Decimal(state[1]) * PROBABILITY[state[0]]).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _at(day: int) -> datetime:
    return START + timedelta(days=day)


def expected(since_day: float) -> dict:
    """The panel's figures, walked from the stories alone."""
    since = START + timedelta(days=since_day)
    then = now = Decimal(0)
    created, moved, won, lost = set(), set(), set(), set()
    for client, story in STORIES.items():
        if story[-1][1] is None:  # deleted: out of every figure (its values of then are not in the history)
            continue
        now += _weighted(story[-1][1])
        before = [state for day, state in story if _at(day) <= since]
        then += _weighted(before[-1]) if before else Decimal(0)
        if _at(story[0][0]) > since:
            created.add(client)
        for (_, previous), (day, state) in pairwise(story):
            if _at(day) > since and state[0] != previous[0]:
                {WON: won, LOST: lost}.get(state[0], moved).add(client)
    return {"created": created, "moved": moved, "won": won, "lost": lost, "then": then, "now": now}


@pytest.fixture
def reads(engine: Engine) -> DealReads:
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    writes = DealWrites(engine, cache)
    for client, story in STORIES.items():
        deal_id = None
        for day, state in story:
            with engine.connect() as connection:
                last_event = connection.scalar(select(func.coalesce(func.max(DealEvent.id), 0)))
            if deal_id is None:
                deal_id = writes.create_deal({"client": client, "statut": state[0], "montant_brut": state[1] or ""},
                                             "formulaire")
            else:
                record = DealReads(engine, cache).deal(deal_id)
                if state is None:
                    writes.remove_deal(deal_id, record.version, record.values, "formulaire")
                else:
                    typed = {**{k: "" if v is None else str(v) for k, v in asdict(record.values).items()},
                             "statut": state[0], "montant_brut": state[1] or "",
                             "motif_perte": "Prix" if state[0] == LOST else ""}
                    writes.change_deal(deal_id, record.version, record.values, typed, "formulaire")
            with engine.begin() as connection:
                connection.execute(update(DealEvent).where(DealEvent.id > last_event).values(at=_at(day)))
    cache.bump()
    return DealReads(engine, cache)


@pytest.mark.parametrize("since_day", [0, 4.5, 10.5, 12.5, 15.5, 30])
def test_changes_since_a_visit_match_the_walked_history(reads: DealReads, since_day: float) -> None:
    changes = reads.visit_changes(START + timedelta(days=since_day))
    want = expected(since_day)
    assert (changes.weighted_then, changes.weighted_now) == (want["then"], want["now"])
    for kind in ("created", "moved", "won", "lost"):
        named = getattr(changes, kind)
        assert named.count == len(want[kind]), kind
        assert set(named.clients) <= want[kind] and len(named.clients) == min(len(want[kind]), NAMES_SHOWN), kind
    assert changes.nothing_new == (since_day == 30)


def test_the_latest_clients_come_first(reads: DealReads) -> None:
    assert reads.visit_changes(_at(0)).moved.clients[:2] == ("Jura moved twice", "Iroise unvalued")


@pytest.mark.parametrize(("stored", "start"), [
    ("2026-11-20T08:30:00.000Z", datetime(2026, 11, 20, 8, 30)),
    ("2026-11-20T09:30:00+01:00", datetime(2026, 11, 20, 8, 30)),
    ("2020-01-01T00:00:00Z", datetime(2026, 11, 21, 12) - timedelta(days=MAX_LOOKBACK_DAYS)),
    ("2030-01-01T00:00:00Z", datetime(2026, 11, 21, 12)),
    ("hier", None), (None, None), (12, None), ("", None),
])
def test_the_browser_only_chooses_a_bounded_period(stored: object, start: datetime | None) -> None:
    assert visit_period_start(stored, datetime(2026, 11, 21, 12)) == start
