"""The rows every aggregate reads: the smallest summary table that can answer, the deals table where it must.

A selection on stage, sector and salesperson is answered by `deal_totals` alone (one row per stage, sector
and salesperson that has deals: a few hundred rows, whatever the deal count). A due-date range is answered
by `deal_rollup` (the same totals per due month: about 36 000 rows for a million deals over four years) for
the whole months inside it, and by `deals` (through its covering due-date index) for the partial months at
its two edges. A text search, or the deals without an amount, read `deals`; the deals without a due date
are the rollup's rows without a due month. `n` counts every deal, `n_montant` those with an amount.
Every source has the same columns, so each figure is written once, as a `GROUP BY` over `fact_rows`.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, literal, select, union_all
from sqlalchemy.sql.selectable import Subquery

from data.models import Deal, DealRollup, DealTotal
from domain.deal_filter import MISSING_AMOUNT, MISSING_DUE_DATE, DealFilter
from services.filter_clauses import deal_clause, dimension_clause


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _whole_months(due_from: date | None, due_to: date | None) -> tuple[date | None, date | None]:
    """[start, end) of the whole calendar months inside the range; None is unbounded on that side."""
    start = None if due_from is None else (due_from if due_from.day == 1 else _first_of_next_month(due_from))
    end = None
    if due_to is not None:
        end = _first_of_next_month(due_to) if (due_to + timedelta(days=1)).day == 1 else due_to.replace(day=1)
    return start, end


def _deal_rows(where: ColumnElement[bool]) -> Select:
    return select(
        Deal.statut, Deal.secteur, Deal.assignee,
        literal(1).label("n"),
        case((Deal.montant_brut.is_(None), 0), else_=1).label("n_montant"),
        Deal.montant_brut.label("montant"),
        Deal.valeur_ponderee.label("ponderee"),
        case((Deal.date_echeance.is_(None), 0), else_=1).label("n_due"),
    ).where(where)


def _rollup_rows(where: ColumnElement[bool]) -> Select:
    r = DealRollup
    return select(
        r.statut, r.secteur, r.assignee, r.n, r.n_montant, r.montant, r.ponderee,
        case((r.due_month.is_(None), 0), else_=r.n).label("n_due"),
    ).where(where)


def _total_rows(where: ColumnElement[bool]) -> Select:
    t = DealTotal
    return select(t.statut, t.secteur, t.assignee, t.n, t.n_montant, t.montant, t.ponderee, t.n_due).where(where)


def fact_rows(deal_filter: DealFilter) -> Subquery:
    """Rows with columns statut, secteur, assignee, n, n_montant, montant, ponderee, n_due whose sums answer
    the filter."""
    has_range = bool(deal_filter.due_from or deal_filter.due_to)
    if deal_filter.search or MISSING_AMOUNT in deal_filter.missing or (
            has_range and MISSING_DUE_DATE in deal_filter.missing):
        return _deal_rows(deal_clause(deal_filter)).subquery("facts")
    if MISSING_DUE_DATE in deal_filter.missing:
        return _rollup_rows(and_(dimension_clause(deal_filter, DealRollup.statut, DealRollup.secteur,
                                                  DealRollup.assignee), DealRollup.due_month.is_(None))
                            ).subquery("facts")
    if not has_range:
        return _total_rows(dimension_clause(deal_filter, DealTotal.statut, DealTotal.secteur, DealTotal.assignee)
                           ).subquery("facts")
    dimensions = dimension_clause(deal_filter, DealRollup.statut, DealRollup.secteur, DealRollup.assignee)

    start, end = _whole_months(deal_filter.due_from, deal_filter.due_to)
    if start and end and start >= end:
        return _deal_rows(deal_clause(deal_filter)).subquery("facts")
    months = [DealRollup.due_month.is_not(None)]
    edges = []
    if start:
        months.append(DealRollup.due_month >= start)
        if deal_filter.due_from and deal_filter.due_from < start:
            edges.append(and_(Deal.date_echeance >= deal_filter.due_from, Deal.date_echeance < start))
    if end:
        months.append(DealRollup.due_month < end)
        if deal_filter.due_to and deal_filter.due_to >= end:
            edges.append(and_(Deal.date_echeance >= end, Deal.date_echeance <= deal_filter.due_to))
    edge_dimensions = dimension_clause(deal_filter, Deal.statut, Deal.secteur, Deal.assignee)
    # One branch per edge: each is a plain range that PostgreSQL reads from the covering due-date index
    # alone; OR-ing the two makes it choose a bitmap scan that reads the table.
    parts = [_rollup_rows(and_(dimensions, *months)), *(_deal_rows(and_(edge_dimensions, edge)) for edge in edges)]
    return union_all(*parts).subquery("facts")
