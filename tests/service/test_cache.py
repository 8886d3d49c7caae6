"""The cache: fresh figures right after a write through the app, in every process sharing the backend;
writes made outside the app visible after the timeout; a hit never reaches the database."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from data.db import make_engine
from data.demo import seed_demo
from services.cache import VersionedCache, make_cache
from services.deal_service import DealService
from services.filters import DealFilter
from settings import Settings
from tests.statement_counter import counting_statements

EVERYTHING = DealFilter()


def new_service(engine: Engine, settings: Settings) -> DealService:
    return DealService(engine, VersionedCache(make_cache(settings)), today=lambda: date(2026, 11, 21))


def add_deal(engine: Engine, amount: int = 1000) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Ajout', 'Gagné', :amount)"),
                           {"amount": amount})


def test_a_cache_hit_does_not_touch_the_database(engine: Engine) -> None:
    service = new_service(engine, Settings(cache_type="simple"))
    add_deal(engine)
    with counting_statements(engine) as cold:
        service.kpis(EVERYTHING)
        service.sectors(EVERYTHING)
        service.deadlines(EVERYTHING)
        service.filter_options()
    assert len(cold) >= 4
    with counting_statements(engine) as warm:
        service.kpis(EVERYTHING)
        service.funnel(EVERYTHING)
        service.sectors(EVERYTHING)
        service.deadlines(EVERYTHING)
        service.filter_options()
    assert warm == []


def test_kpis_and_funnel_share_one_statement(engine: Engine) -> None:
    service = new_service(engine, Settings(cache_type="simple"))
    with counting_statements(engine) as statements:
        service.kpis(EVERYTHING)
        service.funnel(EVERYTHING)
    assert len(statements) == 1


def test_a_write_through_the_service_is_seen_by_the_next_read(engine: Engine) -> None:
    service = new_service(engine, Settings(cache_type="simple"))
    seed_demo(engine, date(2026, 11, 21))
    service.data_changed()
    assert service.kpis(EVERYTHING).deal_count > 0
    assert service.has_demo_data()
    service.remove_demo_data()
    assert service.kpis(EVERYTHING).deal_count == 0
    assert not service.has_demo_data()


def test_two_app_instances_sharing_a_cache_never_disagree_after_a_write(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(cache_type="filesystem", cache_dir=str(tmp_path / "cache"))
    other_engine = make_engine(database_url)
    first, second = new_service(engine, settings), new_service(other_engine, settings)
    add_deal(engine, 500)
    first.data_changed()
    assert first.kpis(EVERYTHING).deal_count == second.kpis(EVERYTHING).deal_count == 1

    add_deal(engine, 700)
    second.data_changed()
    assert first.kpis(EVERYTHING) == second.kpis(EVERYTHING)
    assert first.kpis(EVERYTHING).deal_count == 2
    other_engine.dispose()


def test_a_write_outside_the_app_shows_after_the_timeout(engine: Engine) -> None:
    service = new_service(engine, Settings(cache_type="simple", cache_timeout=1))
    add_deal(engine)
    assert service.kpis(EVERYTHING).deal_count == 1
    add_deal(engine)
    assert service.kpis(EVERYTHING).deal_count == 1
    time.sleep(1.2)
    assert service.kpis(EVERYTHING).deal_count == 2


def test_cache_keys_hold_no_object_identity() -> None:
    first = DealFilter.build(sectors=["BTP"], stages=["Gagné"])
    second = DealFilter.build(stages=["Gagné"], sectors=["BTP"])
    assert first is not second
    assert first.cache_key() == second.cache_key()
    assert str(id(first)) not in first.cache_key()


def test_requests_asking_at_once_for_the_same_figure_compute_it_once() -> None:
    cache = VersionedCache(make_cache(Settings(database_url="sqlite://")))
    started = threading.Event()
    calls: list[int] = []

    def slow_query() -> int:
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return 42

    first = threading.Thread(target=lambda: cache.remember("stages", "all", slow_query))
    first.start()
    started.wait(timeout=5)
    answers = [cache.remember("stages", "all", slow_query)]  # asked while the first request computes
    first.join()

    assert answers == [42]
    assert calls == [1]
