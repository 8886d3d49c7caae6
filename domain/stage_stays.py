"""Stage movement from stays counted in groups: the entries into each open stage, moved on, lost, and the average
days of those that ended. Pure, so that the SQL only counts rows per stage and next stage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.performance_results import StageMovement, mean
from domain.stages import FUNNEL_STAGES, LOST, OPEN_STAGES

RANK = {name: position for position, name in enumerate(FUNNEL_STAGES)}


@dataclass(frozen=True)
class StayGroup:
    """`count` stays in `stage` that began in the period, followed by `next_stage` (None: still there), and the
    days they lasted, summed (0 when none ended)."""

    stage: str | None
    next_stage: str | None
    count: int
    days: float


def movement(groups: Iterable[StayGroup]) -> tuple[StageMovement, ...]:
    """Per open stage (in funnel order): entries, those followed by a later stage (Gagné included), those followed
    by Perdu, and the average days of the stays that ended (None when none did)."""
    totals = {stage: [0, 0, 0, 0.0, 0] for stage in OPEN_STAGES}
    for group in groups:
        figures = totals.get(group.stage)
        if figures is None:
            continue
        figures[0] += group.count
        if RANK.get(group.next_stage, -1) > RANK[group.stage]:
            figures[1] += group.count
        if group.next_stage == LOST:
            figures[2] += group.count
        if group.next_stage is not None:
            figures[3] += group.days
            figures[4] += group.count
    return tuple(StageMovement(stage, entered, advanced, lost, mean(Decimal(str(days)), ended))
                 for stage, (entered, advanced, lost, days, ended) in totals.items())
