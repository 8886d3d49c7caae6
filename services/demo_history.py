"""Plays the demo deals' stories (`data.demo.DemoStory`) into the database, so their history is a real one.

Each deal is inserted as a prospect with its creation time, then moved stage by stage with plain UPDATEs: the
triggers record every move as they record any change. Only the times are set afterwards (a trigger stamps "now"):
the creation event gets the creation time, the events of each move the move's time, and each deal's last change
(`last_change_at`, which the database keeps) its last move's, and the pipeline's daily moves behind the trend,
which the triggers wrote today, are placed on the history's days (`pipeline_changes.redate`; the founder's own
deals' moves stay as they are), and the summaries of the stays and of the wins are rebuilt from the history
(`stage_stays.rebuild`, `deal_wins.rebuild`, one grouped statement each: seconds at a million deals, instant at a
demo's size). One statement per step for all deals, so seeding stays quick on both databases.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, func, select

from data import deal_wins, pipeline_changes, stage_stays
from data.demo import DemoStory
from data.models import Deal, DealEvent
from domain.stages import LOST

DEALS, EVENTS = Deal.__table__, DealEvent.__table__


def play_stories(connection: Connection, stories: Mapping[str, DemoStory]) -> None:
    """Move the deals (by `ref_externe`) along their stories and date their history, in the caller's transaction."""
    ids = dict(connection.execute(select(Deal.ref_externe, Deal.id).where(Deal.ref_externe.in_(list(stories)))).all())
    connection.execute(
        EVENTS.update().where(EVENTS.c.deal_id == bindparam("deal"), EVENTS.c.action == "created")
        .values(at=bindparam("when")),
        [{"deal": ids[reference], "when": story.created_at} for reference, story in stories.items()])
    for step in range(max((len(story.moves) for story in stories.values()), default=0)):
        moving = {ids[reference]: (story.moves[step], story.loss_reason)
                  for reference, story in stories.items() if len(story.moves) > step}
        last_event = connection.scalar(select(func.coalesce(func.max(DealEvent.id), 0)))
        connection.execute(
            DEALS.update().where(DEALS.c.id == bindparam("deal"))
            .values(statut=bindparam("stage"), motif_perte=bindparam("reason")),
            [{"deal": deal, "stage": stage, "reason": reason if stage == LOST else None}
             for deal, ((stage, _when), reason) in moving.items()])
        connection.execute(
            EVENTS.update().where(EVENTS.c.id > last_event, EVENTS.c.deal_id == bindparam("deal"))
            .values(at=bindparam("when")),
            [{"deal": deal, "when": when} for deal, ((_stage, when), _reason) in moving.items()])
    connection.execute(DEALS.update().where(DEALS.c.id == bindparam("deal")).values(last_change_at=bindparam("when")),
                       [{"deal": ids[reference], "when": story.moves[-1][1] if story.moves else story.created_at}
                        for reference, story in stories.items()])
    pipeline_changes.redate(connection, ids.values(), datetime.now(UTC).date())
    stage_stays.rebuild(connection)
    deal_wins.rebuild(connection)
