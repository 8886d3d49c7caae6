"""The deals a text search finds, summed per stage, sector and salesperson: every dashboard figure from one read.

Why: a search cannot use the summary tables (they do not know the text), so each figure used to read the
matching deals again; a common word at a million deals is a read of most of the table, four times per filter
change. The figures of a selection only need the matching deals' sums per (stage, sector, salesperson), the
dimensions the founder filters and cross-filters on, plus the deadline counts' conditions: one grouped read of
the search (`services.queries.search_groups`) answers them all, here, whatever stage, sector or salesperson is
picked on top of it. A dimension matches as `services.filter_clauses.dimension_clause` has it in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.deal_filter import MISSING_ASSIGNEE, MISSING_SECTOR, NO_ASSIGNEE, NO_SECTOR, DealFilter
from domain.pipeline_results import DataHealth, DeadlineCounts, SectorTotal, StageTotal
from domain.stages import OPEN_STAGES, STAGE_NAMES

NO_MONEY = Decimal("0.00")


@dataclass(frozen=True)
class FactGroup:
    """The found deals of one (stage, sector, salesperson): how many, how many with an amount or a due date,
    their sums, and how many are overdue, due within 7 or 30 days, cold, and cold and listed in the grid."""

    statut: str
    secteur: str | None
    assignee: str | None
    n: int
    n_montant: int
    montant: Decimal
    ponderee: Decimal
    n_due: int
    overdue: int
    next_7_days: int
    next_30_days: int
    cold: int
    cold_listed: int


@dataclass(frozen=True)
class GroupTotals:
    """Sums over several groups (a stage's, a sector's, a whole selection's)."""

    n: int = 0
    n_montant: int = 0
    montant: Decimal = NO_MONEY
    ponderee: Decimal = NO_MONEY
    n_due: int = 0


def search_base(deal_filter: DealFilter) -> DealFilter:
    """The part of a selection the grouped read applies: the search, the due-date range and the missing amount
    or due date; stage, sector and salesperson (and their "missing" flags) are applied to the groups."""
    missing = tuple(value for value in deal_filter.missing if value not in (MISSING_SECTOR, MISSING_ASSIGNEE))
    return replace(deal_filter, stages=(), sectors=(), assignees=(), missing=missing)


def _named_or_none(value: str | None, chosen: tuple[str, ...], none_label: str) -> bool:
    if value is None:
        return none_label in chosen
    return value != none_label and value in chosen


def in_dimensions(group: FactGroup, deal_filter: DealFilter) -> bool:
    """Whether the group's stage, sector and salesperson are selected."""
    if deal_filter.stages and group.statut not in deal_filter.stages:
        return False
    if deal_filter.sectors and not _named_or_none(group.secteur, deal_filter.sectors, NO_SECTOR):
        return False
    if deal_filter.assignees and not _named_or_none(group.assignee, deal_filter.assignees, NO_ASSIGNEE):
        return False
    if MISSING_SECTOR in deal_filter.missing and group.secteur is not None:
        return False
    return not (MISSING_ASSIGNEE in deal_filter.missing and group.assignee is not None)


def selected(groups: Iterable[FactGroup], deal_filter: DealFilter) -> list[FactGroup]:
    """The groups in the selection's stages, sectors and salespeople."""
    return [group for group in groups if in_dimensions(group, deal_filter)]


def totals(groups: Iterable[FactGroup]) -> GroupTotals:
    """The groups' counts and sums added up."""
    n = n_montant = n_due = 0
    montant = ponderee = NO_MONEY
    for group in groups:
        n += group.n
        n_montant += group.n_montant
        n_due += group.n_due
        montant += group.montant
        ponderee += group.ponderee
    return GroupTotals(n, n_montant, montant, ponderee, n_due)


def totals_by(groups: Iterable[FactGroup], attribute: str) -> dict[str | None, GroupTotals]:
    """The groups' totals per stage (`statut`) or per sector (`secteur`)."""
    parts: dict[str | None, list[FactGroup]] = {}
    for group in groups:
        parts.setdefault(getattr(group, attribute), []).append(group)
    return {key: totals(members) for key, members in parts.items()}


def open_part(deal_filter: DealFilter) -> DealFilter | None:
    """The selection narrowed to its open stages, as the deadline scopes are; None when it has none."""
    stages = tuple(stage for stage in (deal_filter.stages or OPEN_STAGES) if stage in OPEN_STAGES)
    return replace(deal_filter, stages=stages) if stages else None


def stage_totals(found: Mapping[str | None, GroupTotals]) -> tuple[StageTotal, ...]:
    """Every stage's totals from the totals per stage (zero where a stage has none), funnel order."""
    empty = GroupTotals()
    return tuple(
        StageTotal(stage, part.n, part.montant, part.ponderee, part.n_due, part.n_montant)
        for stage in STAGE_NAMES
        for part in (found.get(stage, empty),)
    )


def selected_stage_totals(groups: Iterable[FactGroup], deal_filter: DealFilter) -> tuple[StageTotal, ...]:
    """Every stage's totals over the selected groups."""
    return stage_totals(totals_by(selected(groups, deal_filter), "statut"))


def sector_totals(groups: Iterable[FactGroup], deal_filter: DealFilter) -> tuple[SectorTotal, ...]:
    """The selected groups per sector, the largest gross total first (ties by the name shown)."""
    by_sector = totals_by(selected(groups, deal_filter), "secteur")
    found = [SectorTotal(sector or NO_SECTOR, part.montant, part.n, part.n_montant)
             for sector, part in by_sector.items() if part.n > 0]
    return tuple(sorted(found, key=lambda item: (-item.total, item.sector)))


def data_health(groups: Iterable[FactGroup], deal_filter: DealFilter, overdue: int) -> DataHealth:
    """What the selected deals lack; `overdue` comes from the deadline counts."""
    chosen = selected(groups, deal_filter)
    whole = totals(chosen)
    return DataHealth(whole.n - whole.n_montant, whole.n - whole.n_due,
                      sum(group.n for group in chosen if group.secteur is None),
                      sum(group.n for group in chosen if group.assignee is None), overdue)


def deadline_counts(groups: Iterable[FactGroup], deal_filter: DealFilter, listed: int) -> DeadlineCounts:
    """The grid's scope counts: each scope holds the open deals of the selection; `listed` (the "all" scope)
    comes from the stage totals."""
    narrowed = open_part(deal_filter)
    chosen = selected(groups, narrowed) if narrowed else []
    return DeadlineCounts(
        listed=listed,
        overdue=sum(group.overdue for group in chosen),
        next_7_days=sum(group.next_7_days for group in chosen),
        next_30_days=sum(group.next_30_days for group in chosen),
        cold=sum(group.cold_listed for group in chosen),
        cold_deals=sum(group.cold for group in chosen),
    )
