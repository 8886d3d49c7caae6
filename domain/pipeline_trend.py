"""The pipeline's weekly trend: the weighted open pipeline and the open deal count at the end of each of the last
26 weeks.

The database keeps, per UTC week (on its Monday) and per stage, sector and salesperson, how much the open pipeline
moved that week (`pipeline_changes`: +1 deal and its weighted value when a deal enters an open stage or is created
in one, the opposite when it leaves, both when its amount changes). The value at the end of a past week is today's
less every move after it: `trend_points` does that sum. A week, not a day: the trend needs no finer grain, and a
week's rows are about a seventh of its days' (the statement reads them all at every filter change). `replay`
rebuilds those moves from a deal's history rows, for a history written before the table existed or dated afterwards
(the demo, the tests, the benchmarks).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.stages import OPEN_STAGES, PROBABILITY

TREND_WEEKS = 26
CENT = Decimal("0.01")
# The fields of a deal's state that decide whether and where it weighs in the open pipeline.
STATE_FIELDS = ("statut", "montant_brut", "secteur", "assignee")


@dataclass(frozen=True)
class DealState:
    """What places a deal in the open pipeline: its stage, amount (None: "à estimer"), sector and salesperson."""

    statut: str
    montant_brut: Decimal | None
    secteur: str | None
    assignee: str | None

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return self.statut, self.secteur, self.assignee

    @property
    def weighted(self) -> Decimal:
        """The weighted value as the database computes it (`round(montant_brut * probabilite, 2)`); 0 unknown."""
        if self.montant_brut is None:
            return Decimal("0.00")
        return (self.montant_brut * PROBABILITY[self.statut]).quantize(CENT, rounding=ROUND_HALF_UP)

    def with_value(self, field: str, text: str | None) -> DealState:
        """The state with one field set back to a history row's text value."""
        if field == "montant_brut":
            return replace(self, montant_brut=None if text is None else Decimal(text))
        return replace(self, **{field: text})


@dataclass(frozen=True)
class HistoryRow:
    """One `deal_events` row: when (naive UTC), what (`created`, `updated`, `deleted`, `restored`), which field
    and its old value as text."""

    at: datetime
    action: str
    field: str | None = None
    old_value: str | None = None


@dataclass(frozen=True)
class PipelineMove:
    """How much the open pipeline of one stage, sector and salesperson moved on one UTC day."""

    day: date
    key: tuple[str, str | None, str | None]
    deals: int
    weighted: Decimal


def _moves(day: date, before: DealState | None, after: DealState | None) -> Iterator[PipelineMove]:
    """The open pipeline's moves when a deal goes from `before` to `after` (None: not there)."""
    if before is not None and before.statut in OPEN_STAGES:
        yield PipelineMove(day, before.key, -1, -before.weighted)
    if after is not None and after.statut in OPEN_STAGES:
        yield PipelineMove(day, after.key, 1, after.weighted)


def replay(current: DealState, created_at: datetime, newest_first: Iterable[HistoryRow]) -> Iterator[PipelineMove]:
    """The moves of one deal still present, walked back from its current state through its history: each update
    of a state field sets that field back to its old value; a `created` row is where the deal began, a `restored`
    row where it came back and a `deleted` row where it left. A deal whose history has no `created` row (written
    before the history existed) counts from its creation date."""
    state, present = current, True
    for row in newest_first:
        day = row.at.date()
        if row.action == "updated" and row.field in STATE_FIELDS:
            earlier = state.with_value(row.field, row.old_value)
            if present:
                yield from _moves(day, earlier, state)
            state = earlier
        elif row.action in ("created", "restored"):
            yield from _moves(day, None, state)
            if row.action == "created":
                return
            present = False
        elif row.action == "deleted":
            yield from _moves(day, state, None)
            present = True
    yield from _moves(created_at.date(), None, state)


def redated(written_on: date, current: DealState, created_at: datetime,
            newest_first: Iterable[HistoryRow]) -> Iterator[PipelineMove]:
    """For a deal written in one go on `written_on` (created and moved in one transaction, whose triggers netted
    its moves into +its current state that day) and whose history was dated afterwards: the corrections that take
    that day's move back and place its moves on the days its history says."""
    yield from _moves(written_on, current, None)
    yield from replay(current, created_at, newest_first)


def summed(moves: Iterable[PipelineMove]) -> dict[tuple[date, tuple[str, str | None, str | None]], PipelineMove]:
    """The moves added up per week and key, each on its week's Monday, those that cancel out left out: as the
    table keeps them."""
    totals: dict[tuple[date, tuple[str, str | None, str | None]], PipelineMove] = {}
    for move in moves:
        week = week_start(move.day)
        found = totals.get((week, move.key))
        totals[(week, move.key)] = replace(move, day=week) if found is None else replace(
            found, deals=found.deals + move.deals, weighted=found.weighted + move.weighted)
    return {where: move for where, move in totals.items() if move.deals or move.weighted}


@dataclass(frozen=True)
class TrendPoint:
    """The open pipeline at the end of the week that starts on `week_start` (now, for the current week)."""

    week_start: date
    deals: int
    weighted: Decimal


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def first_counted_day(today: date, weeks: int = TREND_WEEKS) -> date:
    """The first day whose moves the trend needs: the Monday after the oldest week shown."""
    return week_start(today) - timedelta(weeks=weeks - 2)


def trend_points(today: date, deals_now: int, weighted_now: Decimal,
                 moved: Mapping[date, tuple[int, Decimal]], weeks: int = TREND_WEEKS) -> tuple[TrendPoint, ...]:
    """The last `weeks` weeks, oldest first: the current week's point is now; each earlier week's is now less the
    moves (`moved`, by the day they are counted on: the table's are Mondays) after that week (its Sunday's end is
    the next Monday's UTC midnight)."""
    current = week_start(today)
    points = []
    for back in range(weeks - 1, -1, -1):
        start = current - timedelta(weeks=back)
        after = start + timedelta(weeks=1)
        later = [move for day, move in moved.items() if day >= after] if back else []
        points.append(TrendPoint(start, deals_now - sum(n for n, _ in later),
                                 weighted_now - sum((value for _, value in later), Decimal("0.00"))))
    return tuple(points)


@dataclass(frozen=True)
class PipelineTrend:
    """The weekly points, and whether the selection had filters the trend cannot follow (a due-date range, a
    search, deals without an amount or a due date): the moves are kept per stage, sector and salesperson only."""

    points: tuple[TrendPoint, ...]
    partial: bool = False
