"""The deal form's wiring: open it (new deal, or a click on a grid row), save, won, lost (with its reason),
delete then undo, and the stage, amount and due date edited in the grid.

Every write goes through `DealWrites`, which checks the typed values with the import's rules and refuses a
write based on a version of the deal that is no longer the stored one. The browser holds the id and version
the form was opened on, and the values it showed (only to say what changed in a conflict message).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.guard import guarded_callback
from domain.accounts import Actor, may_add, may_change
from domain.deal_record import MAX_ID, DealRecord, DealValues, loss_reason
from domain.errors import DealConflictError, DealGoneError, DealInputError
from domain.fields import CLIENT, ECHEANCE
from domain.stages import LOST, WON
from layouts import ids
from layouts.app_alert import UNDO_SECONDS, AlertView, offers_undo
from layouts.deadlines import EDITABLE_FIELDS, rows_from_server
from layouts.deal_form import (
    DELETE_STEP,
    HIDDEN,
    LOSS_DETAIL,
    LOSS_REASON,
    LOST_STEP,
    NEW_TITLE,
    RELOAD_STEP,
    SHOWN,
    form_body,
    step_button_type,
)
from layouts.deal_history import history_list
from services.deal_input import typed_values
from services.reads import DealReads
from services.writes import DealWrites

# Where a change comes from, as the history records it.
FORM, GRID = "formulaire", "grille"
TO_ESTIMATE_TYPED = {"à estimer", "a estimer"}
ALERT_OUTPUTS = (
    (ids.APP_ALERT_TEXT, "children"), (ids.APP_ALERT, "is_open"), (ids.APP_ALERT, "color"),
    (ids.APP_ALERT, "duration"), (ids.DEAL_UNDO, "style"),
)
UNCHANGED_ALERT = (no_update,) * len(ALERT_OUTPUTS)
# What the alert says after a write from the form, by the button that made it.
SAVED_WORDS = {ids.DEAL_SAVE: "Deal enregistré", ids.DEAL_WON: "Deal gagné", ids.DEAL_LOST_CONFIRMED: "Deal perdu"}
CREATED_WORD = "Deal créé"
SAVED_SECONDS = 4


def _alert_outputs() -> list[Output]:
    return [Output(component, prop, allow_duplicate=True) for component, prop in ALERT_OUTPUTS]


def _record_data(record: DealRecord) -> dict[str, Any]:
    """What the browser keeps of the opened deal: id, version and the values shown."""
    values = {name: (str(value) if isinstance(value, Decimal | date) else value)
              for name, value in vars(record.values).items()}
    return {"id": record.id, "version": record.version, "values": values}


def _stored_number(value: Any) -> int:
    """A deal's id or version as the browser sends it back; anything but an integer the database can hold was not
    sent by the page (ValueError: the request gets a 400, `http_guards`)."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"nombre hors des colonnes de la base : {number:.3g}")
    return number


def _opened_at(data: dict[str, Any]) -> tuple[int, int]:
    """(id, version) of the deal the form opened."""
    return _stored_number(data["id"]), _stored_number(data["version"])


def _seen(data: dict[str, Any]) -> DealValues:
    """The values the form showed, back from the browser (they only word a conflict message)."""
    values = dict(data["values"])
    if values.get("montant_brut") is not None:
        values["montant_brut"] = Decimal(values["montant_brut"])
    if values.get("date_echeance"):
        values["date_echeance"] = date.fromisoformat(values["date_echeance"])
    return DealValues(**values)


def _typed_from_form() -> dict[str, object]:
    """The form's fields by key, from the callback's pattern-matching States."""
    typed: dict[str, object] = {}
    for group in ctx.states_list:
        if isinstance(group, list):
            for item in group:
                typed[item["id"]["key"]] = item.get("value")
    return typed


def _each(group_index: int | None, value_of: Any) -> list[Any]:
    """One value per component of a pattern-matching output group, by the component's key (`None`: the
    callback's only output, which Dash does not wrap in a list of outputs)."""
    group = ctx.outputs_list if group_index is None else ctx.outputs_list[group_index]
    return [value_of(item["id"]["key"]) for item in group]


def register(app: Dash, reads: DealReads, writes: DealWrites, actor: Callable[[], Actor | None]) -> None:
    """Open, save, quick actions, delete and undo, grid edits."""
    app.clientside_callback(ClientsideFunction("crm", "dealOfClick"), Output(ids.DEAL_OPEN_REQUEST, "data"),
                            Input(ids.TABLE_DEADLINES, "cellClicked"), prevent_initial_call=True)
    app.clientside_callback("function () { return false; }", Output(ids.DEAL_FORM, "is_open", allow_duplicate=True),
                            Input(ids.DEAL_FORM_CANCEL, "n_clicks"), prevent_initial_call=True)
    for step, confirmed in ((LOST_STEP, ids.DEAL_LOST_CONFIRMED), (DELETE_STEP, ids.DEAL_DELETE_CONFIRMED)):
        app.clientside_callback(ClientsideFunction("crm", "stepConfirmed"), Output(confirmed, "data"),
                                Input({"type": step_button_type(step), "key": ALL}, "n_clicks"),
                                prevent_initial_call=True)

    @guarded_callback(
        app,
        Output(ids.DEAL_FORM, "is_open"), Output(ids.DEAL_FORM_TITLE, "children"),
        Output(ids.DEAL_FORM_BODY, "children"), Output(ids.DEAL_HISTORY, "children"),
        Output(ids.DEAL_FORM_RECORD, "data"), Output(ids.DEAL_FORM_ERROR, "children"),
        Output(ids.DEAL_FORM_ERROR, "is_open"),
        Output(ids.DEAL_DELETE, "style"), Output(ids.DEAL_LOST, "style"), Output(ids.DEAL_WON, "style"),
        Output(ids.DEAL_SAVE, "style"),
        Input(ids.DEAL_NEW, "n_clicks"), Input(ids.DEAL_OPEN_REQUEST, "data"),
        Input({"type": step_button_type(RELOAD_STEP), "key": ALL}, "n_clicks"),
        State(ids.DEAL_FORM_RECORD, "data"),
        prevent_initial_call=True,
    )
    def open_form(_new: int | None, request: dict[str, Any] | None, reloads: list[int | None],
                  opened: dict[str, Any] | None) -> tuple:
        trigger = ctx.triggered_id
        if trigger == ids.DEAL_NEW:
            record = None
        else:
            if trigger == ids.DEAL_OPEN_REQUEST and request:
                deal_id = _stored_number(request["id"])
            elif isinstance(trigger, dict) and any(reloads) and opened:
                deal_id = _stored_number(opened["id"])
            else:
                raise PreventUpdate
            record = reads.deal(deal_id)
            if record is None:
                return (False, *[no_update] * (len(ctx.outputs_list) - 1))
        options = reads.filter_options()
        sectors = [name for name, _count in options.sectors]
        assignees = [name for name, _count in options.assignees]
        # What the asking account may do with this deal (the write service checks it again on every write).
        writable = may_change(actor(), record.values.assignee) if record else may_add(actor())
        actions = SHOWN if record and writable else HIDDEN
        return (
            True, f"Deal : {record.values.client}" if record else NEW_TITLE,
            form_body(record, sectors, assignees),
            history_list(reads.deal_history(record.id)) if record else [],
            _record_data(record) if record else None, None, False,
            actions, actions, actions, SHOWN if writable else HIDDEN,
        )

    @app.callback(
        Output({"type": ids.DEAL_STEP, "key": ALL}, "style", allow_duplicate=True),
        Input(ids.DEAL_LOST, "n_clicks"), Input(ids.DEAL_DELETE, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_step(_lost: int | None, _delete: int | None) -> list[dict[str, str]]:
        wanted = LOST_STEP if ctx.triggered_id == ids.DEAL_LOST else DELETE_STEP
        return _each(None, lambda key: SHOWN if key == wanted else HIDDEN)

    @guarded_callback(
        app,
        Output(ids.DEAL_FORM, "is_open", allow_duplicate=True),
        Output(ids.DEAL_FORM_ERROR, "children", allow_duplicate=True),
        Output(ids.DEAL_FORM_ERROR, "is_open", allow_duplicate=True),
        Output({"type": ids.DEAL_FEEDBACK, "key": ALL}, "children"),
        Output({"type": ids.DEAL_FIELD, "key": ALL}, "invalid"),
        Output({"type": ids.DEAL_STEP, "key": ALL}, "style", allow_duplicate=True),
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        *_alert_outputs(),
        Input(ids.DEAL_SAVE, "n_clicks"), Input(ids.DEAL_WON, "n_clicks"), Input(ids.DEAL_LOST_CONFIRMED, "data"),
        State({"type": ids.DEAL_FIELD, "key": ALL}, "value"),
        State({"type": ids.DEAL_DATE, "key": ALL}, "date"),
        State(ids.DEAL_FORM_RECORD, "data"),
        State(ids.DEAL_DATE_TEXT, "data"),
        State(ids.APP_ALERT, "is_open"), State(ids.DEAL_UNDO, "style"),
        prevent_initial_call=True,
    )
    def save(_save: int | None, _won: int | None, _lost_at: int | None, _fields: list[Any], _dates: list[Any],
             opened: dict[str, Any] | None, date_text: str | None, alert_open: bool | None,
             undo_style: dict[str, str] | None) -> tuple:
        trigger = ctx.triggered_id
        typed = _typed_from_form()
        if not typed.get(ECHEANCE) and isinstance(date_text, str) and date_text.strip():
            typed[ECHEANCE] = date_text.strip()  # text the picker could not read: judged, never dropped
        if trigger == ids.DEAL_WON:
            typed["statut"] = WON
        elif trigger == ids.DEAL_LOST_CONFIRMED:
            typed["statut"] = LOST
            typed["motif_perte"] = loss_reason(str(typed.get(LOSS_REASON)), str(typed.get(LOSS_DETAIL) or ""))
        elif typed.get("statut") != LOST:
            typed["motif_perte"] = None
        elif opened:
            typed["motif_perte"] = opened["values"].get("motif_perte")
        try:
            if opened:
                client = writes.change_deal(*_opened_at(opened), _seen(opened), typed, FORM, actor()).values.client
            else:
                writes.create_deal(typed, FORM, actor())
                client = str(typed.get(CLIENT) or "").strip()
        except DealInputError as refused:
            problems = refused.problems
            count = len(problems)
            summary = (f"Le deal n'a pas été enregistré : {count} champ{'s' if count > 1 else ''} à corriger "
                       f"({refused}).")
            return (no_update, summary, True, _each(3, problems.get), _each(4, problems.__contains__),
                    _each(5, lambda _key: no_update), no_update, *UNCHANGED_ALERT)
        except (DealConflictError, DealGoneError) as refused:
            reload = SHOWN if isinstance(refused, DealConflictError) else HIDDEN
            return (no_update, refused.message, True, _each(3, lambda _key: None), _each(4, lambda _key: False),
                    _each(5, lambda key: reload if key == RELOAD_STEP else HIDDEN), no_update, *UNCHANGED_ALERT)
        # Only the form closes: its message, fields and steps are built afresh when it opens again, and each
        # output sent costs the renderer a store update while the figures are on their way. The alert says what
        # was saved, since the closing form alone does not, unless it still offers to undo a deletion: that offer
        # stays until its time is up.
        done = SAVED_WORDS[trigger] if opened else CREATED_WORD
        alert = UNCHANGED_ALERT if offers_undo(alert_open, undo_style) else AlertView(
            f"{done} : {client}.", color="success", seconds=SAVED_SECONDS).props()
        return (False, no_update, no_update, *(_each(group, lambda _key: no_update) for group in (3, 4, 5)),
                writes.data_version(), *alert)

    @guarded_callback(
        app,
        Output(ids.DEAL_FORM, "is_open", allow_duplicate=True),
        Output(ids.DEAL_FORM_ERROR, "children", allow_duplicate=True),
        Output(ids.DEAL_FORM_ERROR, "is_open", allow_duplicate=True),
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Output(ids.DEAL_UNDO_TOKEN, "data"),
        *_alert_outputs(),
        Input(ids.DEAL_DELETE_CONFIRMED, "data"),
        State(ids.DEAL_FORM_RECORD, "data"),
        prevent_initial_call=True,
    )
    def delete(confirmed_at: int | None, opened: dict[str, Any] | None) -> tuple:
        if not confirmed_at or not opened:
            raise PreventUpdate
        try:
            token = writes.remove_deal(*_opened_at(opened), _seen(opened), FORM, actor())
        except (DealConflictError, DealGoneError) as refused:
            return (no_update, refused.message, True, no_update, no_update, *UNCHANGED_ALERT)
        client = opened["values"]["client"]
        shown = AlertView(f"Deal supprimé : {client}.", color="secondary", seconds=UNDO_SECONDS, undo=True)
        return (False, None, False, writes.data_version(), token, *shown.props())

    @guarded_callback(
        app,
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        *_alert_outputs(),
        Input(ids.DEAL_UNDO, "n_clicks"),
        State(ids.DEAL_UNDO_TOKEN, "data"),
        prevent_initial_call=True,
    )
    def undo(clicks: int | None, token: str | None) -> tuple:
        if not clicks or not token:
            raise PreventUpdate
        try:
            restored = writes.undo_removal(token, FORM, actor())
        except (DealConflictError, DealGoneError) as refused:
            return (no_update, *AlertView(refused.message, color="warning", seconds=6).props())
        shown = AlertView(f"Deal restauré : {restored.values.client}.", color="success", seconds=SAVED_SECONDS)
        return (writes.data_version(), *shown.props())

    @guarded_callback(
        app,
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Output(ids.GRID_FIRST_PAGE, "data", allow_duplicate=True),
        *_alert_outputs(),
        Input(ids.TABLE_DEADLINES, "cellValueChanged"),
        prevent_initial_call=True,
    )
    def edit_in_grid(changes: list[dict[str, Any]] | None) -> tuple:
        change = (changes or [None])[-1]
        if not change or change.get("colId") not in EDITABLE_FIELDS:
            raise PreventUpdate
        row = change["data"]
        field, text = change["colId"], str(change.get("value") or "").strip()
        record = reads.deal(_stored_number(row["id"]))
        try:
            if record is None:
                raise DealGoneError()
            typed = typed_values(record.values)
            typed[field] = "" if text.lower() in TO_ESTIMATE_TYPED else text
            writes.change_deal(record.id, _stored_number(row["version"]), record.values, typed, GRID, actor())
        except (DealInputError, DealConflictError, DealGoneError) as refused:
            reason = refused.message if isinstance(refused, DealConflictError | DealGoneError) else str(refused)
            shown = AlertView(f"Modification refusée : {reason}", color="warning", seconds=8)
            return (no_update, rows_from_server(change.get("timestamp") or 1), *shown.props())
        return (writes.data_version(), no_update, *UNCHANGED_ALERT)
