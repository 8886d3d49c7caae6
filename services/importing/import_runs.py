"""The import history: what each file did, newest first, for the dashboard and the command line."""

from __future__ import annotations

from sqlalchemy import Engine, select

from data.models import ImportRun
from domain.import_results import ImportRunSummary


def recent_import_runs(engine: Engine, limit: int = 20) -> tuple[ImportRunSummary, ...]:
    """The last `limit` imports (file, time as stored by the database, the four counts, who imported)."""
    query = select(ImportRun.__table__).order_by(ImportRun.imported_at.desc(), ImportRun.id.desc()).limit(limit)
    with engine.connect() as connection:
        runs = connection.execute(query).all()
    return tuple(
        ImportRunSummary(run.id, run.file_name, run.imported_at, run.created, run.updated, run.duplicates,
                         run.rejected, run.user_name)
        for run in runs
    )
