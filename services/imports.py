"""File imports as the dashboard runs them: previews and history read here, the import itself written
through the one write path (`services.writes`), with the upload size limit from the settings.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Engine

from domain.accounts import Actor, own_deals_only
from domain.import_results import ImportOutcome, ImportPreview, ImportRunSummary
from services import importing
from services.reachability import database_reachable
from services.writes import DealWrites


class ImportService:
    """Preview and run imports against one deals database."""

    def __init__(self, engine: Engine, writes: DealWrites, max_bytes: int = importing.DEFAULT_MAX_BYTES,
                 xlsx_limits: importing.XlsxLimits = importing.DEFAULT_XLSX_LIMITS) -> None:
        self._engine = engine
        self._writes = writes
        self._max_bytes = max_bytes
        self._xlsx_limits = xlsx_limits

    def preview(
        self,
        content: bytes,
        file_name: str,
        column_mapping: Mapping[str, str | None] | None = None,
        stage_mapping: Mapping[str, str] | None = None,
        actor: Actor | None = None,
    ) -> ImportPreview:
        """What importing the file would do for `actor`; writes nothing."""
        return importing.preview_import(self._engine, content, file_name, column_mapping, stage_mapping,
                                        self._max_bytes, self._xlsx_limits, own_deals_only(actor))

    def run(
        self,
        content: bytes,
        file_name: str,
        column_mapping: Mapping[str, str | None] | None = None,
        stage_mapping: Mapping[str, str] | None = None,
        actor: Actor | None = None,
    ) -> ImportOutcome:
        """Import the file in one transaction; when something was written, every reader sees it at once."""
        return self._writes.import_file(content, file_name, column_mapping, stage_mapping, self._max_bytes,
                                        self._xlsx_limits, actor)

    def refused_for_size(self, file_name: str, size: int) -> ImportPreview | None:
        """The refusal of a file of `size` bytes over the upload limit, or None: checked before decoding it."""
        return importing.size_refusal(file_name, size, self._max_bytes)

    @staticmethod
    def not_previewed(file_name: str) -> ImportOutcome:
        """The answer to a confirm carrying a file that no preview showed: nothing is written."""
        message = (f"« {file_name} » n'a pas été prévisualisé tel quel : rien n'a été importé. "
                   "Déposez-le à nouveau et vérifiez l'aperçu avant de confirmer.")
        return ImportOutcome(ImportPreview(file_name, error=message), message)

    def data_version(self) -> str:
        """The data version readers key their cache on (changed by every committed import)."""
        return self._writes.data_version()

    def history(self, limit: int = 10) -> tuple[ImportRunSummary, ...]:
        """The last imports, newest first."""
        with database_reachable():
            return importing.recent_import_runs(self._engine, limit)
