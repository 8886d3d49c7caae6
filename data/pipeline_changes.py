"""Rebuild `pipeline_changes` (the open pipeline's daily moves behind the weekly trend) from the history.

The triggers of migration 0014 keep the table at each write, on the day of the write. A history written before
the table existed (the migration's backfill), or dated after the fact (the demo's stories, the tests' scripted
histories, the benchmarks' generated ones), needs the moves placed on the days its rows say: each deal still
present is walked back from its current state through its rows, newest first (`domain.pipeline_trend.replay`).
A deleted deal's values are not in its history, so the moves of deals deleted before a rebuild are lost; the
triggers record those of later deletions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import groupby

from sqlalchemy import Connection, and_, delete, insert, or_, select

from data.models import Deal, DealEvent, PipelineChange
from domain.pipeline_trend import STATE_FIELDS, DealState, HistoryRow, PipelineMove, replay, summed

BATCH = 5_000


def _deal_moves(connection: Connection) -> Iterator[PipelineMove]:
    """Every present deal's moves, its history read in one ordered pass (server-side cursor on PostgreSQL)."""
    counted_rows = or_(DealEvent.action != "updated", DealEvent.field.in_(STATE_FIELDS))
    statement = (
        select(Deal.id, Deal.statut, Deal.montant_brut, Deal.secteur, Deal.assignee, Deal.created_at,
               DealEvent.at, DealEvent.action, DealEvent.field, DealEvent.old_value)
        .outerjoin(DealEvent, and_(DealEvent.deal_id == Deal.id, counted_rows))
        .order_by(Deal.id, DealEvent.at.desc(), DealEvent.id.desc())
    )
    rows = connection.execute(statement.execution_options(stream_results=True, yield_per=BATCH))
    for _deal, deal_rows in groupby(rows, key=lambda row: row.id):
        first, *rest = deal_rows
        current = DealState(first.statut, first.montant_brut, first.secteur, first.assignee)
        history = [HistoryRow(row.at, row.action, row.field, row.old_value)
                   for row in (first, *rest) if row.action is not None]
        yield from replay(current, first.created_at, history)


def rebuild(connection: Connection) -> int:
    """Replace the table's rows with the moves the history implies, in the caller's transaction; the row count."""
    moves = summed(_deal_moves(connection))
    connection.execute(delete(PipelineChange))
    rows = [{"change_day": datetime.combine(move.day, datetime.min.time()), "statut": move.key[0],
             "secteur": move.key[1], "assignee": move.key[2], "n": move.deals, "ponderee": move.weighted}
            for move in moves.values()]
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(PipelineChange), rows[start:start + BATCH])
    return len(rows)
