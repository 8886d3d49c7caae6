"""What `/health` reports: whether the database answers, whether its schema is at the latest migration, and
whether the cache answers. Nothing else: no versions, no paths, no counts (the endpoint needs no login)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from data.migrate import at_head
from services.cache import VersionedCache
from services.reachability import CONNECTION_ERRORS


@dataclass(frozen=True)
class HealthReport:
    """Each part's state: database "ok" / "down", migrations "head" / "behind" / "unknown", cache "ok" / "down"."""

    database: str
    migrations: str
    cache: str

    @property
    def healthy(self) -> bool:
        return (self.database, self.migrations, self.cache) == ("ok", "head", "ok")


def check_health(engine: Engine, cache: VersionedCache) -> HealthReport:
    """Ask each part now (nothing cached: a health check must see an outage at once)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            migrations = "head" if at_head(connection) else "behind"
        database = "ok"
    except CONNECTION_ERRORS:
        database, migrations = "down", "unknown"
    return HealthReport(database, migrations, "ok" if cache.answers() else "down")
