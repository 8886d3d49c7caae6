"""The cache: fresh figures right after a write through the app, in every process sharing the backend;
writes made outside the app visible after the timeout; a hit never reaches the database."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from data.db import make_engine
from domain.deal_filter import DealFilter
from services.cache import VersionedCache
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from tests.statement_counter import counting_statements
from wiring import make_cache_backend

EVERYTHING = DealFilter()


ROOT = Path(__file__).resolve().parents[2]


def new_service(engine: Engine, settings: Settings) -> DealReads:
    return new_services(engine, settings)[0]


def new_services(engine: Engine, settings: Settings) -> tuple[DealReads, DealWrites]:
    """The read side and the write path of one app instance, on one cache backend."""
    cache = VersionedCache(make_cache_backend(settings))
    return DealReads(engine, cache, today=lambda: date(2026, 11, 21)), DealWrites(engine, cache)


def import_deal(writes: DealWrites, client: str, amount: int) -> None:
    """One deal written through the app's write path (an import), as the upload area does."""
    outcome = writes.import_file(f"Client;Statut;Montant\r\n{client};Gagné;{amount}\r\n".encode(), "ajout.csv")
    assert outcome.run_id is not None, outcome.message


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
    service, writes = new_services(engine, Settings(cache_type="simple"))
    assert service.kpis(EVERYTHING).deal_count == 0
    seeded = writes.seed_demo(date(2026, 11, 21))
    assert service.kpis(EVERYTHING).deal_count == seeded
    assert service.has_demo_data()
    writes.remove_demo()
    assert service.kpis(EVERYTHING).deal_count == 0
    assert not service.has_demo_data()


def test_two_app_instances_sharing_a_cache_never_disagree_after_a_write(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(cache_type="filesystem", cache_dir=str(tmp_path / "cache"))
    other_engine = make_engine(database_url)
    first, first_writes = new_services(engine, settings)
    second, second_writes = new_services(other_engine, settings)
    assert first.kpis(EVERYTHING).deal_count == second.kpis(EVERYTHING).deal_count == 0
    import_deal(first_writes, "Premier", 500)
    assert first.kpis(EVERYTHING).deal_count == second.kpis(EVERYTHING).deal_count == 1

    import_deal(second_writes, "Second", 700)
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


def test_cache_keys_are_the_same_in_every_process() -> None:
    """Workers share a cache backend: another interpreter (another hash seed) must build the same key."""
    chosen = {"sectors": ["BTP", "Santé"], "stages": ["Gagné"], "due_from": "2026-11-01", "search": "acme"}
    code = ("import json, sys; from domain.deal_filter import DealFilter; "
            "print(DealFilter.build(**json.loads(sys.argv[1])).cache_key())")
    keys = {subprocess.run([sys.executable, "-c", code, json.dumps(chosen)], cwd=ROOT, capture_output=True,
                           text=True, check=True, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout.strip()
            for seed in ("1", "2")}
    assert keys == {DealFilter.build(**chosen).cache_key()}
    assert DealFilter.build(stages=["Gagné"], sectors=["Santé", "BTP"], due_from="2026-11-01",
                            search=" acme ").cache_key() in keys


def test_requests_asking_at_once_for_the_same_figure_compute_it_once() -> None:
    cache = VersionedCache(make_cache_backend(Settings(database_url="sqlite://")))
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


def test_a_search_reads_the_deals_it_finds_once_for_every_figure_and_every_choice_on_top(engine: Engine) -> None:
    service = new_service(engine, Settings(cache_type="simple"))
    add_deal(engine)
    searched = DealFilter.build(search="ajout")
    with counting_statements(engine) as cold:
        service.kpis(searched)
        service.funnel(searched)
        service.sectors(searched)
        service.data_health(searched)
        service.deadline_counts(searched)
        service.kpis(DealFilter.build(search="ajout", stages=["Gagné"], sectors=["Non renseigné"]))
    assert len(cold) == 1
    assert service.kpis(searched).deal_count == 1
    with counting_statements(engine) as warm:
        service.sectors(searched)
        service.data_health(searched)
    assert warm == []


def test_a_figure_derived_from_another_cached_one_never_waits_for_a_lock_it_holds(monkeypatch) -> None:
    cache = VersionedCache(make_cache_backend(Settings(database_url="sqlite://")))
    monkeypatch.setattr("services.cache.LOCK_STRIPES", 1)  # every key behind the same lock
    answers: list[int] = []

    def derive_twice() -> None:
        answers.append(cache.remember_derived("kpis", "all", lambda: cache.remember("groups", "all", lambda: 21),
                                              lambda groups: groups * 2))

    worker = threading.Thread(target=derive_twice, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert answers == [42]
    assert cache.remember_derived("kpis", "all", lambda: 0, lambda groups: groups) == 42  # the stored value
