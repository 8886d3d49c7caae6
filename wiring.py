"""Builds what the entry points share from the settings: the engine, the cache backend and the services.

Why a module of its own: `app.py` and `cli.py` both need the same services on the same cache backend (a
write from the command line must bump the data version that a running dashboard reads), and the service
layer may not import Flask or flask-caching; this is the one place that turns settings into those parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import Flask
from flask_caching import Cache
from sqlalchemy import Engine

from data.db import make_engine
from redis_client import ServerLife, client_options
from services.accounts import Accounts
from services.cache import CacheBackend, VersionedCache
from services.health import HealthReport, check_health
from services.importing import XlsxLimits
from services.imports import ImportService
from services.performance import PerformanceReads
from services.reads import DealReads
from services.tokens import ApiTokens
from services.writes import DealWrites
from settings import Settings

CACHE_THRESHOLD = 5000


def make_cache_backend(settings: Settings, life: ServerLife | None = None) -> CacheBackend:
    """The flask-caching backend the settings choose, detached from any Flask app; a Redis one notes in `life`
    which life of the server it reached.

    The services are used from scripts and tests as well as from the dashboard, and inside a Dash request
    flask-caching would look the cache up on the *current* app; holding the backend itself avoids both.
    """
    flask_app = Flask("crm-cache")
    config = {**settings.flask_cache_config, "CACHE_THRESHOLD": CACHE_THRESHOLD}
    if settings.cache_type == "redis":
        config["CACHE_OPTIONS"] = client_options(life or ServerLife())
    cache = Cache(flask_app, config=config)
    with flask_app.app_context():
        return cache.cache


def make_cache(settings: Settings) -> VersionedCache:
    """The versioned cache on the backend the settings choose (one per process: each tracks its own outages)."""
    life = ServerLife()
    return VersionedCache(make_cache_backend(settings, life), life)


@dataclass(frozen=True)
class Services:
    """The read side (the dashboard's and the performance page's), the one write path, the import flow, the
    accounts and their API tokens, over one engine and one cache."""

    engine: Engine
    reads: DealReads
    writes: DealWrites
    imports: ImportService
    health: Callable[[], HealthReport]
    accounts: Accounts
    tokens: ApiTokens
    performance: PerformanceReads


def build_services(settings: Settings) -> Services:
    """The services on the database and cache backend that `settings` name."""
    engine = make_engine(settings.database_url)
    cache = make_cache(settings)
    writes = DealWrites(engine, cache)
    limits = XlsxLimits(settings.xlsx_max_unpacked_bytes, settings.xlsx_max_cells)
    return Services(engine, DealReads(engine, cache, cold_rule=settings.stale_days), writes,
                    ImportService(engine, writes, max_bytes=settings.upload_max_bytes, xlsx_limits=limits),
                    partial(check_health, engine, cache), Accounts(engine), ApiTokens(engine),
                    PerformanceReads(engine, cache))
