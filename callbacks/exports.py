"""The export buttons: the current view (filters, grid scope and sort, all read as State) as a file.

Nothing here runs on a filter change: only a click on `export-csv`, `export-xlsx` or `export-pdf` builds a file.
A view too large for Excel gets the service's French refusal in `app-alert`, and no download.
"""

from __future__ import annotations

import io
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, no_update, set_props

from callbacks.guard import guarded_callback
from callbacks.selection import filter_states, selection
from domain.pipeline_results import DeadlineScope
from layouts import ids
from layouts.deadlines import requested_sort
from services.exports import CSV, MEDIA_TYPES, PDF, XLSX, DealExports, ExportView, TooManyRowsError

REFUSAL_SHOWN_MS = 12000
FORMAT_OF_BUTTON = {ids.EXPORT_CSV: CSV, ids.EXPORT_XLSX: XLSX, ids.EXPORT_PDF: PDF}


def register(app: Dash, exports: DealExports) -> None:
    """One callback for the three buttons: the clicked one names the format."""

    @guarded_callback(
        app,
        Output(ids.EXPORT_DOWNLOAD, "data"),
        Input(ids.EXPORT_CSV, "n_clicks"),
        Input(ids.EXPORT_XLSX, "n_clicks"),
        Input(ids.EXPORT_PDF, "n_clicks"),
        *filter_states(),
        State(ids.DEADLINES_SCOPE, "value"),
        State(ids.TABLE_DEADLINES, "getRowsRequest"),
        prevent_initial_call=True,
    )
    def download(_csv: int | None, _xlsx: int | None, _pdf: int | None, *values: Any) -> dict[str, Any]:
        *filters, scope, grid_request = values
        view = ExportView(selection(*filters), DeadlineScope(scope or DeadlineScope.ALL),
                          requested_sort(grid_request or {}))
        file_format = FORMAT_OF_BUTTON[ctx.triggered_id]
        buffer = io.BytesIO()
        try:
            exports.write(file_format, view, buffer)
        except TooManyRowsError as refused:
            set_props(ids.APP_ALERT_TEXT, {"children": str(refused)})
            set_props(ids.APP_ALERT, {"is_open": True, "color": "warning", "duration": REFUSAL_SHOWN_MS})
            return no_update
        return dcc.send_bytes(buffer.getvalue(), exports.file_name(file_format), type=MEDIA_TYPES[file_format])
