"""The dashboard's SQL: each function is one statement, grouped in the database, returning small values.

No function here loads deals into Python beyond the one page of the deadline grid. They take a
connection, so a caller (the cached service, a test, a script) decides transactions and caching.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, case, func, literal, select

from data.models import Deal, DealTotal
from domain.deal_filter import MISSING_DUE_DATE, NO_ASSIGNEE, NO_SECTOR, OVERDUE, DealFilter
from domain.pipeline_results import (
    DataHealth,
    DeadlineCounts,
    DeadlineRow,
    DeadlineScope,
    FilterOptions,
    FunnelStage,
    Kpis,
    SectorSummary,
    SectorTotal,
    StageTotal,
)
from domain.stages import FUNNEL_STAGES, LOST, OPEN_STAGES, STAGE_NAMES, WON
from services.fact_source import fact_rows
from services.filter_clauses import deal_clause

CENT = Decimal("0.01")
NEXT_DAYS = 30
TOP_SECTORS = 5
STAGE_POSITION = case({name: position for position, name in enumerate(STAGE_NAMES)}, value=Deal.statut)
SORTABLE_COLUMNS: dict[str, ColumnElement] = {
    "client": Deal.client,
    "statut": STAGE_POSITION,
    "montant_brut": Deal.montant_brut,
    "valeur_ponderee": Deal.valeur_ponderee,
    "secteur": Deal.secteur,
    "assignee": Deal.assignee,
    "date_echeance": Deal.date_echeance,
    "days_left": Deal.date_echeance,
}


def _money(value: Decimal | float | None) -> Decimal:
    """Sums come back as Decimal on PostgreSQL and float on SQLite: one exact type for both."""
    return Decimal(str(value or 0)).quantize(CENT)


def _amount(value: Decimal | float | None) -> Decimal | None:
    """One deal's amount, exact, or None when it has none yet ("à estimer")."""
    return None if value is None else _money(value)


RATIO_PLACES = Decimal("0.000001")


def _ratio(part: int, whole: int) -> Decimal | None:
    """A rate kept to six places, so that rounding it again for display (`42,5 %`) gives the true rounding:
    at four places 8/38 (21.0526 %) became 0.2105, then showed as 21,0 % instead of 21,1 %."""
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES)


def stage_totals(connection: Connection, deal_filter: DealFilter) -> tuple[StageTotal, ...]:
    """Count, gross and weighted amounts per stage, every stage present (zero when none), funnel order."""
    facts = fact_rows(deal_filter)
    statement = select(
        facts.c.statut, func.sum(facts.c.n), func.sum(facts.c.montant), func.sum(facts.c.ponderee),
        func.sum(facts.c.n_due), func.sum(facts.c.n_montant),
    ).group_by(facts.c.statut)
    found = {row[0]: row for row in connection.execute(statement)}
    return tuple(
        StageTotal(stage, int(found[stage][1]), _money(found[stage][2]), _money(found[stage][3]), int(found[stage][4]),
                   int(found[stage][5]))
        if stage in found else StageTotal(stage, 0, _money(0), _money(0), 0, 0)
        for stage in STAGE_NAMES
    )


def kpis_from_stages(totals: tuple[StageTotal, ...]) -> Kpis:
    """The KPI cards from the per-stage totals (no further query): counts and rates over every deal, the
    pipeline and the average deal over the deals that have an amount."""
    by_stage = {total.stage: total for total in totals}
    count = sum(total.count for total in totals)
    with_amount = sum(total.with_amount for total in totals)
    won, lost = by_stage[WON].count, by_stage[LOST].count
    return Kpis(
        deal_count=count,
        weighted_pipeline=sum((total.weighted for total in totals), Decimal(0)) if with_amount else None,
        average_deal=(sum((t.gross for t in totals), Decimal(0)) / with_amount).quantize(CENT) if with_amount else None,
        conversion_rate=_ratio(won, count),
        win_rate=_ratio(won, won + lost),
        count_per_stage={total.stage: total.count for total in totals},
        without_amount=count - with_amount,
    )


def funnel_from_stages(totals: tuple[StageTotal, ...]) -> tuple[FunnelStage, ...]:
    """Funnel steps (open stages then Gagné) from the per-stage totals."""
    by_stage = {total.stage: total for total in totals}
    return tuple(
        FunnelStage(stage, by_stage[stage].weighted, by_stage[stage].gross, by_stage[stage].count,
                    by_stage[stage].without_amount)
        for stage in FUNNEL_STAGES
    )


def sector_summary(connection: Connection, deal_filter: DealFilter) -> SectorSummary:
    """Gross total per sector, largest first, and the top sectors by average deal (among those with amounts)."""
    facts = fact_rows(deal_filter)
    total = func.coalesce(func.sum(facts.c.montant), 0)
    statement = (
        select(facts.c.secteur, total, func.sum(facts.c.n), func.sum(facts.c.n_montant))
        .group_by(facts.c.secteur)
        .having(func.sum(facts.c.n) > 0)
        .order_by(total.desc(), func.coalesce(facts.c.secteur, NO_SECTOR))  # ties by the name shown
    )
    totals = tuple(
        SectorTotal(sector or NO_SECTOR, _money(amount), int(count), int(with_amount))
        for sector, amount, count, with_amount in connection.execute(statement)
    )
    valued = (item for item in totals if item.average is not None)
    top = sorted(valued, key=lambda item: (-item.average, item.sector))[:TOP_SECTORS]
    return SectorSummary(totals=totals, top_by_average=tuple(top))


def resolved(deal_filter: DealFilter, today: date) -> DealFilter:
    """The filter with "overdue" (`manque=retard`) turned into what it means today: open stages, due before
    today. Every read resolves first, so the cached figures of an overdue view move with the date."""
    if OVERDUE not in deal_filter.missing:
        return deal_filter
    plain = replace(deal_filter, missing=tuple(value for value in deal_filter.missing if value != OVERDUE))
    return scope_filter(plain, DeadlineScope.OVERDUE, today) or DealFilter.nothing()


def data_health(connection: Connection, deal_filter: DealFilter, overdue: int) -> DataHealth:
    """Selected deals without amount, due date, sector and salesperson in one statement; `overdue` comes from
    the deadline counts."""
    facts = fact_rows(deal_filter)
    n = func.coalesce(func.sum(facts.c.n), 0)

    def where_none(column: ColumnElement) -> ColumnElement:
        return func.coalesce(func.sum(case((column.is_(None), facts.c.n), else_=0)), 0)

    statement = select(n - func.coalesce(func.sum(facts.c.n_montant), 0), n - func.coalesce(func.sum(facts.c.n_due), 0),
                       where_none(facts.c.secteur), where_none(facts.c.assignee))
    amount, due, sector, assignee = connection.execute(statement).one()
    return DataHealth(int(amount), int(due), int(sector), int(assignee), overdue)


def scope_filter(deal_filter: DealFilter, scope: DeadlineScope, today: date) -> DealFilter | None:
    """The filter narrowed to a deadline scope; None when the narrowing selects nothing."""
    if scope is DeadlineScope.ALL:
        return deal_filter
    stages = tuple(s for s in (deal_filter.stages or OPEN_STAGES) if s in OPEN_STAGES)
    if scope is DeadlineScope.OVERDUE:
        start, end = deal_filter.due_from, today - timedelta(days=1)
    else:
        start, end = today, today + timedelta(days=NEXT_DAYS)
    start = max(filter(None, (start, deal_filter.due_from)), default=None)
    end = min(filter(None, (end, deal_filter.due_to)))
    if not stages or (start and start > end):
        return None
    return replace(deal_filter, stages=stages, due_from=start, due_to=end)


def deadline_counts(connection: Connection, deal_filter: DealFilter, listed: int, today: date) -> DeadlineCounts:
    """Overdue and next-30-days counts in one statement; `listed` (the "all" scope) comes from the stage totals."""
    counts = []
    for scope in (DeadlineScope.OVERDUE, DeadlineScope.NEXT_30_DAYS):
        narrowed = scope_filter(deal_filter, scope, today)
        if narrowed is None:
            counts.append(literal(0))
        else:
            facts = fact_rows(narrowed)
            counts.append(select(func.coalesce(func.sum(facts.c.n), 0)).scalar_subquery())
    overdue, next_days = connection.execute(select(*counts)).one()
    return DeadlineCounts(listed=listed, overdue=int(overdue), next_30_days=int(next_days))


def deadline_rows(
    connection: Connection,
    deal_filter: DealFilter,
    scope: DeadlineScope,
    sort: tuple[tuple[str, bool], ...],
    offset: int,
    limit: int,
    today: date,
) -> tuple[DeadlineRow, ...]:
    """One page of deals with a due date in `scope` (the deals without one when the selection asks for them),
    ordered by `sort` ((column, descending) pairs)."""
    narrowed = scope_filter(deal_filter, scope, today)
    if narrowed is None:
        return ()
    without_due = MISSING_DUE_DATE in narrowed.missing
    due_date_listed = Deal.date_echeance.is_(None) if without_due else Deal.date_echeance.is_not(None)
    order = sort_order(sort) or [Deal.date_echeance.asc()]
    return _deal_rows(connection, deal_clause(narrowed) & due_date_listed, order, offset, limit, today)


def deal_rows(connection: Connection, deal_filter: DealFilter, sort: tuple[tuple[str, bool], ...], offset: int,
              limit: int, today: date) -> tuple[DeadlineRow, ...]:
    """One page of every selected deal, dated or not (the API's deal list), ordered by `sort`, then by id."""
    return _deal_rows(connection, deal_clause(deal_filter), sort_order(sort), offset, limit, today)


def sort_order(sort: tuple[tuple[str, bool], ...]) -> list[ColumnElement]:
    """The ORDER BY of (column, descending) pairs; unknown columns are left out, empty values last (the grid's
    pages and the exports sort alike)."""
    return [
        (SORTABLE_COLUMNS[name].desc() if descending else SORTABLE_COLUMNS[name].asc()).nulls_last()
        for name, descending in sort
        if name in SORTABLE_COLUMNS
    ]


def _deal_rows(connection: Connection, where: ColumnElement[bool], order: list[ColumnElement], offset: int,
               limit: int, today: date) -> tuple[DeadlineRow, ...]:
    """One page of the deals `where` selects, as grid rows with their urgency against `today`."""
    statement = (
        select(Deal.id, Deal.client, Deal.statut, Deal.montant_brut, Deal.valeur_ponderee, Deal.secteur,
               Deal.assignee, Deal.date_echeance, Deal.version)
        .where(where)
        .order_by(*order, Deal.id)
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    horizon = today + timedelta(days=NEXT_DAYS)
    return tuple(
        DeadlineRow(
            id=row.id, client=row.client, statut=row.statut, montant_brut=_amount(row.montant_brut),
            valeur_ponderee=_amount(row.valeur_ponderee), secteur=row.secteur, assignee=row.assignee,
            date_echeance=row.date_echeance,
            days_left=None if row.date_echeance is None else (row.date_echeance - today).days,
            is_overdue=row.date_echeance is not None and row.statut in OPEN_STAGES and row.date_echeance < today,
            is_next_30_days=(row.date_echeance is not None and row.statut in OPEN_STAGES
                             and today <= row.date_echeance <= horizon),
            version=row.version,
        )
        for row in connection.execute(statement)
    )


def filter_options(connection: Connection) -> FilterOptions:
    """Every stage, sector and salesperson present, with its deal count: one pass over `deal_totals` (one
    row per stage, sector and salesperson), added up per filter here."""
    t = DealTotal
    statement = select(t.statut, t.secteur, t.assignee, t.n)
    stages: Counter[str] = Counter()
    sectors: Counter[str] = Counter()
    assignees: Counter[str] = Counter()
    for stage, sector, assignee, count in connection.execute(statement):
        if count:
            stages[stage] += int(count)
            sectors[sector if sector is not None else NO_SECTOR] += int(count)
            assignees[assignee if assignee is not None else NO_ASSIGNEE] += int(count)

    def by_count(values: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(values.items(), key=lambda item: (-item[1], item[0])))

    return FilterOptions(stages=tuple((stage, stages[stage]) for stage in STAGE_NAMES if stage in stages),
                         sectors=by_count(sectors), assignees=by_count(assignees))
