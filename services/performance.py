"""The performance page's reads: cached SQL aggregates per salesperson, by close month, by stage movement.

A read service of its own beside `DealReads` (same engine, same versioned cache), so the dashboard's reads
stay one module. Every read resolves the overdue filter against today first and is cached under the
normalised filter, today and the data version: a write through the app is seen at once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import TypeVar

from sqlalchemy import Connection

from domain.deal_filter import DealFilter
from domain.performance_results import (
    FORECAST_MONTHS,
    OVERDUE_BUCKET,
    AssigneePerformance,
    Forecast,
    PerformancePage,
    StageConversion,
    VelocityLevers,
    levers_of,
)
from domain.pipeline_trend import PipelineTrend
from services import performance_queries as queries
from services import trend_queries
from services.cached_reads import CachedReads
from services.queries import resolved

DEFAULT_PERIOD_MONTHS = 12
READS_SIDE_BY_SIDE = 2  # the page's reads sent to the database at once, each on a connection of its own
T = TypeVar("T")


class PerformanceReads(CachedReads):
    """Cached performance reads of the deals of one database."""

    def _remember(self, name: str, deal_filter: DealFilter, extra: str,
                  compute: Callable[[Connection, DealFilter, date], T]) -> T:
        """`compute` on a connection, with the resolved filter and today, cached under both and `extra`."""
        today = self._today()
        deal_filter = resolved(deal_filter, today)

        def run() -> T:
            with self._connection() as connection:
                return compute(connection, deal_filter, today)

        return self._cache.remember(name, f"{deal_filter.cache_key()}:{today}:{extra}", run)

    def assignees(self, deal_filter: DealFilter) -> tuple[AssigneePerformance, ...]:
        """Each salesperson's figures over the selection, the largest open pipeline first."""
        return self._remember("perf-assignees", deal_filter, str(self._cold_rule),
                              partial(queries.assignee_figures, rule=self._cold_rule))

    def levers(self, deal_filter: DealFilter) -> VelocityLevers:
        """The sales velocity's four levers and the open weighted pipeline of the selection, summed from the
        figures of its salespeople: the same cached statement as the chart's (drawn over every salesperson)."""
        return levers_of(self.assignees(replace(deal_filter, assignees=())), deal_filter.assignees)

    def forecast(self, deal_filter: DealFilter) -> Forecast:
        """Open deals by expected close month (overdue, then 12 months) and the won amount of the last 12."""
        def compute(connection: Connection, selected: DealFilter, today: date) -> Forecast:
            cells, undated = queries.forecast_cells(connection, selected, today)
            won = queries.won_by_month(connection, selected, today)
            months = tuple(_month(today, shift) for shift in range(FORECAST_MONTHS))
            past = tuple(_month(today, shift) for shift in range(1 - FORECAST_MONTHS, 1))
            won_amounts = tuple(won.get(month, Decimal("0.00")) for month in past)
            return Forecast((OVERDUE_BUCKET, *months), cells, past, won_amounts, undated)

        return self._remember("perf-forecast", deal_filter, "", compute)

    def trend(self, deal_filter: DealFilter) -> PipelineTrend:
        """The open pipeline (weighted value, deal count) at the end of each of the last 26 weeks."""
        return self._remember("perf-trend", deal_filter, "", trend_queries.pipeline_trend)

    def page(self, deal_filter: DealFilter, start: date | None = None, end: date | None = None) -> PerformancePage:
        """Every read of the performance page, two at a time on connections of their own: cold, at 1 000 000
        deals, each takes 5 to 25 ms (the forecast two statements), which one after the other would add up
        while the database's second core waits. Each read is cached as when called alone."""
        with ThreadPoolExecutor(READS_SIDE_BY_SIDE, thread_name_prefix="performance-read") as pool:
            people = pool.submit(self.assignees, replace(deal_filter, assignees=()))
            forecast = pool.submit(self.forecast, deal_filter)
            trend = pool.submit(self.trend, deal_filter)
            stages = pool.submit(self.stage_conversion, deal_filter, start, end)
            return PerformancePage(people.result(), forecast.result(), trend.result(), stages.result())

    def default_period(self) -> tuple[date, date]:
        """The stage movement's period until the founder picks one (`default_period`)."""
        return default_period(self._today())

    def stage_conversion(self, deal_filter: DealFilter, start: date | None = None,
                         end: date | None = None) -> StageConversion:
        """Per open stage, the entries of the period, their share moved on and lost, the average stay."""
        default_start, default_end = self.default_period()
        start, end = start or default_start, end or default_end
        start, end = min(start, end), max(start, end)

        def compute(connection: Connection, selected: DealFilter, _today: date) -> StageConversion:
            return StageConversion(start, end, queries.stage_movement(connection, selected, start, end))

        return self._remember("perf-stages", deal_filter, f"{start}:{end}", compute)


def default_period(today: date) -> tuple[date, date]:
    """The stage movement's period until the founder picks one: the last 12 calendar months, today's included
    (whole months, which the summary of the stays answers alone)."""
    return (queries.month_start(today, 1 - DEFAULT_PERIOD_MONTHS), queries.month_start(today, 1) - timedelta(days=1))


def _month(today: date, shift: int) -> str:
    """The name (`2026-11`) of the month `shift` months from today's."""
    return queries.month_key(queries.month_start(today, shift))
