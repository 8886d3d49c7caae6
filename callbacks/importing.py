"""The upload flow: preview each dropped file, re-preview when a mapping changes, import on confirm.

Nothing is written before the confirm click. The files stay in the upload component (browser memory) and
are sent again with a mapping change or the confirm, so no server-side state is kept between requests and
any worker can answer; the confirm imports only what a preview sealed (`callbacks.import_seal`). Sizes are
checked on the base64 text, before anything is decoded. A committed import changes the data version, which
redraws the whole dashboard.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks.changed_outputs import unless_shown
from callbacks.guard import guarded_callback
from callbacks.import_seal import PreviewSeal, digest
from domain.accounts import Actor
from domain.import_results import ImportPreview
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


def _payload(contents: str) -> str:
    """The base64 part of `data:<type>;base64,<payload>` from dcc.Upload."""
    return contents.partition(",")[2]


def _decoded_size(payload: str) -> int:
    """The size of the file a base64 text holds, known without decoding it."""
    return len(payload) * 3 // 4 - payload[-2:].count("=")


def _files(contents: list[str] | None, names: list[str] | None) -> list[tuple[bytes, str]]:
    return [(base64.b64decode(_payload(content), validate=True), name)
            for content, name in zip(contents or [], names or [], strict=True)]


def _for_each_file(action: Callable[..., T], column_items: list[dict[str, Any]], stage_items: list[dict[str, Any]],
                   files: list[tuple[bytes, str]]) -> list[T]:
    """`action(content, name, column_mapping, stage_mapping)` for every uploaded file, with the user's choices."""
    chosen = _choices(column_items, stage_items)
    return [action(content, name, *chosen.get(index, ({}, {}))) for index, (content, name) in enumerate(files)]


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


def register(app: Dash, imports: ImportService, seal: PreviewSeal, max_files: int,
             actor: Callable[[], Actor | None]) -> None:
    """Wire the upload, mapping, confirm, download and history of the import card."""

    def preview_drop(contents: list[str], names: list[str]) -> list[tuple[tuple[bytes, str] | None, ImportPreview]]:
        """Each file (None when over the limit: answered from its base64 size, never decoded) and its preview."""
        previews: list[tuple[tuple[bytes, str] | None, ImportPreview]] = []
        for content, name in zip(contents, names, strict=True):
            too_big = imports.refused_for_size(name, _decoded_size(_payload(content)))
            file = None if too_big else _files([content], [name])[0]
            previews.append((file, too_big or imports.preview(*file, actor=actor())))
        return previews

    @guarded_callback(
        app,
        Output(ids.IMPORT_PREVIEW, "children"),
        Output(ids.IMPORT_CONFIRM, "disabled"),
        Output(ids.IMPORT_RESULT, "children"),
        Output(ids.UPLOAD_WARNING, "children"),
        Output(ids.IMPORT_SEAL, "data"),
        Input(ids.UPLOAD_CSV, "contents"),
        State(ids.UPLOAD_CSV, "filename"),
        prevent_initial_call=True,
    )
    def preview_files(contents: list[str] | None, names: list[str] | None) -> tuple:
        contents, names = contents or [], names or []
        if len(contents) > max_files:
            return ([], True, None, f"Au plus {max_files} fichiers à la fois : {len(contents)} ont été déposés. "
                                    "Déposez-les en plusieurs fois.", None)
        drop = preview_drop(contents, names)
        read = [(file, preview) for file, preview in drop if file is not None]
        return ([file_preview(preview, index) for index, (_file, preview) in enumerate(drop)],
                not any(preview.importable for _file, preview in drop), None, None,
                seal.seal([file for file, _ in read], [preview for _, preview in read]))

    @guarded_callback(
        app,
        Output({"type": ids.IMPORT_SUMMARY, "file": ALL}, "children"),
        Output({"type": ids.IMPORT_SHOWN_CHOICES, "file": ALL}, "data"),
        Output(ids.IMPORT_CONFIRM, "disabled", allow_duplicate=True),
        Output(ids.IMPORT_SEAL, "data", allow_duplicate=True),
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
        files = _files(contents, names)
        previews = _for_each_file(partial(imports.preview, actor=actor()), *ctx.inputs_list, files)
        return ([preview_summary(preview, index) for index, preview in enumerate(previews)],
                [shown_choices(preview) for preview in previews],
                not any(preview.importable for preview in previews), seal.seal(files, previews))

    @guarded_callback(
        app,
        Output(ids.IMPORT_RESULT, "children", allow_duplicate=True),
        Output({"type": ids.IMPORT_SUMMARY, "file": ALL}, "children", allow_duplicate=True),
        Output(ids.IMPORT_CONFIRM, "disabled", allow_duplicate=True),
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Input(ids.IMPORT_CONFIRM, "n_clicks"),
        State(ids.IMPORT_SEAL, "data"),
        State(ids.UPLOAD_CSV, "contents"),
        State(ids.UPLOAD_CSV, "filename"),
        prevent_initial_call=True,
    )
    def confirm_import(_clicks: int, token: str | None, contents: list[str] | None, names: list[str] | None) -> tuple:
        sealed = seal.opened(token)
        if not sealed or len(contents or []) > max_files:
            raise PreventUpdate
        outcomes = [imports.run(content, name, *sealed[digest(content), name], actor())
                    if (digest(content), name) in sealed else imports.not_previewed(name)
                    for content, name in _files(contents, names)]
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
        preview = _for_each_file(imports.preview, *ctx.states_list[:2], _files(contents, names))[index]
        stem = names[index].rsplit(".", 1)[0]
        return dcc.send_string(rejected_rows_csv(preview), f"{stem}-lignes-rejetees.csv")

    @guarded_callback(app, Output(ids.IMPORT_HISTORY, "rowData"), Input(ids.DATA_VERSION, "data"),
                      State(ids.IMPORT_HISTORY, "rowData"))
    def show_history(_version: str | None, shown: list[dict[str, str | int]] | None) -> Any:
        return unless_shown(history_rows(imports.history()), shown)
