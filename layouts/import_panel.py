"""The import card: drop zone, per-file preview with editable mappings, result, rejected rows, history.

Pure functions of the import service's answers (`ImportPreview`, `ImportOutcome`, `ImportRunSummary`);
the callbacks in callbacks/importing.py decide when each is drawn.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from domain import formatting
from domain.import_results import ImportOutcome, ImportPreview, ImportRunSummary
from domain.stages import STAGE_NAMES
from layouts import ids

IGNORED = "__ignorer__"
NO_IMPORT_YET = "Aucun import pour le moment."
HISTORY_COUNTS = ("created", "updated", "duplicates", "rejected")
HISTORY_COLUMNS = (
    {"field": "file_name", "headerName": "Fichier", "flex": 2, "minWidth": 180},
    {"field": "imported_at", "headerName": "Date", "minWidth": 150},
    {"field": "user_name", "headerName": "Par", "minWidth": 140},
    *({"field": field, "headerName": label, "type": "rightAligned"}
      for field, label in zip(HISTORY_COUNTS, ("Créés", "Mis à jour", "Déjà présents", "Rejetés"), strict=True)),
)


def import_panel(max_bytes: int, shown: bool = True) -> html.Section:
    """The card; `data-max-bytes` lets the browser refuse a too-big file before sending it, and
    `data-limit-text` says the limit in the words the server uses. Not `shown` to a read-only account (its
    components stay, hidden, for the callbacks; the server refuses its imports anyway)."""
    return html.Section([
        html.H2("Importer des deals (CSV, TXT, Excel)", className="h6 mb-2"),
        html.Div(
            dcc.Upload(
                id=ids.UPLOAD_CSV, multiple=True, max_size=max_bytes, className="upload-area",
                accept=".csv,.txt,.xlsx,text/csv,text/plain",
                className_reject="upload-area upload-rejected",
                children=html.Div([
                    "Glissez-déposez vos fichiers ici, ou ", html.A("choisissez-les", href="#"),
                    html.Div(f"CSV, TXT ou Excel (.xlsx), {formatting.file_size(max_bytes)} au plus par fichier",
                             className="small text-muted"),
                ]),
            ),
            id=ids.UPLOAD_LIMIT,
            **{"data-max-bytes": str(max_bytes), "data-limit-text": formatting.file_size(max_bytes)},
        ),
        html.Div(id=ids.UPLOAD_WARNING, className="text-danger small mt-2", role="alert"),
        html.Div(id=ids.IMPORT_PREVIEW, className="mt-3 loads-in-place"),
        dcc.Store(id=ids.IMPORT_SEAL),
        dbc.Button("Confirmer l'import", id=ids.IMPORT_CONFIRM, color="primary", disabled=True,
                   className="mt-2"),
        html.Div(id=ids.IMPORT_RESULT, className="mt-3", role="status"),
        html.H3("Historique des imports", className="h6 mt-4"),
        history_grid(),
    ], className="card chart-card mt-3", hidden=not shown)


def _column_choices(preview: ImportPreview, file_index: int) -> dbc.Table:
    options = [{"label": field.label, "value": field.key} for field in preview.fields]
    options.append({"label": "— ignorer cette colonne —", "value": IGNORED})
    rows = [
        html.Tr([
            html.Td(header, className="align-middle"),
            html.Td(dcc.Dropdown(
                id={"type": ids.IMPORT_COLUMN_CHOICE, "file": file_index, "header": header}, options=options,
                value=preview.columns.get(header) or IGNORED, clearable=False, searchable=False,
            )),
        ])
        for header in preview.header
    ]
    head = html.Thead(html.Tr([html.Th("Colonne du fichier"), html.Th("Champ du deal")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="import-mapping mb-2")


def _stage_choices(preview: ImportPreview, file_index: int) -> html.Div | None:
    if not preview.unknown_stages:
        return None
    options = [{"label": stage, "value": stage} for stage in STAGE_NAMES]
    rows = [
        html.Tr([
            html.Td(value, className="align-middle"),
            html.Td(dcc.Dropdown(
                id={"type": ids.IMPORT_STAGE_CHOICE, "file": file_index, "value": value}, options=options,
                value=suggestion, placeholder="Choisir une étape", searchable=False,
            )),
        ])
        for value, suggestion in preview.unknown_stages.items()
    ]
    head = html.Thead(html.Tr([html.Th("Statut du fichier"), html.Th("Étape du pipeline")]))
    return html.Div([
        html.P("Statuts non reconnus : choisissez l'étape de chacun (sinon ses lignes sont rejetées).",
               className="small mb-1"),
        dbc.Table([head, html.Tbody(rows)], size="sm", className="import-mapping mb-2"),
    ])


def preview_summary(preview: ImportPreview, file_index: int, imported: bool = False) -> html.Div:
    """What importing would do (or, once `imported`, only the rows left out), the first rejected rows and
    their download; or why the file cannot be imported."""
    if preview.error:
        return html.Div(dbc.Alert(preview.error, color="danger", className="mb-0 py-2"), className="import-error")
    parts: list = [] if imported else [html.P(preview.summary, className="import-counts fw-semibold mb-2")]
    if preview.first_rejected:
        head = html.Thead(html.Tr([html.Th("Ligne"), html.Th("Colonne"), html.Th("Motif")]))
        body = html.Tbody([html.Tr([html.Td(row.line), html.Td(row.column), html.Td(row.reason)])
                           for row in preview.first_rejected])
        parts += [
            dbc.Table([head, body], size="sm", striped=True, className="import-rejected small mb-2"),
            *([html.P(_rejected_rows_cut(preview), className="small text-muted mb-2")]
              if preview.rejected > len(preview.first_rejected) else []),
            dbc.Button("Télécharger les lignes rejetées (CSV)",
                       id={"type": ids.IMPORT_REJECTED_BUTTON, "file": file_index},
                       size="sm", color="secondary", outline=True),
            dcc.Download(id={"type": ids.IMPORT_REJECTED_DOWNLOAD, "file": file_index}),
        ]
    return html.Div(parts)


def _rejected_rows_cut(preview: ImportPreview) -> str:
    """Says that the table lists only the first rejected rows, and how many the CSV holds."""
    shown, kept = formatting.count(len(preview.first_rejected)), len(preview.rejected_rows)
    in_file = "les donne toutes" if kept == preview.rejected else f"en donne les {formatting.count(kept)} premières"
    total = formatting.count(preview.rejected)
    return f"Les {shown} premières des {total} lignes rejetées ; le CSV ci-dessous {in_file}."


def shown_choices(preview: ImportPreview) -> dict[str, dict]:
    """The mappings a preview was computed with, in the shape the dropdowns give them back: a confirm applies them,
    and dropdowns showing anything else (a suggested stage, a new choice) call for a new preview first."""
    return {"columns": dict(preview.columns), "stages": dict(preview.stage_mapping)}


def file_preview(preview: ImportPreview, file_index: int) -> html.Div:
    """One file's preview: how it was read, the editable mappings, and what importing it would do."""
    details = [html.Li(text) for text in (f"Format : {preview.file_format}", *preview.notes)]
    mappings = [_column_choices(preview, file_index), _stage_choices(preview, file_index)] if preview.header else []
    return html.Div([
        html.H3(preview.file_name, className="h6 mb-1"),
        html.Ul(details, className="small text-muted mb-2"),
        *mappings,
        html.Div(preview_summary(preview, file_index), id={"type": ids.IMPORT_SUMMARY, "file": file_index}),
        dcc.Store(id={"type": ids.IMPORT_SHOWN_CHOICES, "file": file_index}, data=shown_choices(preview)),
    ], className="import-file border rounded p-2 mb-2")


def outcome_message(outcomes: list[ImportOutcome]) -> list[dbc.Alert]:
    """One alert per imported file: green when deals were written, red when nothing could be."""
    return [
        dbc.Alert(outcome.message, color="danger" if outcome.error else "success", className="py-2 mb-2")
        for outcome in outcomes
    ]


def history_grid() -> dag.AgGrid:
    """The last imports, newest first, as one grid component however many runs there are.

    A table of html components would add seven components per run, and every component on the page costs
    the renderer work on each store update of every filter change.
    """
    return dag.AgGrid(
        id=ids.IMPORT_HISTORY,
        columnDefs=list(HISTORY_COLUMNS),
        getRowId="params.data.id",  # a string (AG Grid's row ids are): dash-ag-grid's parser has no String()
        rowData=[],
        defaultColDef={"flex": 1, "minWidth": 100, "resizable": True, "sortable": False,
                       "suppressHeaderMenuButton": True, "suppressMovable": True},
        dashGridOptions={"domLayout": "autoHeight", "localeText": {"noRowsToShow": NO_IMPORT_YET},
                         "suppressCellFocus": True, "animateRows": False, "headerHeight": 36, "rowHeight": 34},
        style={"width": "100%"},
    )


def history_rows(runs: tuple[ImportRunSummary, ...]) -> list[dict[str, str | int]]:
    """The grid rows of the import history, in French formats; "Par" is "—" for an import made without an
    account (solo mode, the command line, before accounts existed)."""
    return [{"id": str(run.id), "file_name": run.file_name, "imported_at": formatting.moment(run.imported_at),
             "user_name": run.user_name or "—",
             **{field: formatting.count(getattr(run, field)) for field in HISTORY_COUNTS}}
            for run in runs]
