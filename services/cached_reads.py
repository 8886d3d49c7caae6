"""What every cached read service shares: the engine, the versioned cache, the clock and the cold-deal rule, and
a connection that turns an unreachable database into the app's French error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Connection, Engine

from data import clock
from domain.staleness import DEFAULT_COLD_RULE, ColdRule
from services.cache import VersionedCache
from services.reachability import database_reachable


class CachedReads:
    """The parts of `DealReads` and `PerformanceReads` that are the same: one database, one cache, one today."""

    def __init__(self, engine: Engine, cache: VersionedCache, today: Callable[[], date] = clock.today,
                 cold_rule: ColdRule = DEFAULT_COLD_RULE) -> None:
        self._engine = engine
        self._cache = cache
        self._today = today
        self._cold_rule = cold_rule

    @property
    def cold_rule(self) -> ColdRule:
        """When an open deal is cold (`STALE_DAYS`), for the grid's scope and the exports of it."""
        return self._cold_rule

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        with database_reachable(), self._engine.connect() as connection:
            yield connection
