"""Exactly the deals the page shows, streamed from the database with a server-side cursor.

The same WHERE clause as every figure (`services.filter_clauses`), narrowed by the grid's scope as the grid
is (`services.queries.scope_clause`), in the grid's sort (`services.queries.sort_order`). The "all" scope
takes every selected deal, dated or not, so that the file's totals are the KPI cards' totals; the grid lists
only the dated ones (the undated ones come last in the file whatever the sort, as empty values do).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, func, select

from data.models import Deal
from domain.deal_filter import DealFilter
from domain.pipeline_results import DeadlineScope
from domain.staleness import ColdRule
from services.exports.columns import COLUMNS
from services.queries import resolved, scope_clause, sort_order

# Rows fetched per round trip of the server-side cursor: enough to amortise the trip, small in memory.
YIELD_PER = 2000


@dataclass(frozen=True)
class ExportView:
    """What the founder sees: the selection, the grid's scope and its sort ((column, descending) pairs)."""

    deal_filter: DealFilter = field(default_factory=DealFilter)
    scope: DeadlineScope = DeadlineScope.ALL
    sort: tuple[tuple[str, bool], ...] = ()


def _where(view: ExportView, today: date, rule: ColdRule) -> ColumnElement[bool] | None:
    """The view's WHERE clause as of `today`, or None when the scope leaves nothing to select."""
    return scope_clause(resolved(view.deal_filter, today), view.scope, today, rule)


def count_rows(connection: Connection, view: ExportView, today: date, rule: ColdRule) -> int:
    """How many deals the export of `view` holds (checked before a workbook is started)."""
    where = _where(view, today, rule)
    return 0 if where is None else connection.execute(select(func.count()).select_from(Deal).where(where)).scalar_one()


def export_statement(view: ExportView, today: date, rule: ColdRule,
                     cells: Sequence[ColumnElement[Any]]) -> Select | None:
    """`cells` of the view's deals in its order, or None when the scope leaves nothing to select. The cells are
    the raw columns (`COLUMNS`) or the database's own formatting of them (the PostgreSQL CSV)."""
    where = _where(view, today, rule)
    if where is None:
        return None
    return (select(*cells).where(where)
            .order_by(*(sort_order(view.sort) or [Deal.date_echeance.asc().nulls_last()]), Deal.id))


def stream_rows(connection: Connection, view: ExportView, today: date, rule: ColdRule) -> Iterator[Row]:
    """The view's deals in its order, `YIELD_PER` at a time: never the whole selection in Python."""
    statement = export_statement(view, today, rule, [getattr(Deal, column.source) for column in COLUMNS])
    if statement is None:
        return
    streaming = connection.execution_options(stream_results=True, yield_per=YIELD_PER)
    yield from streaming.execute(statement)
