"""Small typed answers of the data service: what a layout function needs to draw, nothing more.

They are frozen dataclasses of plain values so they pickle into any cache backend and compare in tests.
A figure that has no meaning for the selection (an average of no deal) is `None`, never NaN or 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

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


@dataclass(frozen=True)
class Kpis:
    """The KPI cards. `None` means "no deal selected" (or no closed deal, for the win rate)."""

    deal_count: int
    weighted_pipeline: Decimal | None
    average_deal: Decimal | None
    conversion_rate: Decimal | None
    win_rate: Decimal | None
    count_per_stage: dict[str, int]


@dataclass(frozen=True)
class FunnelStage:
    """One funnel step: weighted value, with gross amount and count for the hover text."""

    stage: str
    weighted: Decimal
    gross: Decimal
    count: int


@dataclass(frozen=True)
class SectorTotal:
    """Gross amount and deal count of one sector; `sector` is "Non renseigné" for deals without one."""

    sector: str
    total: Decimal
    count: int

    @property
    def average(self) -> Decimal:
        """Average deal in the sector (count is never 0: a sector appears only with deals)."""
        return (self.total / self.count).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class SectorSummary:
    """Sector totals largest first, and the five sectors with the largest average deal."""

    totals: tuple[SectorTotal, ...]
    top_by_average: tuple[SectorTotal, ...]


class DeadlineScope(StrEnum):
    """Which deals the deadline grid lists."""

    ALL = "all"
    OVERDUE = "overdue"
    NEXT_30_DAYS = "next30"


@dataclass(frozen=True)
class DeadlineRow:
    """One deal of the deadline grid, with its urgency computed against today."""

    id: int
    client: str
    statut: str
    montant_brut: Decimal
    valeur_ponderee: Decimal
    secteur: str | None
    assignee: str | None
    date_echeance: date
    days_left: int
    is_overdue: bool
    is_next_30_days: bool


@dataclass(frozen=True)
class DeadlineCounts:
    """How many selected deals have a due date, are overdue, or fall due in the next 30 days."""

    with_due_date: int
    overdue: int
    next_30_days: int

    def for_scope(self, scope: DeadlineScope) -> int:
        """The row count of the grid for `scope`."""
        return {
            DeadlineScope.ALL: self.with_due_date,
            DeadlineScope.OVERDUE: self.overdue,
            DeadlineScope.NEXT_30_DAYS: self.next_30_days,
        }[scope]


@dataclass(frozen=True)
class DeadlinePage:
    """One page of the deadline grid and the row count of its scope."""

    rows: tuple[DeadlineRow, ...]
    total: int


@dataclass(frozen=True)
class FilterOptions:
    """The values offered by each filter, with their deal counts, most frequent first (stages in order)."""

    stages: tuple[tuple[str, int], ...]
    sectors: tuple[tuple[str, int], ...]
    assignees: tuple[tuple[str, int], ...]
