"""Every component ID of the page, in one place. Tests rely on them (DESIGN.md section 3): keep them stable.

The browser scripts read them too: `assets/00-crm-ids.js` is written from this module (`javascript_ids`)
and `tests/test_contract.py` fails when the two differ, so no ID is typed twice.
"""

import json
from pathlib import Path

FILTER_STATUS = "filter-status"
FILTER_SECTOR = "filter-sector"
FILTER_ASSIGNEE = "filter-assignee"
FILTER_DUE_DATES = "filter-due-dates"
FILTER_RESET = "filter-reset"
FILTER_DUE_FROM = "filter-due-from"
FILTER_DUE_TO = "filter-due-to"
FILTER_MISSING = "filter-missing"
FILTER_SEARCH = "filter-search"

KPI_WEIGHTED_PIPELINE = "kpi-weighted-pipeline"
KPI_AVERAGE_DEAL = "kpi-average-deal"
KPI_CONVERSION_RATE = "kpi-conversion-rate"
KPI_WIN_RATE = "kpi-win-rate"
KPI_DEAL_COUNT = "kpi-deal-count"
KPI_STALE = "kpi-stale"
KPI_COUNT_PREFIX = "kpi-count-"
# Beside the pipeline and the average deal: how many selected deals they leave out (no amount yet).
KPI_WEIGHTED_PIPELINE_NOTE = "kpi-weighted-pipeline-note"
KPI_AVERAGE_DEAL_NOTE = "kpi-average-deal-note"

DATA_HEALTH = "data-health"
# The "since your last visit" panel, the browser's time of the latest visit (local storage) and the period asked.
SINCE_LAST_VISIT = "since-last-visit"
LAST_VISIT = "last-visit"
VISIT_PERIOD = "visit-period"
# Pattern-matching ID type of the data-health card's counts, one per `manque=` value.
DATA_HEALTH_LINK = "data-health-link"

GRAPH_FUNNEL = "graph-funnel"
GRAPH_SECTORS = "graph-sectors"
GRAPH_TOP_SECTORS = "graph-top-sectors"

TABLE_DEADLINES = "table-deadlines"
DEADLINES_SCOPE = "deadlines-scope"

UPLOAD_CSV = "upload-csv"
IMPORT_PREVIEW = "import-preview"
IMPORT_CONFIRM = "import-confirm"
IMPORT_RESULT = "import-result"
IMPORT_HISTORY = "import-history"
UPLOAD_LIMIT = "upload-limit"
UPLOAD_WARNING = "upload-warning"
IMPORT_SEAL = "import-seal"
# Pattern-matching ID types of the import preview, one component per file (and per header or stage value).
IMPORT_COLUMN_CHOICE = "import-column"
IMPORT_STAGE_CHOICE = "import-stage"
IMPORT_SUMMARY = "import-summary"
IMPORT_SHOWN_CHOICES = "import-shown-choices"
IMPORT_REJECTED_BUTTON = "import-rejected-button"
IMPORT_REJECTED_DOWNLOAD = "import-rejected-download"

APP_ALERT = "app-alert"
APP_ALERT_TEXT = "app-alert-text"

# The deal form (a modal) and its quick actions; `deal-undo` shows in `app-alert` after a deletion.
DEAL_NEW = "deal-new"
DEAL_FORM = "deal-form"
DEAL_SAVE = "deal-save"
DEAL_FORM_ERROR = "deal-form-error"
DEAL_HISTORY = "deal-history"
DEAL_WON = "deal-won"
DEAL_LOST = "deal-lost"
DEAL_DELETE = "deal-delete"
DEAL_UNDO = "deal-undo"
DEAL_FORM_TITLE = "deal-form-title"
DEAL_FORM_BODY = "deal-form-body"
DEAL_FORM_CANCEL = "deal-form-cancel"
DEAL_FORM_RECORD = "deal-form-record"
DEAL_UNDO_TOKEN = "deal-undo-token"
DEAL_OPEN_REQUEST = "deal-open-request"
# When a step's confirm button was last pressed (set in the browser): the buttons are built afresh each time the
# form opens, and a callback listening to them directly would be sent a request each time they appear.
DEAL_LOST_CONFIRMED = "deal-lost-confirmed"
DEAL_DELETE_CONFIRMED = "deal-delete-confirmed"
# Pattern-matching ID types of the form's body, built when the form opens: one component per field.
DEAL_FIELD = "deal-field"
DEAL_DATE = "deal-date"
DEAL_DATE_TEXT = "deal-date-text"  # the due date as typed, which the picker drops when it cannot read it
DEAL_FEEDBACK = "deal-feedback"
DEAL_STEP = "deal-step"
DEAL_STEP_BUTTON = "deal-step-button"
# Exports of the current view (filters, grid scope and sort); `export-link` receives the signed link of the file,
# which the browser follows (assets/dashboard.js `followDownload`).
EXPORT_XLSX = "export-xlsx"
EXPORT_CSV = "export-csv"
EXPORT_PDF = "export-pdf"
EXPORT_LINK = "export-link"
SIGN_OUT = "sign-out"
ADMIN_LINK = "admin-link"  # the header's link to /admin/comptes, for an admin
DEMO_BADGE = "demo-badge"
DEMO_REMOVE = "demo-remove"
DATA_VERSION = "data-version"

# Page plumbing, not part of the DESIGN contract.
URL_HISTORY = "url-history"
DB_STATUS = "db-status"
FILTERS_TOGGLE = "filters-toggle"
FILTERS_COLLAPSE = "filters-collapse"
SELECTION_MESSAGE = "selection-message"
# The grid's page 1 sent with the figures of a filter change, and the digests of the outputs the browser shows.
GRID_FIRST_PAGE = "grid-first-page"
SHOWN_OUTPUTS = "shown-outputs"
# The performance page (/performance).
GRAPH_ASSIGNEES = "graph-assignees"
TABLE_ASSIGNEES = "table-assignees"
GRAPH_FORECAST = "graph-forecast"
GRAPH_STAGE_CONVERSION = "graph-stage-conversion"
GRAPH_TREND = "graph-trend"
KPI_VELOCITY = "kpi-velocity"
WHATIF_AVERAGE_DEAL = "whatif-average-deal"
WHATIF_WIN_RATE = "whatif-win-rate"
WHATIF_CYCLE = "whatif-cycle"
WHATIF_DEAL_COUNT = "whatif-deal-count"
WHATIF_PRESET = "whatif-preset"
WHATIF_RESULT = "whatif-result"
WHATIF_VELOCITY = "whatif-velocity"
WHATIF_PIPELINE = "whatif-pipeline"
WHATIF_VELOCITY_NOW = "whatif-velocity-now"
WHATIF_PIPELINE_NOW = "whatif-pipeline-now"
VELOCITY_LEVERS = "velocity-levers"
LEVERS_STORE = "levers-store"
PERFORMANCE_SHOWN_OUTPUTS = "performance-shown-outputs"
STAGE_PERIOD = "stage-period"
STAGE_PERIOD_FROM = "stage-period-from"
STAGE_PERIOD_TO = "stage-period-to"
PAGE_NAV = "page-nav"
NAV_DASHBOARD = "nav-dashboard"
NAV_PERFORMANCE = "nav-performance"


def kpi_count_id(stage_slug: str) -> str:
    """The ID of the count card of one stage (`kpi-count-negociation`)."""
    return f"{KPI_COUNT_PREFIX}{stage_slug}"


def javascript_ids() -> str:
    """`assets/00-crm-ids.js`: every ID above as `window.crmIds.NAME`, for the browser scripts."""
    names = {name: value for name, value in globals().items() if name.isupper() and isinstance(value, str)}
    body = json.dumps(names, indent=2, sort_keys=True, ensure_ascii=False)
    return (f"/* Written from layouts/ids.py by `python -c \"from layouts import ids; ids.write_javascript()\"`; "
            f"do not edit. */\nwindow.crmIds = {body};\n")


def write_javascript() -> None:
    """Rewrite `assets/00-crm-ids.js` from this module."""
    (Path(__file__).resolve().parents[1] / "assets" / "00-crm-ids.js").write_text(javascript_ids(), encoding="utf-8")
