"""Fixtures shared by the service tests."""

from __future__ import annotations

import pytest

from services.cache import VersionedCache
from settings import Settings
from wiring import make_cache_backend


@pytest.fixture
def cache() -> VersionedCache:
    """A fresh in-process cache, as the app's default (`CACHE_TYPE=simple`)."""
    return VersionedCache(make_cache_backend(Settings(cache_type="simple")))
