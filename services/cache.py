"""One flask-caching cache in front of the queries, keyed on the query, its arguments and a data version.

The data version lives in the cache backend itself, so every worker and process sharing the backend sees
a write at once: a write made through the app stores a new version, and every older entry stops being
reachable. Entries expire after the cache timeout, which bounds how long a write made outside the app
(psql, a script) can stay unseen. Keys are built from values only (no object id, no memory address).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from flask_caching import Cache
from flask_caching.backends.base import BaseCache

from settings import Settings

T = TypeVar("T")
VERSION_KEY = "crm:data-version"
NEVER_EXPIRES = 0
LOCK_STRIPES = 64


def make_cache(settings: Settings) -> BaseCache:
    """The flask-caching backend the settings choose, detached from any Flask app.

    The service is used from scripts and tests as well as from the dashboard, and inside a Dash request
    flask-caching would look the cache up on the *current* app; holding the backend itself avoids both.
    """
    flask_app = Flask("crm-cache")
    cache = Cache(flask_app, config={**settings.flask_cache_config, "CACHE_THRESHOLD": 5000})
    with flask_app.app_context():
        return cache.cache


class VersionedCache:
    """Memoises query results under keys that include the current data version."""

    def __init__(self, cache: BaseCache) -> None:
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
