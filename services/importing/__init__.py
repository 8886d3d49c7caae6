"""Deal import from CSV / Excel files: preview, atomic import, history, rejected-rows download.

The public API; everything else in the package is an implementation detail. Nothing here imports Dash.
"""

from services.importing.export import rejected_rows_csv
from services.importing.history import import_history
from services.importing.pipeline import DEFAULT_MAX_BYTES, preview_import, run_import
from services.importing.results import ImportOutcome, ImportPreview, ImportRunSummary, RejectedRow

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ImportOutcome",
    "ImportPreview",
    "ImportRunSummary",
    "RejectedRow",
    "import_history",
    "preview_import",
    "rejected_rows_csv",
    "run_import",
]
