"""A Redis that stops under a running app, with a real redis-server process: the figures stay right (computed from
the database, one warning logged), a write made while it is away is never hidden by figures cached before it, and
the cache is used again once Redis answers."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from domain.deal_filter import DealFilter
from services.cache import RETRY_SECONDS
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from tests.redis_server import RedisServer
from tests.service.test_cache import import_deal
from tests.statement_counter import counting_statements
from wiring import make_cache

EVERYTHING = DealFilter()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def worker(engine: Engine, server: RedisServer) -> tuple[DealReads, DealWrites]:
    """The read side and the write path of one app process (one gunicorn worker) on the Redis cache."""
    cache = make_cache(Settings(cache_type="redis", redis_url=server.url))
    return DealReads(engine, cache, today=lambda: date(2026, 11, 21)), DealWrites(engine, cache)


def deal_count(reads: DealReads, engine: Engine) -> tuple[int, int]:
    """The KPI cards' deal count, and how many SQL statements reading it cost (0: the cache answered)."""
    with counting_statements(engine) as statements:
        count = reads.kpis(EVERYTHING).deal_count
    return count, len(statements)


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name == "services.cache" and record.levelno == logging.WARNING]


def test_redis_stopped_then_back_figures_right_one_warning_cache_used_again(
    engine: Engine, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    reads, writes = worker(engine, redis_server)
    import_deal(writes, "Avant", 500)
    assert deal_count(reads, engine)[0] == 1
    assert deal_count(reads, engine) == (1, 0)
    redis_server.save()  # Redis comes back with the version and the figures cached before it stopped
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="services.cache"):
        assert [deal_count(reads, engine) for _ in range(3)] == [(1, 1)] * 3
        import_deal(writes, "Pendant", 700)
        assert [deal_count(reads, engine) for _ in range(3)] == [(2, 1)] * 3
    assert len(cache_warnings(caplog)) == 1

    redis_server.start()
    time.sleep(RETRY_SECONDS)
    assert deal_count(reads, engine) == (2, 1)
    assert deal_count(reads, engine) == (2, 0)
    assert any(b":stages:" in key for key in redis_server.stored_keys())

    redis_server.stop()  # a second outage is told again
    with caplog.at_level(logging.WARNING, logger="services.cache"):
        assert deal_count(reads, engine) == (2, 1)
    assert len(cache_warnings(caplog)) == 2


def test_a_worker_idle_during_the_outage_never_serves_figures_from_before_a_write(
    engine: Engine, redis_server: RedisServer
) -> None:
    first_reads, first_writes = worker(engine, redis_server)
    idle_reads, _ = worker(engine, redis_server)
    import_deal(first_writes, "Avant", 500)
    assert deal_count(idle_reads, engine)[0] == 1
    assert deal_count(idle_reads, engine) == (1, 0)
    redis_server.save()
    redis_server.stop()

    import_deal(first_writes, "Pendant", 700)  # the new data version is lost: Redis is away
    redis_server.start()  # with the old version and the figures cached under it

    assert deal_count(idle_reads, engine) == (2, 1)
    assert deal_count(idle_reads, engine) == (2, 0)
    assert deal_count(first_reads, engine)[0] == 2
