"""The KPI cards: one query (the per-stage totals) answers every card and the notes of those that leave out the
deals without an amount."""

from __future__ import annotations

from dash import Dash, Input, Output

from callbacks.guard import guarded_callback
from callbacks.selection import filter_inputs, selection
from domain.deal_filter import DealFilter
from layouts import ids
from layouts.kpis import NOTE_IDS, VALUE_IDS, kpi_texts, selection_message, without_amount_note
from services.reads import DealReads


def register(app: Dash, service: DealReads) -> None:
    """Redraw the cards when the filters or the data change."""

    @guarded_callback(
        app,
        *(Output(value_id, "children") for value_id in VALUE_IDS),
        *(Output(note_id, "children") for note_id in NOTE_IDS.values()),
        Output(ids.SELECTION_MESSAGE, "children"),
        Input(ids.DATA_VERSION, "data"),
        *filter_inputs(),
    )
    def show_kpis(_version: str | None, *values: object) -> tuple:
        deal_filter = selection(*values)  # type: ignore[arg-type]
        kpis = service.kpis(deal_filter)
        note = without_amount_note(kpis)
        message = selection_message(kpis, filtered=deal_filter != DealFilter())
        return (*kpi_texts(kpis), *(note for _ in NOTE_IDS), message)
