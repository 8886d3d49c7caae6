"""A deal's timeline in the form (`deal-history`): each change with its time (Paris), field, old → new value
and where it came from. The history stores values as locale-free text; `formatting.stored_value` writes them
in French."""

from __future__ import annotations

from collections.abc import Sequence

from dash import html

from domain import formatting
from domain.deal_record import DealEventView
from domain.fields import FIELD_BY_KEY
from domain.formatting import stored_value

ACTIONS = {"created": "Création", "updated": "Modification", "deleted": "Suppression", "restored": "Restauration"}
LABELS = {**{key: field.label for key, field in FIELD_BY_KEY.items()}, "motif_perte": "Motif de perte"}
NO_HISTORY = "Aucun changement enregistré pour ce deal."


def _line(event: DealEventView) -> html.Li:
    what = ACTIONS.get(event.action, event.action)
    if event.field:
        what = (f"{LABELS.get(event.field, event.field)} : {stored_value(event.field, event.old_value)} → "
                f"{stored_value(event.field, event.new_value)}")
    who = f"{event.source}, {event.user_name}" if event.user_name else event.source
    return html.Li([html.Span(formatting.moment(event.at), className="history-time"), f" {what} ",
                    html.Span(f"({who})", className="history-source")])


def history_list(events: Sequence[DealEventView]) -> list:
    """The title and the timeline, newest first; a sentence when nothing was recorded."""
    body = html.Ol([_line(event) for event in events], className="history-list") if events else html.P(NO_HISTORY)
    return [html.H3("Historique", className="h6 mt-3"), body]
