"""Every component ID of the page, in one place. Tests rely on them (DESIGN.md section 3): keep them stable."""

FILTER_STATUS = "filter-status"
FILTER_SECTOR = "filter-sector"
FILTER_ASSIGNEE = "filter-assignee"
FILTER_DUE_DATES = "filter-due-dates"
FILTER_RESET = "filter-reset"

KPI_WEIGHTED_PIPELINE = "kpi-weighted-pipeline"
KPI_AVERAGE_DEAL = "kpi-average-deal"
KPI_CONVERSION_RATE = "kpi-conversion-rate"
KPI_WIN_RATE = "kpi-win-rate"
KPI_DEAL_COUNT = "kpi-deal-count"
KPI_COUNT_PREFIX = "kpi-count-"

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

APP_ALERT = "app-alert"
DEMO_BADGE = "demo-badge"
DEMO_REMOVE = "demo-remove"
DATA_VERSION = "data-version"

# Page plumbing, not part of the DESIGN contract.
URL_HISTORY = "url-history"
DB_STATUS = "db-status"
FILTERS_TOGGLE = "filters-toggle"
FILTERS_COLLAPSE = "filters-collapse"
SELECTION_MESSAGE = "selection-message"


def kpi_count_id(stage_slug: str) -> str:
    """The ID of the count card of one stage (`kpi-count-negociation`)."""
    return f"{KPI_COUNT_PREFIX}{stage_slug}"
