"""The dashboard's SQL: each function is one statement, grouped in the database, returning small values.

No function here loads deals into Python beyond the one page of the deadline grid. They take a
connection, so a caller (the cached service, a test, a script) decides transactions and caching.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, Connection, Subquery, and_, case, false, func, literal, or_, select, true

from data.models import Deal, DealActivity, DealTotal
from domain import fact_groups
from domain.deal_filter import MISSING_AMOUNT, MISSING_DUE_DATE, NO_ASSIGNEE, NO_SECTOR, OVERDUE, DealFilter
from domain.fact_groups import FactGroup, GroupTotals
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
from domain.staleness import ColdRule, quiet_days
from services.fact_source import fact_rows
from services.filter_clauses import deal_clause, dimension_clause

CENT = Decimal("0.01")
NEXT_DAYS = 30
HORIZON_DAYS = {DeadlineScope.NEXT_7_DAYS: 7, DeadlineScope.NEXT_30_DAYS: NEXT_DAYS}
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
    return fact_groups.stage_totals({
        stage: GroupTotals(int(n), int(n_montant), _money(montant), _money(ponderee), int(n_due))
        for stage, n, montant, ponderee, n_due, n_montant in connection.execute(statement)
    })


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
        average_deal=(sum((t.gross for t in totals), Decimal(0)) / with_amount).quantize(CENT, rounding=ROUND_HALF_UP)
        if with_amount else None,
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
    return summary_of_sectors(tuple(
        SectorTotal(sector or NO_SECTOR, _money(amount), int(count), int(with_amount))
        for sector, amount, count, with_amount in connection.execute(statement)
    ))


def summary_of_sectors(totals: tuple[SectorTotal, ...]) -> SectorSummary:
    """The sector totals (largest first) with the top sectors by average deal, among those with amounts."""
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
    """The filter narrowed to a deadline scope's stages and due dates; None when the narrowing selects nothing.
    The cold scope is narrowed to the open stages here, and to the quiet deals by `cold_clause`."""
    if scope is DeadlineScope.ALL:
        return deal_filter
    stages = tuple(s for s in (deal_filter.stages or OPEN_STAGES) if s in OPEN_STAGES)
    if not stages:
        return None
    if scope is DeadlineScope.COLD:
        return replace(deal_filter, stages=stages)
    if scope is DeadlineScope.OVERDUE:
        start, end = deal_filter.due_from, today - timedelta(days=1)
    else:
        start, end = today, today + timedelta(days=HORIZON_DAYS[scope])
    start = max(filter(None, (start, deal_filter.due_from)), default=None)
    end = min(filter(None, (end, deal_filter.due_to)))
    if start and start > end:
        return None
    return replace(deal_filter, stages=stages, due_from=start, due_to=end)


def cold_clause(rule: ColdRule, today: date) -> ColumnElement[bool]:
    """Open deals whose last history row (`deals.last_change_at`, kept by the database) is before their stage's
    cutoff (`domain.staleness`): one range of the index `ix_deals_cold` per open stage, the cold deals only."""
    cutoffs = rule.cutoffs(today)
    return or_(*(and_(Deal.statut == stage, Deal.last_change_at < cutoff) for stage, cutoff in cutoffs.items()))


def scope_clause(deal_filter: DealFilter, scope: DeadlineScope, today: date,
                 rule: ColdRule) -> ColumnElement[bool] | None:
    """The WHERE clause of the selection narrowed to `scope` (the grid's rows, the exports); None when it selects
    nothing."""
    narrowed = scope_filter(deal_filter, scope, today)
    if narrowed is None:
        return None
    clause = deal_clause(narrowed)
    return clause & cold_clause(rule, today) if scope is DeadlineScope.COLD else clause


def _listed_clause(deal_filter: DealFilter) -> ColumnElement[bool]:
    """The grid lists the deals with a due date, or those without one when the selection asks for them."""
    return Deal.date_echeance.is_(None) if MISSING_DUE_DATE in deal_filter.missing else Deal.date_echeance.is_not(None)


def _next_utc_midnight(instant: datetime) -> datetime:
    """The first UTC midnight at or after `instant` (naive UTC)."""
    midnight = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == instant else midnight + timedelta(days=1)


def _cold_counts(deal_filter: DealFilter, today: date, rule: ColdRule, per_assignee: bool = False) -> Subquery:
    """One row: the cold deals of the selection (`deals`) and those of them the grid lists (`listed`); with
    `per_assignee`, one row per salesperson of the selection's open deals (`name`, `NO_ASSIGNEE` for none).

    A selection on stage, sector and salesperson (and the data-health gaps of those) is answered by the summaries:
    its open deals (`deal_totals`) less those changed since their stage's cutoff, which are the `deal_activity`
    rows of the whole UTC days after the cutoff plus the deals changed between the cutoff (a Paris midnight) and
    the next UTC midnight (`ix_deals_cold`): a few days of summary rows and a few hours of deals, whatever the
    size of the book. Any other selection (a due-date range, a search, the deals without an amount) counts its
    cold deals in `deals` through `cold_clause`."""
    def counted(table: type[Deal] | type[DealTotal] | type[DealActivity], deals: ColumnElement,
                listed: ColumnElement, *where: ColumnElement[bool]) -> Subquery:
        sums = (func.coalesce(func.sum(deals), 0).label("deals"), func.coalesce(func.sum(listed), 0).label("listed"))
        if not per_assignee:
            return select(*sums).where(*where).subquery()
        name = func.coalesce(table.assignee, NO_ASSIGNEE)
        return select(name.label("name"), *sums).where(*where).group_by(name).subquery()

    narrowed = scope_filter(deal_filter, DeadlineScope.COLD, today)
    if narrowed is None:
        return counted(Deal, literal(0), literal(0), false())
    without_due = MISSING_DUE_DATE in deal_filter.missing
    listed_deal = case((_listed_clause(deal_filter), 1), else_=0)
    if narrowed.search or narrowed.due_from or narrowed.due_to or MISSING_AMOUNT in narrowed.missing:
        return counted(Deal, literal(1), listed_deal, deal_clause(narrowed) & cold_clause(rule, today))

    def summed(table: type[DealTotal] | type[DealActivity], *conditions: ColumnElement[bool]) -> Subquery:
        undated = table.n - table.n_due
        chosen, listed = (undated, undated) if without_due else (table.n, table.n_due)
        return counted(table, chosen, listed, dimension_clause(narrowed, table.statut, table.secteur, table.assignee),
                       *conditions)

    cutoffs = rule.cutoffs(today)
    a = DealActivity
    every = summed(DealTotal)
    warm_days = summed(a, a.change_day >= min(map(_next_utc_midnight, cutoffs.values())), or_(*(
        and_(a.statut == stage, a.change_day >= _next_utc_midnight(cutoff)) for stage, cutoff in cutoffs.items())))
    edge = or_(*(and_(Deal.statut == stage, Deal.last_change_at >= cutoff,
                      Deal.last_change_at < _next_utc_midnight(cutoff)) for stage, cutoff in cutoffs.items()))
    warm_edge = counted(Deal, literal(1), listed_deal, dimension_clause(narrowed, Deal.statut, Deal.secteur,
                        Deal.assignee), _listed_clause(deal_filter) if without_due else true(), edge)

    def same_group(warm: Subquery) -> ColumnElement[bool]:  # one row each without `per_assignee`
        return warm.c.name == every.c.name if per_assignee else true()

    def left(column: str) -> ColumnElement:
        return (every.c[column] - func.coalesce(warm_days.c[column], 0)
                - func.coalesce(warm_edge.c[column], 0)).label(column)

    return (select(*([every.c.name] if per_assignee else []), left("deals"), left("listed"))
            .select_from(every.outerjoin(warm_days, same_group(warm_days)).outerjoin(warm_edge, same_group(warm_edge)))
            .subquery("cold"))


def cold_counts_by_assignee(deal_filter: DealFilter, today: date, rule: ColdRule) -> Subquery:
    """Per salesperson of the selection (`name`), their cold deals (`deals`): the dashboard's count, grouped."""
    return _cold_counts(deal_filter, today, rule, per_assignee=True)


def deadline_counts(connection: Connection, deal_filter: DealFilter, listed: int, today: date,
                    rule: ColdRule) -> DeadlineCounts:
    """Overdue, next-7 and next-30-days and cold counts (all, and listed in the grid) in one statement; `listed`
    (the "all" scope) comes from the stage totals."""
    counts = []
    for scope in (DeadlineScope.OVERDUE, DeadlineScope.NEXT_7_DAYS, DeadlineScope.NEXT_30_DAYS):
        narrowed = scope_filter(deal_filter, scope, today)
        if narrowed is None:
            counts.append(literal(0))
        else:
            facts = fact_rows(narrowed)
            counts.append(select(func.coalesce(func.sum(facts.c.n), 0)).scalar_subquery())
    cold = _cold_counts(deal_filter, today, rule)
    statement = select(*counts, cold.c.deals, cold.c.listed).select_from(cold)
    overdue, next_7_days, next_30_days, cold_deals, cold_listed = connection.execute(statement).one()
    return DeadlineCounts(listed=listed, overdue=int(overdue), next_7_days=int(next_7_days),
                          next_30_days=int(next_30_days), cold=int(cold_listed), cold_deals=int(cold_deals))


def search_groups(connection: Connection, base: DealFilter, today: date, rule: ColdRule) -> tuple[FactGroup, ...]:
    """The deals `base` finds (a search, with its due-date range and missing amount or due date; no stage, sector
    or salesperson: `domain.fact_groups.search_base`) summed per stage, sector and salesperson, with the deadline
    scopes' and the cold deals' counts as of `today`: every figure of a search from one read of its deals."""
    due = Deal.date_echeance

    def count_if(condition: ColumnElement[bool]) -> ColumnElement:
        return func.count().filter(condition)

    def due_within(scope: DeadlineScope) -> ColumnElement[bool]:
        return and_(due >= today, due <= today + timedelta(days=HORIZON_DAYS[scope]))

    cold = cold_clause(rule, today)
    statement = (
        select(Deal.statut, Deal.secteur, Deal.assignee, func.count(), func.count(Deal.montant_brut),
               func.sum(Deal.montant_brut), func.sum(Deal.valeur_ponderee), func.count(due), count_if(due < today),
               count_if(due_within(DeadlineScope.NEXT_7_DAYS)), count_if(due_within(DeadlineScope.NEXT_30_DAYS)),
               count_if(cold), count_if(and_(cold, _listed_clause(base))))
        .where(deal_clause(base))
        .group_by(Deal.statut, Deal.secteur, Deal.assignee)
    )
    return tuple(
        FactGroup(stage, sector, assignee, int(n), int(n_montant), _money(montant), _money(ponderee), int(n_due),
                  int(overdue), int(next_7), int(next_30), int(cold_deals), int(cold_listed))
        for stage, sector, assignee, n, n_montant, montant, ponderee, n_due, overdue, next_7, next_30, cold_deals,
        cold_listed in connection.execute(statement)
    )


def deadline_rows(
    connection: Connection,
    deal_filter: DealFilter,
    scope: DeadlineScope,
    sort: tuple[tuple[str, bool], ...],
    offset: int,
    limit: int,
    today: date,
    rule: ColdRule,
) -> tuple[DeadlineRow, ...]:
    """One page of the listed deals in `scope`, ordered by `sort` ((column, descending) pairs), soonest due first
    by default."""
    where = scope_clause(deal_filter, scope, today, rule)
    if where is None:
        return ()
    order = sort_order(sort) or [Deal.date_echeance.asc()]
    return _deal_rows(connection, where & _listed_clause(deal_filter), order, offset, limit, today, rule)


def deal_rows(connection: Connection, deal_filter: DealFilter, sort: tuple[tuple[str, bool], ...], offset: int,
              limit: int, today: date, rule: ColdRule) -> tuple[DeadlineRow, ...]:
    """One page of every selected deal, dated or not (the API's deal list), ordered by `sort`, then by id."""
    return _deal_rows(connection, deal_clause(deal_filter), sort_order(sort), offset, limit, today, rule)


def sort_order(sort: tuple[tuple[str, bool], ...]) -> list[ColumnElement]:
    """The ORDER BY of (column, descending) pairs; unknown columns are left out, empty values last (the grid's
    pages and the exports sort alike)."""
    return [
        (SORTABLE_COLUMNS[name].desc() if descending else SORTABLE_COLUMNS[name].asc()).nulls_last()
        for name, descending in sort
        if name in SORTABLE_COLUMNS
    ]


def _deal_rows(connection: Connection, where: ColumnElement[bool], order: list[ColumnElement], offset: int,
               limit: int, today: date, rule: ColdRule) -> tuple[DeadlineRow, ...]:
    """One page of the deals `where` selects, as grid rows with their urgency against `today` and, for the cold
    ones, their days without change."""
    statement = (
        select(Deal.id, Deal.client, Deal.statut, Deal.montant_brut, Deal.valeur_ponderee, Deal.secteur,
               Deal.assignee, Deal.date_echeance, Deal.version, Deal.last_change_at)
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
            # A won or lost deal has no days left: "—", not the days since a due date long past.
            days_left=(row.date_echeance - today).days if row.date_echeance and row.statut in OPEN_STAGES else None,
            is_overdue=row.date_echeance is not None and row.statut in OPEN_STAGES and row.date_echeance < today,
            is_next_30_days=(row.date_echeance is not None and row.statut in OPEN_STAGES
                             and today <= row.date_echeance <= horizon),
            version=row.version,
            cold_days=_cold_days(row.statut, row.last_change_at, today, rule),
        )
        for row in connection.execute(statement)
    )


def _cold_days(stage: str, last_change: datetime | None, today: date, rule: ColdRule) -> int | None:
    """Days without change of a deal that is cold today (`cold_clause`'s rule, for one row), None otherwise."""
    if last_change is None or stage not in OPEN_STAGES:
        return None
    days = quiet_days(last_change, today)
    return days if days > rule.days_for(stage) else None



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
