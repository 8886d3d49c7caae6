"""The deal form: a modal to create a deal or edit one (opened from the grid), with its quick actions.

The modal's frame (title, error summary, history, footer buttons) is in the page; its fields are built when
it opens (`form_body`), with pattern-matching IDs. Why: every component in the page costs the renderer work
on each store update of every filter change, and a closed form's thirty fields would be paid for on every
click of a filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from domain.deal_filter import NO_ASSIGNEE, NO_SECTOR
from domain.deal_record import LOSS_REASONS, DealRecord, DealValues, typed_amount
from domain.fields import ASSIGNEE, CLIENT, ECHEANCE, FIELD_BY_KEY, MONTANT, NOTES, REF, SECTEUR, STATUT
from domain.stages import STAGE_NAMES
from layouts import ids

NEW_TITLE = "Nouveau deal"
LOSS_REASON, LOSS_DETAIL = "motif_raison", "motif_detail"
# The steps a quick action opens inside the form before it writes, and the button that confirms each.
LOST_STEP, DELETE_STEP, RELOAD_STEP = "lost", "delete", "reload"
HIDDEN: dict[str, str] = {"display": "none"}
SHOWN: dict[str, str] = {}
FIELD_ORDER: tuple[str, ...] = (CLIENT, STATUT, MONTANT, SECTEUR, ECHEANCE, ASSIGNEE, REF, NOTES)


def field_id(key: str) -> dict[str, str]:
    return {"type": ids.DEAL_FIELD, "key": key}


def feedback_id(key: str) -> dict[str, str]:
    return {"type": ids.DEAL_FEEDBACK, "key": key}


def step_id(key: str) -> dict[str, str]:
    return {"type": ids.DEAL_STEP, "key": key}


def step_button_type(key: str) -> str:
    """Each step's confirm button has a type of its own, so that a callback listens to one button only."""
    return f"{ids.DEAL_STEP_BUTTON}-{key}"


def step_button_id(key: str) -> dict[str, str]:
    return {"type": step_button_type(key), "key": key}


def deal_form() -> html.Div:
    """The modal's frame and the stores it works with; the fields come with `form_body` when it opens."""
    footer = [
        dbc.Button("Supprimer", id=ids.DEAL_DELETE, color="danger", outline=True, className="me-auto"),
        dbc.Button("Perdu", id=ids.DEAL_LOST, color="secondary", outline=True),
        dbc.Button("Gagné", id=ids.DEAL_WON, color="success", outline=True),
        dbc.Button("Annuler", id=ids.DEAL_FORM_CANCEL, color="secondary", outline=True),
        dbc.Button("Enregistrer", id=ids.DEAL_SAVE, color="primary"),
    ]
    return html.Div([
        dcc.Store(id=ids.DEAL_FORM_RECORD),
        dcc.Store(id=ids.DEAL_UNDO_TOKEN),
        dcc.Store(id=ids.DEAL_OPEN_REQUEST),
        dcc.Store(id=ids.DEAL_LOST_CONFIRMED),
        dcc.Store(id=ids.DEAL_DELETE_CONFIRMED),
        dcc.Store(id=ids.DEAL_DATE_TEXT),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle(NEW_TITLE, id=ids.DEAL_FORM_TITLE)),
            dbc.ModalBody([
                dbc.Alert(id=ids.DEAL_FORM_ERROR, color="danger", is_open=False),
                html.Div(id=ids.DEAL_FORM_BODY),
                html.Div(id=ids.DEAL_HISTORY, className="deal-history"),
            ]),
            dbc.ModalFooter(footer),
        ], id=ids.DEAL_FORM, is_open=False, size="lg", scrollable=True, fade=False),
    ])


def _feedback(key: str) -> html.Div:
    return html.Div(id=feedback_id(key), className="field-error")


def _labelled(key: str, control: Component) -> html.Div:
    return html.Div([dbc.Label(FIELD_BY_KEY[key].label, className="form-label mb-1"), control, _feedback(key)],
                    className=f"deal-field deal-field-{key}")


def _text_input(key: str, value: str | None, **extra: object) -> dbc.Input:
    return dbc.Input(id=field_id(key), value=value or "", type="text", debounce=False, **extra)


def _suggestions(list_id: str, values: Sequence[str]) -> html.Datalist:
    return html.Datalist([html.Option(value=value) for value in values], id=list_id)


def form_body(record: DealRecord | None, sectors: Sequence[str], assignees: Sequence[str]) -> list[Component]:
    """The fields, filled with `record`'s values (empty for a new deal), and the steps of the quick actions."""
    values = record.values if record else DealValues(client="", statut=STAGE_NAMES[0])
    due: date | None = values.date_echeance
    fields = {
        CLIENT: _text_input(CLIENT, values.client, maxLength=FIELD_BY_KEY[CLIENT].max_length),
        STATUT: dbc.Select(id=field_id(STATUT), value=values.statut,
                           options=[{"label": name, "value": name} for name in STAGE_NAMES]),
        MONTANT: _text_input(MONTANT, typed_amount(values.montant_brut), placeholder="vide : à estimer",
                             inputMode="decimal"),
        SECTEUR: _text_input(SECTEUR, values.secteur, list="deal-sector-names", placeholder="choisir ou saisir"),
        ECHEANCE: dcc.DatePickerSingle(id={"type": ids.DEAL_DATE, "key": ECHEANCE}, date=due,
                                       display_format="DD/MM/YYYY", first_day_of_week=1, clearable=True,
                                       placeholder="jj/mm/aaaa"),
        ASSIGNEE: _text_input(ASSIGNEE, values.assignee, list="deal-assignee-names", placeholder="choisir ou saisir"),
        REF: _text_input(REF, values.ref_externe),
        NOTES: dbc.Textarea(id=field_id(NOTES), value=values.notes or "", rows=3),
    }
    return [
        html.Div([_labelled(key, fields[key]) for key in FIELD_ORDER], className="deal-fields"),
        # The filters' words for "none" are not names to give a deal: picked, they would be stored as one.
        _suggestions("deal-sector-names", [name for name in sectors if name != NO_SECTOR]),
        _suggestions("deal-assignee-names", [name for name in assignees if name != NO_ASSIGNEE]),
        html.Div([
            dbc.Label("Motif de la perte", className="form-label mb-1"),
            dbc.Select(id=field_id(LOSS_REASON), options=[{"label": reason, "value": reason}
                                                           for reason in LOSS_REASONS], value=LOSS_REASONS[0]),
            dbc.Input(id=field_id(LOSS_DETAIL), placeholder="précision (facultatif)", maxLength=200),
            dbc.Button("Confirmer : perdu", id=step_button_id(LOST_STEP), color="secondary"),
            _feedback("motif_perte"),
        ], id=step_id(LOST_STEP), className="deal-step", style=HIDDEN),
        html.Div([
            html.Span("Supprimer ce deal ? Vous pourrez annuler pendant 10 secondes."),
            dbc.Button("Oui, supprimer", id=step_button_id(DELETE_STEP), color="danger"),
        ], id=step_id(DELETE_STEP), className="deal-step", style=HIDDEN),
        html.Div([
            dbc.Button("Recharger le deal", id=step_button_id(RELOAD_STEP), color="warning"),
        ], id=step_id(RELOAD_STEP), className="deal-step", style=HIDDEN),
    ]
