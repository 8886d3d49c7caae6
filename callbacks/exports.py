"""The export buttons: the current view (filters, grid scope and sort, all read as State) as a file.

Nothing here runs on a filter change: only a click on `export-csv`, `export-xlsx` or `export-pdf` answers, with a
signed, short-lived link to the file for the account asking (`export-link`); the browser follows it and the file
streams from `/exports/<token>` (api/export_download.py), never base64 inside a callback answer. A view too large
for Excel gets the service's French refusal in `app-alert`, and no link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update, set_props

from callbacks.guard import guarded_callback
from callbacks.selection import filter_states, selection
from domain.pipeline_results import DeadlineScope
from layouts import ids
from layouts.deadlines import requested_sort
from services.exports import CSV, PDF, XLSX, DealExports, ExportView, TooManyRowsError

REFUSAL_SHOWN_MS = 12000
FORMAT_OF_BUTTON = {ids.EXPORT_CSV: CSV, ids.EXPORT_XLSX: XLSX, ids.EXPORT_PDF: PDF}
# (format, view) -> the download path signed for the account asking (app.py binds the secret and the account).
LinkSigner = Callable[[str, ExportView], str]


def register(app: Dash, exports: DealExports, signed_link: LinkSigner) -> None:
    """One callback for the three buttons (the clicked one names the format), and the browser following the link."""

    @guarded_callback(
        app,
        Output(ids.EXPORT_LINK, "data"),
        Input(ids.EXPORT_CSV, "n_clicks"),
        Input(ids.EXPORT_XLSX, "n_clicks"),
        Input(ids.EXPORT_PDF, "n_clicks"),
        *filter_states(),
        State(ids.DEADLINES_SCOPE, "value"),
        State(ids.TABLE_DEADLINES, "getRowsRequest"),
        prevent_initial_call=True,
    )
    def link(_csv: int | None, _xlsx: int | None, _pdf: int | None, *values: Any) -> str:
        *filters, scope, grid_request = values
        view = ExportView(selection(*filters), DeadlineScope(scope or DeadlineScope.ALL),
                          requested_sort(grid_request or {}))
        file_format = FORMAT_OF_BUTTON[ctx.triggered_id]
        try:
            exports.check(file_format, view)
        except TooManyRowsError as refused:
            set_props(ids.APP_ALERT_TEXT, {"children": str(refused)})
            set_props(ids.APP_ALERT, {"is_open": True, "color": "warning", "duration": REFUSAL_SHOWN_MS})
            return no_update
        return signed_link(file_format, view)

    app.clientside_callback(
        ClientsideFunction("crm", "followDownload"),
        Input(ids.EXPORT_LINK, "data"),
        prevent_initial_call=True,
    )
