"""Typed answers of the performance reads: per salesperson, the forecast by close month, stage movement and the
velocity levers.

Frozen dataclasses of plain values, like `domain.pipeline_results`, so they pickle into any cache backend and
compare in tests. A figure with no meaning for the selection (a win rate with no closed deal, a cycle with no
won deal) is `None`, never NaN or 0.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.pipeline_trend import PipelineTrend

FORECAST_MONTHS = 12
OVERDUE_BUCKET = "En retard"


def mean(total: Decimal, count: int) -> Decimal | None:
    """`total / count` to the cent, None over nothing."""
    return None if count == 0 else (total / count).quantize(Decimal("0.01"), ROUND_HALF_UP)


def rate(part: int, whole: int) -> Decimal | None:
    """`part / whole` kept to six places, None when `whole` is 0 (no deal to rate)."""
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class AssigneePerformance:
    """One salesperson's figures over the selected deals; `assignee` is "Non attribué" for deals with none."""

    assignee: str
    open_gross: Decimal
    open_weighted: Decimal
    won_amount: Decimal
    won: int
    lost: int
    deal_count: int
    stale: int  # cold deals: open, no change in their history for more than STALE_DAYS (domain.staleness)
    open_count: int = 0
    valued: int = 0  # deals with an amount
    amount_total: Decimal = Decimal(0)  # their amounts
    cycles: int = 0  # won deals whose win is in the history
    cycle_days_total: Decimal = Decimal(0)  # their days from creation to the win

    @property
    def average_deal(self) -> Decimal | None:
        """Panier moyen: mean amount of the deals that have one."""
        return mean(self.amount_total, self.valued)

    @property
    def average_cycle_days(self) -> Decimal | None:
        """Mean days from creation to the win; None with no won deal whose win is in the history."""
        return mean(self.cycle_days_total, self.cycles)

    @property
    def win_rate(self) -> Decimal | None:
        """Gagné / (Gagné + Perdu); None with no closed deal."""
        return rate(self.won, self.won + self.lost)


@dataclass(frozen=True)
class ForecastCell:
    """The open deals of one stage due in one bucket (a month, or overdue)."""

    bucket: str  # "YYYY-MM" or OVERDUE_BUCKET
    stage: str
    count: int
    gross: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class Forecast:
    """Open deals by expected close month (overdue first, then the next 12 months), and the won amount of each
    of the last 12 months; `months` and `past_months` list every bucket, so empty months show as zero."""

    months: tuple[str, ...]
    cells: tuple[ForecastCell, ...]
    past_months: tuple[str, ...]
    won_by_month: tuple[Decimal, ...]
    undated: int  # open deals with no due date or due after the 12 months, left out


@dataclass(frozen=True)
class StageMovement:
    """Deals that entered one open stage in the period: how many went on to a later stage, how many were lost,
    and the average days of the stays that ended."""

    stage: str
    entered: int
    advanced: int
    lost: int
    average_days: Decimal | None

    @property
    def advanced_rate(self) -> Decimal | None:
        """Share of the entries that moved on to a later stage (Gagné included)."""
        return rate(self.advanced, self.entered)

    @property
    def lost_rate(self) -> Decimal | None:
        """Share of the entries that went to Perdu."""
        return rate(self.lost, self.entered)


@dataclass(frozen=True)
class StageConversion:
    """Stage movement over the days from `start` to `end`, inclusive."""

    start: date
    end: date
    stages: tuple[StageMovement, ...]


@dataclass(frozen=True)
class VelocityLevers:
    """The four levers of the sales velocity over the selection, and the open weighted pipeline."""

    open_deals: int
    average_deal: Decimal | None
    win_rate: Decimal | None
    average_cycle_days: Decimal | None
    weighted_pipeline: Decimal


def levers_of(people: Sequence[AssigneePerformance], chosen: Collection[str]) -> VelocityLevers:
    """The levers of the chosen salespeople's deals (everyone's when none is chosen), from their figures: the
    selection's own, without a query of its own."""
    kept = [person for person in people if not chosen or person.assignee in chosen]
    won, lost = sum(p.won for p in kept), sum(p.lost for p in kept)
    return VelocityLevers(
        open_deals=sum(p.open_count for p in kept),
        average_deal=mean(sum((p.amount_total for p in kept), Decimal(0)), sum(p.valued for p in kept)),
        win_rate=rate(won, won + lost),
        average_cycle_days=mean(sum((p.cycle_days_total for p in kept), Decimal(0)), sum(p.cycles for p in kept)),
        weighted_pipeline=sum((p.open_weighted for p in kept), Decimal("0.00")),
    )


@dataclass(frozen=True)
class PerformancePage:
    """Everything the performance page draws for one selection: every salesperson's figures (the chart shows them
    all, the chosen ones highlighted), the forecast, the open pipeline's trend and the stage movement."""

    assignees: tuple[AssigneePerformance, ...]
    forecast: Forecast
    trend: PipelineTrend
    stage_conversion: StageConversion
