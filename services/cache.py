"""One flask-caching cache in front of the queries, keyed on the query, its arguments and a data version.

The data version lives in the cache backend itself, so every worker and process sharing the backend sees
a write at once: a write made through the app stores a new version, and every older entry stops being
reachable. Entries expire after the cache timeout, which bounds how long a write made outside the app
(psql, a script) can stay unseen. Keys are built from values only (no object id, no memory address).

The backend is handed in (`wiring.make_cache_backend` builds the flask-caching one the settings choose),
so the service layer runs the same under Dash, the command line and the tests, and imports no Flask.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
VERSION_KEY = "crm:data-version"
NEVER_EXPIRES = 0
LOCK_STRIPES = 64
HEALTH_PROBE_SECONDS = 5


class CacheBackend(Protocol):
    """What the service needs of a cache backend: the part of flask-caching's `BaseCache` it calls."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any: ...


class VersionedCache:
    """Memoises query results under keys that include the current data version."""

    def __init__(self, cache: CacheBackend) -> None:
        self._cache = cache
        # A filter change sends several requests at once, and some need the same query (the KPI cards and
        # the deadline counts both read the per-stage totals): one computes, the others wait for its answer
        # instead of running the same SQL beside it. A fixed set of locks, picked by key, bounds the memory.
        self._locks = tuple(threading.Lock() for _ in range(LOCK_STRIPES))

    def data_version(self) -> str:
        """The current version, created on first use (by whichever process asks first)."""
        version = self._cache.get(VERSION_KEY)
        if version is None:
            self._cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=NEVER_EXPIRES)
            version = self._cache.get(VERSION_KEY)
        return version

    def bump(self) -> str:
        """Start a new data version: call after every write, so no reader gets figures from before it."""
        version = uuid.uuid4().hex
        self._cache.set(VERSION_KEY, version, timeout=NEVER_EXPIRES)
        return version

    def keep(self, key: str, value: Any, seconds: int) -> None:
        """Hold `value` for `seconds` in the shared backend, whatever the data version (an undo's deal)."""
        self._cache.set(f"crm:kept:{key}", value, timeout=seconds)

    def take(self, key: str) -> Any:
        """What `keep` holds under `key`, once: a second take finds nothing."""
        value = self._cache.get(f"crm:kept:{key}")
        if value is not None:
            self._cache.set(f"crm:kept:{key}", None, timeout=1)
        return value

    def answers(self) -> bool:
        """Whether the backend stores and gives back a value now (a Redis that is down does neither)."""
        probe = uuid.uuid4().hex
        key = f"crm:health:{probe}"  # one key per probe: two checks at once must not read each other's
        try:
            self._cache.set(key, probe, timeout=HEALTH_PROBE_SECONDS)
            return self._cache.get(key) == probe
        except Exception:  # any failure of the backend, whatever its driver raises, means "down"
            return False

    def remember(self, name: str, key: str, compute: Callable[[], T]) -> T:
        """The cached value of `name` for `key` at the current data version, computed once on a miss."""
        full_key = f"crm:{self.data_version()}:{name}:{key}"
        value = self._cache.get(full_key)
        if value is not None:
            return value
        with self._locks[hash(full_key) % LOCK_STRIPES]:
            value = self._cache.get(full_key)  # computed by another request while this one waited
            if value is None:
                value = compute()
                self._cache.set(full_key, value)
        return value
