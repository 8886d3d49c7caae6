"""Small typed answers of the data service: what a layout function needs to draw, nothing more.

They are frozen dataclasses of plain values so they pickle into any cache backend and compare in tests.
A figure that has no meaning for the selection (an average of no deal) is `None`, never NaN or 0.
Counts include the deals without an amount ("à estimer"); sums and averages cover the deals that have
one, and each answer that leaves some out carries how many (`without_amount`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.deal_filter import MISSING_AMOUNT, MISSING_ASSIGNEE, MISSING_DUE_DATE, MISSING_SECTOR, OVERDUE

# Rows per page of the deadline grid: what the grid shows and what the read service returns by default.
DEADLINE_PAGE_SIZE = 10


@dataclass(frozen=True)
class StageTotal:
    """Totals of the selected deals in one stage."""

    stage: str
    count: int
    gross: Decimal
    weighted: Decimal
    with_due_date: int
    with_amount: int

    @property
    def without_amount(self) -> int:
        """Deals of the stage with no amount yet, left out of `gross` and `weighted`."""
        return self.count - self.with_amount


@dataclass(frozen=True)
class Kpis:
    """The KPI cards. `None` means "no deal selected" (or no closed deal, for the win rate, or no deal with an
    amount, for the pipeline and the average deal, which leave out the `without_amount` deals)."""

    deal_count: int
    weighted_pipeline: Decimal | None
    average_deal: Decimal | None
    conversion_rate: Decimal | None
    win_rate: Decimal | None
    count_per_stage: dict[str, int]
    without_amount: int


@dataclass(frozen=True)
class FunnelStage:
    """One funnel step: weighted value, with gross amount and count (and how many have no amount) for the hover."""

    stage: str
    weighted: Decimal
    gross: Decimal
    count: int
    without_amount: int


@dataclass(frozen=True)
class SectorTotal:
    """Gross amount and deal count of one sector; `sector` is "Non renseigné" for deals without one."""

    sector: str
    total: Decimal
    count: int
    with_amount: int

    @property
    def without_amount(self) -> int:
        """Deals of the sector with no amount yet, left out of `total` and `average`."""
        return self.count - self.with_amount

    @property
    def average(self) -> Decimal | None:
        """Average deal over the sector's deals that have an amount; None when none has one."""
        return (self.total / self.with_amount).quantize(Decimal("0.01"), ROUND_HALF_UP) if self.with_amount else None


@dataclass(frozen=True)
class SectorSummary:
    """Sector totals largest first, and the five sectors with the largest average deal."""

    totals: tuple[SectorTotal, ...]
    top_by_average: tuple[SectorTotal, ...]


class DeadlineScope(StrEnum):
    """Which deals the deadline grid lists."""

    ALL = "all"
    OVERDUE = "overdue"
    NEXT_7_DAYS = "next7"
    NEXT_30_DAYS = "next30"
    COLD = "cold"


@dataclass(frozen=True)
class DeadlineRow:
    """One deal of the deadline grid, with its urgency computed against today."""

    id: int
    client: str
    statut: str
    montant_brut: Decimal | None
    valeur_ponderee: Decimal | None
    secteur: str | None
    assignee: str | None
    date_echeance: date | None
    days_left: int | None
    is_overdue: bool
    is_next_30_days: bool
    version: int = 1  # what an edit in the grid is based on (see domain.deal_record)
    cold_days: int | None = None  # days without change of a cold deal (domain.staleness); None when not cold


@dataclass(frozen=True)
class DeadlineCounts:
    """How many selected deals the grid lists (those with a due date, or those without one when the selection
    asks for them), are overdue, fall due in the next 7 or 30 days, or are cold and listed; `cold_deals` counts
    every cold deal of the selection, listed or not (the "Deals froids" card)."""

    listed: int
    overdue: int
    next_7_days: int
    next_30_days: int
    cold: int
    cold_deals: int

    def for_scope(self, scope: DeadlineScope) -> int:
        """The row count of the grid for `scope`."""
        return {
            DeadlineScope.ALL: self.listed,
            DeadlineScope.OVERDUE: self.overdue,
            DeadlineScope.NEXT_7_DAYS: self.next_7_days,
            DeadlineScope.NEXT_30_DAYS: self.next_30_days,
            DeadlineScope.COLD: self.cold,
        }[scope]


@dataclass(frozen=True)
class DeadlinePage:
    """One page of the deadline grid and the row count of its scope."""

    rows: tuple[DeadlineRow, ...]
    total: int


@dataclass(frozen=True)
class DataHealth:
    """What is missing in the selected deals: each count is a link that selects those deals (`manque=`)."""

    without_amount: int
    without_due_date: int
    without_sector: int
    without_assignee: int
    overdue: int

    def count_of(self, missing: str) -> int:
        """The count behind one `manque=` value (`domain.deal_filter.MISSING_LABELS`)."""
        return {MISSING_AMOUNT: self.without_amount, MISSING_DUE_DATE: self.without_due_date,
                MISSING_SECTOR: self.without_sector, MISSING_ASSIGNEE: self.without_assignee,
                OVERDUE: self.overdue}[missing]


@dataclass(frozen=True)
class FilterOptions:
    """The values offered by each filter, with their deal counts, most frequent first (stages in order)."""

    stages: tuple[tuple[str, int], ...]
    sectors: tuple[tuple[str, int], ...]
    assignees: tuple[tuple[str, int], ...]
