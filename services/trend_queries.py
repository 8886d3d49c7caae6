"""The weekly trend's SQL: the open pipeline now (`deal_totals`) and its weekly moves since the oldest week shown
(`pipeline_changes`), both filtered on stage, sector and salesperson; `domain.pipeline_trend` does the rest."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, func, select

from data.models import DealTotal, PipelineChange
from domain.deal_filter import MISSING_AMOUNT, MISSING_DUE_DATE, DealFilter
from domain.pipeline_trend import PipelineTrend, first_counted_day, trend_points
from domain.stages import OPEN_STAGES
from services.filter_clauses import dimension_clause


def follows_every_filter(deal_filter: DealFilter) -> bool:
    """Whether the moves, kept per stage, sector and salesperson, can answer this selection exactly."""
    return not (deal_filter.search or deal_filter.due_from or deal_filter.due_to
                or {MISSING_AMOUNT, MISSING_DUE_DATE} & set(deal_filter.missing))


def pipeline_trend(connection: Connection, deal_filter: DealFilter, today: date) -> PipelineTrend:
    """The open pipeline of the selection at the end of each of the last 26 weeks (a resolved filter)."""
    t, c = DealTotal, PipelineChange
    deals_now, weighted_now = connection.execute(
        select(func.coalesce(func.sum(t.n), 0), func.coalesce(func.sum(t.ponderee), 0))
        .where(t.statut.in_(OPEN_STAGES), dimension_clause(deal_filter, t.statut, t.secteur, t.assignee))).one()
    start = datetime.combine(first_counted_day(today), datetime.min.time())
    weekly = connection.execute(
        select(c.change_day, func.sum(c.n), func.sum(c.ponderee))
        .where(c.change_day >= start, c.statut.in_(OPEN_STAGES),
               dimension_clause(deal_filter, c.statut, c.secteur, c.assignee))
        .group_by(c.change_day))
    moves = {_day(day): (int(n), Decimal(str(weighted))) for day, n, weighted in weekly}
    points = trend_points(today, int(deals_now), Decimal(str(weighted_now)).quantize(Decimal("0.01")), moves)
    return PipelineTrend(points, partial=not follows_every_filter(deal_filter))


def _day(value: datetime | str) -> date:
    """The UTC day of a `change_day` (SQLite may hand its text back when the column is summed over)."""
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
