"""The one write path: every change of the deals (an import's confirm, the demo data, and next the deal
form, the API and the command line) goes through `DealWrites`.

Why one class: after a write, every reader in every process that shares the cache backend must see it, so
each write ends by starting a new data version here, once; and the permission check, validation and
history of the coming issues get one place to live instead of one per entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Engine, delete

from data.db import transaction
from data.demo import demo_deal_filter, generate_demo_deals
from data.models import Deal
from domain.import_results import ImportOutcome
from services import importing
from services.cache import VersionedCache
from services.reachability import database_reachable


class DealWrites:
    """Writes of deals for one database; each one makes every cached figure unreachable once it is done."""

    def __init__(self, engine: Engine, cache: VersionedCache) -> None:
        self._engine = engine
        self._cache = cache

    def data_version(self) -> str:
        """The version readers key their cache on (changed by every write made here)."""
        return self._cache.data_version()

    def _written(self) -> None:
        self._cache.bump()

    def import_file(
        self,
        content: bytes,
        file_name: str,
        column_mapping: Mapping[str, str | None] | None = None,
        stage_mapping: Mapping[str, str] | None = None,
        max_bytes: int = importing.DEFAULT_MAX_BYTES,
        xlsx_limits: importing.XlsxLimits = importing.DEFAULT_XLSX_LIMITS,
    ) -> ImportOutcome:
        """Import one file in one transaction (all or nothing); the outcome says what was written."""
        outcome = importing.run_import(self._engine, content, file_name, column_mapping, stage_mapping, max_bytes,
                                       xlsx_limits)
        if outcome.run_id is not None:
            self._written()
        return outcome

    def seed_demo(self, today: date) -> int:
        """Add the demo deals, dated around `today`; returns how many were written."""
        rows = [{**vars(deal), "est_demo": True} for deal in generate_demo_deals(today)]
        with database_reachable(), transaction(self._engine) as session:
            session.execute(Deal.__table__.insert(), rows)
        self._written()
        return len(rows)

    def remove_demo(self) -> int:
        """Delete the demo deals only (the user's own deals stay); returns how many were deleted."""
        with database_reachable(), transaction(self._engine) as session:
            removed = session.execute(delete(Deal).where(demo_deal_filter())).rowcount
        self._written()
        return removed
