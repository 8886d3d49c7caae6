"""The read side the dashboard calls: cached SQL aggregates over the deals.

Each public read is cached under the normalised filter and the data version (which every write through
`services.writes` changes). The KPI cards and the funnel share one cached per-stage query, so a filter
change costs one statement for both. Each read first resolves the overdue filter against today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection

from data import demo
from domain import fact_groups
from domain.deal_filter import MISSING_DUE_DATE, DealFilter
from domain.deal_record import DealEventView, DealRecord
from domain.fact_groups import FactGroup
from domain.pipeline_results import (
    DEADLINE_PAGE_SIZE,
    DataHealth,
    DeadlineCounts,
    DeadlinePage,
    DeadlineScope,
    FilterOptions,
    FunnelStage,
    Kpis,
    SectorSummary,
    StageTotal,
)
from domain.visit_changes import VisitChanges
from services import deal_changes, queries, visit_changes
from services.cached_reads import CachedReads

T = TypeVar("T")


class DealReads(CachedReads):
    """Cached reads of the deals of one database."""

    def _resolved(self, deal_filter: DealFilter) -> DealFilter:
        return queries.resolved(deal_filter, self._today())

    def _search_groups(self, deal_filter: DealFilter) -> tuple[FactGroup, ...]:
        """The deals a (resolved) search selection finds, grouped once for every figure of it and of the same
        search under other stages, sectors or salespeople (`domain.fact_groups`)."""
        base = fact_groups.search_base(deal_filter)
        today = self._today()

        def compute() -> tuple[FactGroup, ...]:
            with self._connection() as connection:
                return queries.search_groups(connection, base, today, self._cold_rule)

        return self._cache.remember("search-groups", f"{base.cache_key()}:{today}:{self._cold_rule}", compute)

    def _figure(self, name: str, key: str, deal_filter: DealFilter, from_groups: Callable[[tuple[FactGroup, ...]], T],
                from_database: Callable[[Connection], T]) -> T:
        """One cached figure of a resolved selection: summed from the grouped deals of its search when it has
        one, else read by its own statement (over the summary tables where they answer)."""
        if deal_filter.search:
            return self._cache.remember_derived(name, key, lambda: self._search_groups(deal_filter), from_groups)

        def compute() -> T:
            with self._connection() as connection:
                return from_database(connection)

        return self._cache.remember(name, key, compute)

    def _stage_totals(self, deal_filter: DealFilter) -> tuple[StageTotal, ...]:
        deal_filter = self._resolved(deal_filter)
        return self._figure("stages", deal_filter.cache_key(), deal_filter,
                            lambda groups: fact_groups.selected_stage_totals(groups, deal_filter),
                            lambda connection: queries.stage_totals(connection, deal_filter))

    def kpis(self, deal_filter: DealFilter) -> Kpis:
        """KPI cards for the selection."""
        return queries.kpis_from_stages(self._stage_totals(deal_filter))

    def stage_totals(self, deal_filter: DealFilter) -> tuple[StageTotal, ...]:
        """Count, gross and weighted amounts of every stage, funnel order (the exports' summary sheet)."""
        return self._stage_totals(deal_filter)

    def funnel(self, deal_filter: DealFilter) -> tuple[FunnelStage, ...]:
        """Funnel steps for the selection."""
        return queries.funnel_from_stages(self._stage_totals(deal_filter))

    def sectors(self, deal_filter: DealFilter) -> SectorSummary:
        """Sector totals and top sectors by average deal for the selection."""
        deal_filter = self._resolved(deal_filter)
        return self._figure("sectors", deal_filter.cache_key(), deal_filter,
                            lambda groups: queries.summary_of_sectors(fact_groups.sector_totals(groups, deal_filter)),
                            lambda connection: queries.sector_summary(connection, deal_filter))

    def deadline_counts(self, deal_filter: DealFilter) -> DeadlineCounts:
        """Listed, overdue, next-7 and next-30-days and cold counts for the selection, as of today."""
        today = self._today()
        totals = self._stage_totals(deal_filter)
        deal_filter = self._resolved(deal_filter)
        without_due = MISSING_DUE_DATE in deal_filter.missing
        listed = sum(total.count if without_due else total.with_due_date for total in totals)
        return self._figure(
            "deadline-counts", f"{deal_filter.cache_key()}:{today}:{self._cold_rule}", deal_filter,
            lambda groups: fact_groups.deadline_counts(groups, deal_filter, listed),
            lambda connection: queries.deadline_counts(connection, deal_filter, listed, today, self._cold_rule))

    def deadlines(
        self,
        deal_filter: DealFilter,
        scope: DeadlineScope = DeadlineScope.ALL,
        sort: tuple[tuple[str, bool], ...] = (),
        offset: int = 0,
        limit: int = DEADLINE_PAGE_SIZE,
    ) -> DeadlinePage:
        """One page of the deadline grid (`sort`: (column, descending) pairs) with its scope's row count."""
        today = self._today()
        counts = self.deadline_counts(deal_filter)
        deal_filter = self._resolved(deal_filter)

        def compute() -> DeadlinePage:
            with self._connection() as connection:
                rows = queries.deadline_rows(connection, deal_filter, scope, sort, offset, limit, today,
                                             self._cold_rule)
            return DeadlinePage(rows=rows, total=counts.for_scope(scope))

        key = f"{deal_filter.cache_key()}:{today}:{self._cold_rule}:{scope}:{sort}:{offset}:{limit}"
        return self._cache.remember("deadlines", key, compute)

    def deals(self, deal_filter: DealFilter, sort: tuple[tuple[str, bool], ...] = (), offset: int = 0,
              limit: int = DEADLINE_PAGE_SIZE) -> DeadlinePage:
        """One page of every selected deal, dated or not (the API's list), with the selection's deal count."""
        today = self._today()
        total = self.kpis(deal_filter).deal_count
        deal_filter = self._resolved(deal_filter)

        def compute() -> DeadlinePage:
            with self._connection() as connection:
                return DeadlinePage(rows=queries.deal_rows(connection, deal_filter, sort, offset, limit, today,
                                                           self._cold_rule), total=total)

        key = f"{deal_filter.cache_key()}:{today}:{self._cold_rule}:{sort}:{offset}:{limit}"
        return self._cache.remember("deals", key, compute)

    def data_health(self, deal_filter: DealFilter) -> DataHealth:
        """What the selected deals lack (amount, due date, sector, salesperson), and how many are overdue."""
        overdue = self.deadline_counts(deal_filter).overdue
        deal_filter = self._resolved(deal_filter)
        return self._figure("health", f"{deal_filter.cache_key()}:{overdue}", deal_filter,
                            lambda groups: fact_groups.data_health(groups, deal_filter, overdue),
                            lambda connection: queries.data_health(connection, deal_filter, overdue))

    def visit_changes(self, since: datetime) -> VisitChanges:
        """What the history recorded after `since` (naive UTC), for the "since your last visit" panel."""
        def compute() -> VisitChanges:
            with self._connection() as connection:
                return visit_changes.visit_changes(connection, since)

        return self._cache.remember("visit", since.isoformat(), compute)

    def deal(self, deal_id: int) -> DealRecord | None:
        """One deal as stored now (never cached: the form must start from the current version)."""
        with self._connection() as connection:
            return deal_changes.read(connection, deal_id)

    def deal_history(self, deal_id: int) -> tuple[DealEventView, ...]:
        """One deal's changes, newest first (never cached)."""
        with self._connection() as connection:
            return deal_changes.history(connection, deal_id)

    def filter_options(self) -> FilterOptions:
        """The values each filter offers, with deal counts (all deals, whatever is selected)."""
        def compute() -> FilterOptions:
            with self._connection() as connection:
                return queries.filter_options(connection)

        return self._cache.remember("options", "all", compute)

    def has_demo_data(self) -> bool:
        """Whether demo deals are present (drives the "données de démonstration" badge)."""
        def compute() -> bool:
            with self._connection() as connection:
                return demo.has_demo_deals(connection)

        return self._cache.remember("demo", "present", compute)
