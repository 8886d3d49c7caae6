"""The upload flow: preview each dropped file, re-preview when a mapping changes, import on confirm.

Nothing is written before the confirm click. The files stay in the upload component (browser memory) and
are sent again with a mapping change or the confirm, so no server-side state is kept between requests and
any worker can answer. A committed import changes the data version, which redraws the whole dashboard.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, TypeVar

from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks.guard import guarded_callback
from layouts import ids
from layouts.import_panel import (
    IGNORED,
    file_preview,
    history_rows,
    outcome_message,
    preview_summary,
    shown_choices,
)
from services.importing import rejected_rows_csv
from services.imports import ImportService

Choices = dict[int, tuple[dict[str, str | None], dict[str, str]]]
T = TypeVar("T")


def _decode(contents: str) -> bytes:
    """`data:<type>;base64,<payload>` from dcc.Upload -> the file's bytes."""
    return base64.b64decode(contents.partition(",")[2])


def _files(contents: list[str] | None, names: list[str] | None) -> list[tuple[bytes, str]]:
    return [(_decode(content), name) for content, name in zip(contents or [], names or [], strict=True)]


def _for_each_file(action: Callable[..., T], column_items: list[dict[str, Any]], stage_items: list[dict[str, Any]],
                   contents: list[str] | None, names: list[str] | None) -> list[T]:
    """`action(content, name, column_mapping, stage_mapping)` for every uploaded file, with the user's choices."""
    chosen = _choices(column_items, stage_items)
    return [action(content, name, *chosen.get(index, ({}, {})))
            for index, (content, name) in enumerate(_files(contents, names))]


def _choices(column_items: list[dict[str, Any]], stage_items: list[dict[str, Any]]) -> Choices:
    """Per file: the column mapping (None = ignored) and the stage mapping the user has chosen."""
    chosen: Choices = {}
    for item in column_items:
        columns, _ = chosen.setdefault(item["id"]["file"], ({}, {}))
        columns[item["id"]["header"]] = None if item["value"] == IGNORED else item["value"]
    for item in stage_items:
        _, stages = chosen.setdefault(item["id"]["file"], ({}, {}))
        if item["value"]:
            stages[item["id"]["value"]] = item["value"]
    return chosen


def _files_and_choices(choices_as: type[Input] | type[State] = State) -> list:
    """The mapping dropdowns of every file (as `choices_as`), then the uploaded files (as State)."""
    return [
        choices_as({"type": ids.IMPORT_COLUMN_CHOICE, "file": ALL, "header": ALL}, "value"),
        choices_as({"type": ids.IMPORT_STAGE_CHOICE, "file": ALL, "value": ALL}, "value"),
        State(ids.UPLOAD_CSV, "contents"),
        State(ids.UPLOAD_CSV, "filename"),
    ]


def register(app: Dash, imports: ImportService) -> None:
    """Wire the upload, mapping, confirm, download and history of the import card."""

    @guarded_callback(
        app,
        Output(ids.IMPORT_PREVIEW, "children"),
        Output(ids.IMPORT_CONFIRM, "disabled"),
        Output(ids.IMPORT_RESULT, "children"),
        Output(ids.UPLOAD_WARNING, "children"),
        Input(ids.UPLOAD_CSV, "contents"),
        State(ids.UPLOAD_CSV, "filename"),
        prevent_initial_call=True,
    )
    def preview_files(contents: list[str] | None, names: list[str] | None) -> tuple:
        previews = [imports.preview(content, name) for content, name in _files(contents, names)]
        return ([file_preview(preview, index) for index, preview in enumerate(previews)],
                not any(preview.importable for preview in previews), None, None)

    @guarded_callback(
        app,
        Output({"type": ids.IMPORT_SUMMARY, "file": ALL}, "children"),
        Output({"type": ids.IMPORT_SHOWN_CHOICES, "file": ALL}, "data"),
        Output(ids.IMPORT_CONFIRM, "disabled", allow_duplicate=True),
        *_files_and_choices(choices_as=Input),
        State({"type": ids.IMPORT_SHOWN_CHOICES, "file": ALL}, "data"),
        prevent_initial_call=True,
    )
    def update_previews(_columns: list, _stages: list, contents: list[str], names: list[str],
                        shown: list[dict]) -> tuple:
        chosen = _choices(*ctx.inputs_list)
        wanted = [{"columns": chosen.get(index, ({}, {}))[0], "stages": chosen.get(index, ({}, {}))[1]}
                  for index in range(len(shown))]
        if wanted == shown:
            # Dash also fires this when the preview first draws the dropdowns: nothing changed, nothing to redo.
            raise PreventUpdate
        previews = _for_each_file(imports.preview, *ctx.inputs_list, contents, names)
        return ([preview_summary(preview, index) for index, preview in enumerate(previews)],
                [shown_choices(preview) for preview in previews],
                not any(preview.importable for preview in previews))

    @guarded_callback(
        app,
        Output(ids.IMPORT_RESULT, "children", allow_duplicate=True),
        Output({"type": ids.IMPORT_SUMMARY, "file": ALL}, "children", allow_duplicate=True),
        Output(ids.IMPORT_CONFIRM, "disabled", allow_duplicate=True),
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Input(ids.IMPORT_CONFIRM, "n_clicks"),
        *_files_and_choices(),
        prevent_initial_call=True,
    )
    def confirm_import(_clicks: int, _columns: list, _stages: list, contents: list[str], names: list[str]) -> tuple:
        outcomes = _for_each_file(imports.run, *ctx.states_list[:2], contents, names)
        written = any(outcome.run_id is not None for outcome in outcomes)
        summaries = [preview_summary(outcome.preview, index, imported=outcome.run_id is not None)
                     for index, outcome in enumerate(outcomes)]
        return outcome_message(outcomes), summaries, True, imports.data_version() if written else no_update

    @guarded_callback(
        app,
        Output({"type": ids.IMPORT_REJECTED_DOWNLOAD, "file": MATCH}, "data"),
        Input({"type": ids.IMPORT_REJECTED_BUTTON, "file": MATCH}, "n_clicks"),
        *_files_and_choices(),
        prevent_initial_call=True,
    )
    def download_rejected(_clicks: int, _columns: list, _stages: list, contents: list[str],
                          names: list[str]) -> dict[str, Any]:
        index = ctx.triggered_id["file"]
        preview = _for_each_file(imports.preview, *ctx.states_list[:2], contents, names)[index]
        stem = names[index].rsplit(".", 1)[0]
        return dcc.send_string(rejected_rows_csv(preview), f"{stem}-lignes-rejetees.csv")

    @guarded_callback(app, Output(ids.IMPORT_HISTORY, "rowData"), Input(ids.DATA_VERSION, "data"))
    def show_history(_version: str | None) -> list[dict[str, str | int]]:
        return history_rows(imports.history())
