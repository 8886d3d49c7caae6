"""`GET /health` over real HTTP, on both databases: 200 when all is well, 503 naming the part that is not, and
nothing in the body beyond the three states."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from data.migrate import downgrade, upgrade
from settings import Settings
from tests.conftest import allow_connections
from tests.security.conftest import Served, serve

HEALTHY = {"database": "ok", "migrations": "head", "cache": "ok"}


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served_fresh(empty_database_url: str) -> Iterator[Served]:
    """The app on a database of its own (the tests below take it down or back a migration)."""
    yield from serve(Settings(database_url=empty_database_url, demo_data=False, cache_type="simple"))


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, str]
    cache_control: str | None


def _health(served: Served) -> Answer:
    """`GET /health` as a monitor sends it (an error status is an answer too, not an exception)."""
    try:
        with urllib.request.urlopen(f"{served.url}/health", timeout=10) as response:
            return Answer(response.status, json.load(response), response.headers["Cache-Control"])
    except urllib.error.HTTPError as error:
        return Answer(error.code, json.load(error), error.headers["Cache-Control"])


def test_health_says_every_part_is_fine(served_fresh: Served) -> None:
    answer = _health(served_fresh)

    assert answer.status_code == 200
    assert answer.body == HEALTHY
    assert answer.cache_control == "no-store"


def test_health_names_a_schema_behind_the_code(served_fresh: Served) -> None:
    downgrade(served_fresh.engine, "-1")

    answer = _health(served_fresh)

    assert answer.status_code == 503
    assert answer.body == {**HEALTHY, "migrations": "behind"}
    upgrade(served_fresh.engine)
    assert _health(served_fresh).body == HEALTHY


def test_health_names_the_database_when_it_is_down_then_recovers(served_fresh: Served,
                                                                empty_database_url: str) -> None:
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("a SQLite file cannot refuse connections")
    allow_connections(empty_database_url, allowed=False)
    try:
        answer = _health(served_fresh)
    finally:
        allow_connections(empty_database_url, allowed=True)

    assert answer.status_code == 503
    assert answer.body == {"database": "down", "migrations": "unknown", "cache": "ok"}
    assert _health(served_fresh).body == HEALTHY


@pytest.fixture
def served_without_redis(empty_database_url: str) -> Iterator[Served]:
    """The app set to share its cache through a Redis that is not running."""
    yield from serve(Settings(database_url=empty_database_url, demo_data=False, cache_type="redis",
                              redis_url=f"redis://127.0.0.1:{_closed_port()}/0"))


def test_health_names_the_cache_when_redis_does_not_answer(served_without_redis: Served) -> None:
    answer = _health(served_without_redis)

    assert answer.status_code == 503
    assert answer.body == {**HEALTHY, "cache": "down"}
