"""Deal import from CSV / Excel files: preview, atomic import, import runs, rejected-rows download.

The public API; everything else in the package is an implementation detail. What an import answers (the
preview, the outcome, a run of the history) is in `domain.import_results`, so the layouts can draw it.
"""

from services.importing.import_runs import recent_import_runs
from services.importing.pipeline import DEFAULT_MAX_BYTES, preview_import, run_import, size_refusal
from services.importing.reading import DEFAULT_XLSX_LIMITS, XlsxLimits
from services.importing.rejected_rows import rejected_rows_csv

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_XLSX_LIMITS",
    "XlsxLimits",
    "preview_import",
    "recent_import_runs",
    "rejected_rows_csv",
    "run_import",
    "size_refusal",
]
