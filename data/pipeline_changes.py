"""Rebuild `pipeline_changes` (the open pipeline's weekly moves behind the weekly trend) from the history.

The triggers (`data.pipeline_change_triggers`) keep the table at each write, on the week of the write. A history
written before the table existed (the migration's backfill), or dated after the fact (the tests' scripted histories,
the benchmarks' generated ones), needs the moves placed on the weeks its rows say: each deal still present is walked
back from its current state through its rows, newest first (`domain.pipeline_trend.replay`). A deleted deal's values
are not in its history, so a whole rebuild loses the moves of deals deleted before it; `redate` corrects only the
deals it is given (the demo's, seeded beside the founder's own) and leaves every other move as it is, and `forget`
takes the demo's moves out again when it is removed, so the trend shows no trace of it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date, datetime
from functools import partial
from itertools import groupby

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, or_, select, true, update

from data.models import Deal, DealEvent, PipelineChange
from domain.pipeline_trend import STATE_FIELDS, DealState, HistoryRow, PipelineMove, redated, replay, summed

BATCH = 5_000


Walk = Callable[[DealState, datetime, list[HistoryRow]], Iterable[PipelineMove]]


def _deal_moves(connection: Connection, walk: Walk = replay,
                chosen: ColumnElement[bool] | None = None) -> Iterator[PipelineMove]:
    """The moves `walk` gives for each present deal (`chosen` ones only when given), its history read in one
    ordered pass (server-side cursor on PostgreSQL)."""
    counted_rows = or_(DealEvent.action != "updated", DealEvent.field.in_(STATE_FIELDS))
    statement = (
        select(Deal.id, Deal.statut, Deal.montant_brut, Deal.secteur, Deal.assignee, Deal.created_at,
               DealEvent.at, DealEvent.action, DealEvent.field, DealEvent.old_value)
        .outerjoin(DealEvent, and_(DealEvent.deal_id == Deal.id, counted_rows))
        .where(true() if chosen is None else chosen)
        .order_by(Deal.id, DealEvent.at.desc(), DealEvent.id.desc())
    )
    rows = connection.execute(statement.execution_options(stream_results=True, yield_per=BATCH))
    for _deal, deal_rows in groupby(rows, key=lambda row: row.id):
        first, *rest = deal_rows
        current = DealState(first.statut, first.montant_brut, first.secteur, first.assignee)
        history = [HistoryRow(row.at, row.action, row.field, row.old_value)
                   for row in (first, *rest) if row.action is not None]
        yield from walk(current, first.created_at, history)


def rebuild(connection: Connection) -> int:
    """Replace the table's rows with the moves the history implies, in the caller's transaction; the row count."""
    moves = summed(_deal_moves(connection))
    connection.execute(delete(PipelineChange))
    rows = [_row(move) for move in moves.values()]
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(PipelineChange), rows[start:start + BATCH])
    return len(rows)


def redate(connection: Connection, deal_ids: Collection[int], written_on: date) -> None:
    """Place the moves of `deal_ids`, written in one go on `written_on` (UTC) and whose history was dated after,
    on the weeks that history says, in the caller's transaction; every other deal's moves stay."""
    _add(connection, _deal_moves(connection, partial(redated, written_on), Deal.id.in_(list(deal_ids))), 1)


def forget(connection: Connection, deal_ids: Collection[int], deleted_on: date) -> None:
    """Before `deal_ids` are deleted on `deleted_on` (UTC) as if they had never been (the demo's removal): take
    their moves out of every week, and give back in advance the move their deletion's triggers will write."""
    _add(connection, _deal_moves(connection, partial(redated, deleted_on), Deal.id.in_(list(deal_ids))), -1)


def _add(connection: Connection, moves: Iterable[PipelineMove], sign: int) -> None:
    """Add `sign` × `moves` to the table, week and key by key, and drop the rows that come to nothing."""
    c = PipelineChange
    for move in summed(moves).values():
        row = {**_row(move), "n": sign * move.deals, "ponderee": sign * move.weighted}
        same = and_(c.change_day == row["change_day"], c.statut == row["statut"],
                    c.secteur.is_not_distinct_from(row["secteur"]), c.assignee.is_not_distinct_from(row["assignee"]))
        added = update(c).where(same).values(n=c.n + row["n"], ponderee=c.ponderee + row["ponderee"])
        if not connection.execute(added).rowcount:
            connection.execute(insert(c).values(row))
    connection.execute(delete(c).where(c.n == 0, c.ponderee == 0))


def _row(move: PipelineMove) -> dict[str, object]:
    return {"change_day": datetime.combine(move.day, datetime.min.time()), "statut": move.key[0],
            "secteur": move.key[1], "assignee": move.key[2], "n": move.deals, "ponderee": move.weighted}
