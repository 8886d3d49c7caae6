"""One flask-caching cache in front of the queries, keyed on the query, its arguments and a data version.

The data version lives in the cache backend itself, so every worker and process sharing the backend sees
a write at once: a write made through the app stores a new version, and every older entry stops being
reachable. Entries expire after the cache timeout, which bounds how long a write made outside the app
(psql, a script) can stay unseen. Keys are built from values only (no object id, no memory address).

When the backend fails (a Redis that is down), the cache steps aside: reads are computed from the database,
one warning is logged, and the backend is tried again every RETRY_SECONDS. A write made meanwhile could not start
a new version, so nothing cached before it may be served afterwards: the first contact after an outage starts a
new version, and a version set during an earlier life of the server (a Redis restarted with its saved entries,
seen by a process that never noticed the outage) is replaced at once.

The backend is handed in (`wiring.make_cache_backend` builds the flask-caching one the settings choose),
so the service layer runs the same under Dash, the command line and the tests, and imports no Flask.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
S = TypeVar("S")
VERSION_KEY = "crm:data-version"
NEVER_EXPIRES = 0
LOCK_STRIPES = 64
HEALTH_PROBE_SECONDS = 5
RETRY_SECONDS = 3.0
log = logging.getLogger(__name__)


class CacheBackend(Protocol):
    """What the service needs of a cache backend: the part of flask-caching's `BaseCache` it calls."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any: ...


class BackendDownError(Exception):
    """The backend failed, or failed less than RETRY_SECONDS ago: go without the cache."""


def _single_life() -> str:
    return ""


class VersionedCache:
    """Memoises query results under keys that include the current data version; steps aside while the backend
    fails."""

    def __init__(self, cache: CacheBackend, server_life: Callable[[], str] = _single_life) -> None:
        self._cache = cache
        # Which life of the backend server the latest connection reached (`redis_client.ServerLife`); a backend
        # that cannot restart with old entries has a single one.
        self._server_life = server_life
        # A filter change sends several requests at once, and some need the same query (the KPI cards and
        # the deadline counts both read the per-stage totals): one computes, the others wait for its answer
        # instead of running the same SQL beside it. A fixed set of locks, picked by key, bounds the memory.
        self._locks = tuple(threading.Lock() for _ in range(LOCK_STRIPES))
        self._state = threading.Lock()
        self._retry_at: float | None = None  # None while the backend answers
        self._local_version = uuid.uuid4().hex  # what `data_version` tells while the backend is down

    def _call(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`operation` on the backend, or BackendDownError when it fails or is still resting after a failure."""
        retry_at = self._retry_at
        if retry_at is not None and not self._recovered(retry_at):
            raise BackendDownError
        try:
            return operation(*args, **kwargs)
        except Exception as error:  # whatever the driver raises (connection refused, timeout, reset) means down
            self._failed(error)
            raise BackendDownError from error

    def _failed(self, error: Exception) -> None:
        with self._state:
            if self._retry_at is None:
                log.warning("cache indisponible, les chiffres sont calculés sur la base de données (%s: %s)",
                            type(error).__name__, error)
            self._retry_at = time.monotonic() + RETRY_SECONDS

    def _recovered(self, retry_at: float) -> bool:
        """Try the backend again once RETRY_SECONDS have passed; back, it starts a new data version first, since
        a write made during the outage could not."""
        if time.monotonic() < retry_at or not self._state.acquire(blocking=False):
            return False
        try:
            if self._retry_at is None:  # another request brought it back meanwhile
                return True
            try:
                self._cache.set(VERSION_KEY, self._new_version(), timeout=NEVER_EXPIRES)
            except Exception:  # still down: rest again, without a second warning
                self._retry_at = time.monotonic() + RETRY_SECONDS
                return False
            self._retry_at = None
            log.info("cache de nouveau disponible")
            return True
        finally:
            self._state.release()

    def _new_version(self) -> str:
        return f"{self._server_life()}:{uuid.uuid4().hex}"

    def _shared_version(self) -> str:
        """The version in the backend, replaced when there is none yet or when it dates from an earlier life of
        the server."""
        version = self._call(self._cache.get, VERSION_KEY)
        if version is None or not version.startswith(f"{self._server_life()}:"):
            version = self._new_version()
            self._call(self._cache.set, VERSION_KEY, version, timeout=NEVER_EXPIRES)
        return version

    def data_version(self) -> str:
        """The current version, created on first use (by whichever process asks first); while the backend is
        down, this process's own, changed by its writes."""
        try:
            return self._shared_version()
        except BackendDownError:
            return self._local_version

    def bump(self) -> str:
        """Start a new data version: call after every write, so no reader gets figures from before it."""
        self._local_version = uuid.uuid4().hex
        version = self._new_version()
        try:
            self._call(self._cache.set, VERSION_KEY, version, timeout=NEVER_EXPIRES)
        except BackendDownError:  # lost: the first contact after the outage starts a new version instead
            return self._local_version
        return version

    def answers(self) -> bool:
        """Whether the backend stores and gives back a value now (a Redis that is down does neither)."""
        probe = uuid.uuid4().hex
        key = f"crm:health:{probe}"  # one key per probe: two checks at once must not read each other's
        try:
            self._cache.set(key, probe, timeout=HEALTH_PROBE_SECONDS)
            return self._cache.get(key) == probe
        except Exception:  # any failure of the backend, whatever its driver raises, means "down"
            return False

    def _store(self, key: str, value: Any) -> None:
        try:
            self._call(self._cache.set, key, value)
        except BackendDownError:
            return

    def remember(self, name: str, key: str, compute: Callable[[], T]) -> T:
        """The cached value of `name` for `key` at the current data version, computed once on a miss; computed
        every time while the backend is down."""
        try:
            full_key = f"crm:{self._shared_version()}:{name}:{key}"
            value = self._call(self._cache.get, full_key)
            if value is not None:
                return value
            with self._locks[hash(full_key) % LOCK_STRIPES]:
                value = self._call(self._cache.get, full_key)  # computed by another request while this one waited
                if value is None:
                    value = compute()
                    self._store(full_key, value)
            return value
        except BackendDownError:
            return compute()

    def remember_derived(self, name: str, key: str, source: Callable[[], S], derive: Callable[[S], T]) -> T:
        """Like `remember`, for a value derived from another cached one (`source`, itself a `remember`): the
        source is read before this key's lock is taken, so no request holds one key's lock while it waits for
        another's (two requests could otherwise wait for each other)."""
        try:
            value = self._call(self._cache.get, f"crm:{self._shared_version()}:{name}:{key}")
        except BackendDownError:
            return derive(source())
        if value is not None:
            return value
        prepared = source()
        return self.remember(name, key, lambda: derive(prepared))
