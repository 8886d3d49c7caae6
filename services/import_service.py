"""File imports as the dashboard runs them: the pipeline of `services.importing`, plus cache invalidation.

Kept apart from `DealService` (reads) on purpose: this class only knows that a committed import is a write
that every reader must see at once, and the upload size limit from the settings.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from services import importing
from services.deal_service import DealService
from services.errors import DatabaseUnavailableError
from services.importing import ImportOutcome, ImportPreview, ImportRunSummary


class ImportService:
    """Preview and run imports against the deals database that `deals` reads."""

    def __init__(self, deals: DealService, max_bytes: int = importing.DEFAULT_MAX_BYTES) -> None:
        self._deals = deals
        self._engine: Engine = deals.engine
        self.max_bytes = max_bytes

    def preview(
        self,
        content: bytes,
        file_name: str,
        column_mapping: Mapping[str, str | None] | None = None,
        stage_mapping: Mapping[str, str] | None = None,
    ) -> ImportPreview:
        """What importing the file would do; writes nothing."""
        return importing.preview_import(self._engine, content, file_name, column_mapping, stage_mapping,
                                        self.max_bytes)

    def run(
        self,
        content: bytes,
        file_name: str,
        column_mapping: Mapping[str, str | None] | None = None,
        stage_mapping: Mapping[str, str] | None = None,
    ) -> ImportOutcome:
        """Import the file in one transaction; when something was written, every reader sees it at once."""
        outcome = importing.run_import(self._engine, content, file_name, column_mapping, stage_mapping,
                                       self.max_bytes)
        if outcome.run_id is not None:
            self._deals.data_changed()
        return outcome

    def data_version(self) -> str:
        """The data version readers key their cache on (changed by every committed import)."""
        return self._deals.cache.data_version()

    def history(self, limit: int = 10) -> tuple[ImportRunSummary, ...]:
        """The last imports, newest first."""
        try:
            return importing.import_history(self._engine, limit)
        except (OperationalError, InterfaceError) as error:
            raise DatabaseUnavailableError(DatabaseUnavailableError.message) from error
