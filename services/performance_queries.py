"""The performance page's SQL: each function is one statement, grouped in the database, returning small values.

Dates of stage changes come from `deal_events` (rows with `field = 'statut'` written by the triggers): a deal's
stay in a stage starts at the change that brought it there, or at the deal's creation when no change did (a
deal created in that stage, or imported before the history existed). A deal is won at its last change to
Gagné; a won deal with no such change has no known cycle.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    case,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import Subquery

from data.models import STAGE_CHANGES, WIN_CHANGES, Deal, DealEvent, DealRollup, DealWin, StageStay
from domain.deal_filter import MISSING_AMOUNT, MISSING_DUE_DATE, NO_ASSIGNEE, DealFilter
from domain.performance_results import (
    FORECAST_MONTHS,
    OVERDUE_BUCKET,
    AssigneePerformance,
    ForecastCell,
    StageMovement,
)
from domain.stage_stays import StayGroup, movement
from domain.stages import LOST, OPEN_STAGES, WON
from domain.staleness import DEFAULT_COLD_RULE, ColdRule
from services.day_span import day_span
from services.fact_source import fact_rows
from services.filter_clauses import deal_clause, dimension_clause
from services.queries import cold_counts_by_assignee

CENT = Decimal("0.01")
MILLISECONDS_A_DAY = 86_400_000
UNDATED, OVERDUE = -1, 0  # forecast buckets besides the months (year * 100 + month)


def _money(value: Decimal | float | None) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def month_start(day: date, months_later: int) -> date:
    """The first day of the month `months_later` months after `day`'s (negative: before)."""
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def month_key(day: date) -> str:
    """`2026-11`: how a month bucket is named in the results."""
    return f"{day.year:04d}-{day.month:02d}"


def _bucket_name(key: int) -> str:
    """`2026-11` from the SQL's month key 202611."""
    return f"{key // 100:04d}-{key % 100:02d}"


def won_times() -> Select:
    """Each won deal's last change to Gagné (`won_at`), read from the wins' own index (migration 0019)."""
    return select(DealEvent.deal_id, func.max(DealEvent.at).label("won_at")).where(WIN_CHANGES).group_by(
        DealEvent.deal_id)


def _figures(deal_filter: DealFilter) -> Subquery:
    """Per salesperson (`name`), the figures that are sums: read from the smallest summary that answers the
    selection (`services.fact_source`), as the dashboard's cards are."""
    facts = fact_rows(deal_filter)
    name = func.coalesce(facts.c.assignee, NO_ASSIGNEE)
    is_open, is_won, is_lost = facts.c.statut.in_(OPEN_STAGES), facts.c.statut == WON, facts.c.statut == LOST

    def sum_if(condition: ColumnElement[bool], column: ColumnElement) -> ColumnElement:
        return func.coalesce(func.sum(case((condition, column), else_=None)), 0)

    return (select(name.label("name"), sum_if(is_open, facts.c.n), sum_if(is_open, facts.c.montant),
                   sum_if(is_open, facts.c.ponderee), sum_if(is_won, facts.c.montant), sum_if(is_won, facts.c.n),
                   sum_if(is_lost, facts.c.n), func.sum(facts.c.n), func.sum(facts.c.montant),
                   func.sum(facts.c.n_montant))
            .group_by(name).subquery("figures"))


def _cycles(deal_filter: DealFilter) -> Subquery:
    """Per salesperson, the selected won deals whose win is in the history: how many, and their days from
    creation to the win, summed. From `deal_wins` when the selection is one it knows; else only the won deals
    meet the history, so the rest of the book is read once."""
    if _dimensions_only(deal_filter):
        w = DealWin
        name = func.coalesce(w.assignee, NO_ASSIGNEE)
        return (select(name.label("name"), (func.sum(w.cycle_milliseconds) / MILLISECONDS_A_DAY).label("days"),
                       func.sum(w.cycles).label("deals"))
                .where(dimension_clause(deal_filter, literal(WON), w.secteur, w.assignee))
                .group_by(name).subquery("cycles"))
    won = won_times().subquery("won")
    name = func.coalesce(Deal.assignee, NO_ASSIGNEE)
    return (select(name.label("name"), func.sum(day_span(Deal.created_at, won.c.won_at)).label("days"),
                   func.count().label("deals"))
            .select_from(Deal).join(won, won.c.deal_id == Deal.id)
            .where(deal_clause(deal_filter), Deal.statut == WON).group_by(name).subquery("cycles"))


def assignee_figures(connection: Connection, deal_filter: DealFilter, today: date,
                     rule: ColdRule = DEFAULT_COLD_RULE) -> tuple[AssigneePerformance, ...]:
    """Every salesperson of the selection with their figures (their cold deals by `rule`, as the dashboard counts
    them), the largest open pipeline first."""
    figures = _figures(deal_filter)
    cold = cold_counts_by_assignee(deal_filter, today, rule)
    cycles = _cycles(deal_filter)
    statement = (select(figures, func.coalesce(cold.c.deals, 0), cycles.c.days, func.coalesce(cycles.c.deals, 0))
                 .select_from(figures).outerjoin(cold, cold.c.name == figures.c.name)
                 .outerjoin(cycles, cycles.c.name == figures.c.name))
    people = [_person(row) for row in connection.execute(statement)]
    return tuple(sorted(people, key=lambda person: (-person.open_gross, person.assignee)))


def _person(row: Row) -> AssigneePerformance:
    name, open_count, gross, weighted, won_amount, won, lost, count, amounts, valued, stale, cycle_days, cycles = row
    return AssigneePerformance(name, _money(gross), _money(weighted), _money(won_amount), int(won), int(lost),
                               int(count), int(stale), int(open_count), int(valued), _money(amounts), int(cycles),
                               Decimal(str(cycle_days or 0)))


def _open_rows_by_due(deal_filter: DealFilter, today: date) -> Subquery:
    """Rows (due, statut, n, montant, ponderee) whose sums per due bucket are the selection's open deals.

    A selection on stage, sector and salesperson (or the deals without a due date) reads `deal_rollup`, whose due
    months are whole buckets (earlier months overdue, later ones their own month), and, for this month only, which
    today splits into overdue and this month's bucket, the deals due in it (the covering due-date index): the
    rollup's rows and one month of deals, not the whole book (`services.fact_source` reads the
    dashboard's figures the same way). A due-date range, a search or the deals without an amount read `deals`."""
    if deal_filter.search or deal_filter.due_from or deal_filter.due_to or MISSING_AMOUNT in deal_filter.missing:
        return (select(Deal.date_echeance.label("due"), Deal.statut, literal(1).label("n"),
                       Deal.montant_brut.label("montant"), Deal.valeur_ponderee.label("ponderee"))
                .where(deal_clause(deal_filter), Deal.statut.in_(OPEN_STAGES)).subquery("open_deals"))
    this_month, next_month = month_start(today, 0), month_start(today, 1)
    r = DealRollup
    undated_only = MISSING_DUE_DATE in deal_filter.missing
    months = (select(r.due_month.label("due"), r.statut, r.n, r.montant, r.ponderee)
              .where(dimension_clause(deal_filter, r.statut, r.secteur, r.assignee), r.statut.in_(OPEN_STAGES),
                     r.due_month.is_(None) if undated_only else or_(r.due_month.is_(None), r.due_month != this_month)))
    if undated_only:
        return months.subquery("open_deals")
    this_month_deals = (select(Deal.date_echeance, Deal.statut, literal(1), Deal.montant_brut, Deal.valeur_ponderee)
                        .where(dimension_clause(deal_filter, Deal.statut, Deal.secteur, Deal.assignee),
                               Deal.statut.in_(OPEN_STAGES), Deal.date_echeance >= this_month,
                               Deal.date_echeance < next_month))
    return union_all(months, this_month_deals).subquery("open_deals")


def forecast_cells(connection: Connection, deal_filter: DealFilter,
                   today: date) -> tuple[tuple[ForecastCell, ...], int]:
    """Open deals per stage and bucket (overdue, or one of the 12 months from this one), and how many open
    deals fall in neither (no due date, or due later)."""
    horizon = month_start(today, FORECAST_MONTHS)
    rows = _open_rows_by_due(deal_filter, today)
    due = rows.c.due
    bucket = case(
        (due.is_(None) | (due >= horizon), literal(UNDATED)),
        (due < today, literal(OVERDUE)),
        else_=extract("year", due) * 100 + extract("month", due),
    )
    statement = (select(bucket.label("bucket"), rows.c.statut, func.sum(rows.c.n), func.sum(rows.c.montant),
                        func.sum(rows.c.ponderee))
                 .group_by(bucket, rows.c.statut))
    cells, undated = [], 0
    for key, stage, count, gross, weighted in connection.execute(statement):
        key = int(key)
        if key == UNDATED:
            undated += int(count)
            continue
        name = OVERDUE_BUCKET if key == OVERDUE else _bucket_name(key)
        cells.append(ForecastCell(name, stage, int(count), _money(gross), _money(weighted)))
    return tuple(cells), undated


def won_by_month(connection: Connection, deal_filter: DealFilter, today: date) -> dict[str, Decimal]:
    """The won amount per month over the 12 months up to this one, by the date each deal was won (its
    creation when the history has no win): from `deal_wins` when the selection is one it knows."""
    first, after = month_start(today, 1 - FORECAST_MONTHS), month_start(today, 1)
    if _dimensions_only(deal_filter):
        w = DealWin
        summary = (select(w.won_month, func.sum(w.montant))
                   .where(w.won_month >= first, w.won_month < after,
                          dimension_clause(deal_filter, literal(WON), w.secteur, w.assignee))
                   .group_by(w.won_month))
        return {month_key(month): _money(amount) for month, amount in connection.execute(summary)}
    won = won_times().subquery("won")
    won_on = func.coalesce(won.c.won_at, Deal.created_at)
    month = extract("year", won_on) * 100 + extract("month", won_on)
    statement = (
        select(month, func.sum(Deal.montant_brut)).select_from(Deal).outerjoin(won, won.c.deal_id == Deal.id)
        .where(deal_clause(deal_filter), Deal.statut == WON, won_on >= _midnight(first), won_on < _midnight(after))
        .group_by(month)
    )
    return {_bucket_name(int(key)): _money(amount) for key, amount in connection.execute(statement)}


def _changes(deal_filter: DealFilter, since: datetime, until: datetime | None) -> Subquery:
    """One row per stage change of a selected deal from `since` on (every change of a deal created since then),
    with the change after it (`lead`, read forward only) and its place among them; a deal created since then
    without any change comes once, with no change. Each row holds two stays: the one its change began (stage
    `new_value` from `at`, until `left_at`, then `next_stage`), and, on a deal's first row, the one its creation
    began (stage `first_stage` from `created_at`, until the change, then `new_value`). One window over the
    changes serves both. With `until`, only the deals with a stay beginning before it (a partial month's)."""
    order = {"partition_by": Deal.id, "order_by": (DealEvent.at, DealEvent.id)}
    changes = and_(DealEvent.deal_id == Deal.id, STAGE_CHANGES, or_(DealEvent.at >= since, Deal.created_at >= since))
    chosen = [deal_clause(deal_filter)]
    if until is not None:
        began = select(DealEvent.deal_id).where(STAGE_CHANGES, DealEvent.at >= since, DealEvent.at < until)
        chosen.append(or_(Deal.id.in_(began), and_(Deal.created_at >= since, Deal.created_at < until)))
    return (
        select(Deal.created_at, func.coalesce(DealEvent.old_value, Deal.statut).label("first_stage"),
               DealEvent.at, DealEvent.new_value,
               func.lead(DealEvent.at).over(**order).label("left_at"),
               func.lead(DealEvent.new_value).over(**order).label("next_stage"),
               func.row_number().over(**order).label("position"))
        .select_from(Deal).outerjoin(DealEvent, changes)
        .where(*chosen, or_(DealEvent.id.is_not(None), Deal.created_at >= since))
        .subquery("changes")
    )


def _walked_stays(connection: Connection, deal_filter: DealFilter, since: datetime, until: datetime,
                  partial: bool) -> list[StayGroup]:
    """The stays beginning from `since` to `until` of the selected deals, walked from their stage changes and
    counted per stage and next stage (`partial`: only a few days' worth, so only the deals with such a stay)."""
    rows = _changes(deal_filter, since, until if partial else None)
    moved = and_(rows.c.at >= since, rows.c.at < until)
    created = and_(rows.c.position == 1, rows.c.created_at >= since, rows.c.created_at < until)
    keys = (rows.c.new_value, rows.c.next_stage, rows.c.first_stage)
    statement = (select(*keys, func.count().filter(moved), func.sum(day_span(rows.c.at, rows.c.left_at)).filter(moved),
                        func.count().filter(created), func.sum(day_span(rows.c.created_at, rows.c.at)).filter(created))
                 .where(or_(moved, created)).group_by(*keys))
    groups = []
    for stage, next_stage, first_stage, moved_count, moved_days, created_count, created_days in connection.execute(
            statement):
        groups += [StayGroup(stage, next_stage, int(moved_count), float(moved_days or 0)),
                   StayGroup(first_stage, stage, int(created_count), float(created_days or 0))]
    return groups


def _summed_stays(connection: Connection, deal_filter: DealFilter, first: date, after: date) -> list[StayGroup]:
    """The stays beginning in the whole months from `first` to before `after`, from `stage_stays`."""
    s = StageStay
    statement = (select(s.stage, s.next_stage, func.sum(s.n), func.sum(s.milliseconds))
                 .where(s.entry_month >= first, s.entry_month < after,
                        dimension_clause(deal_filter, s.statut, s.secteur, s.assignee))
                 .group_by(s.stage, s.next_stage))
    return [StayGroup(stage, next_stage, int(count), int(milliseconds) / MILLISECONDS_A_DAY)
            for stage, next_stage, count, milliseconds in connection.execute(statement)]


def _dimensions_only(deal_filter: DealFilter) -> bool:
    """Whether the selection is by stage, sector and salesperson alone (with "no sector" / "no salesperson"):
    what the summaries know of a deal."""
    return not (deal_filter.search or deal_filter.due_from or deal_filter.due_to
                or {MISSING_AMOUNT, MISSING_DUE_DATE} & set(deal_filter.missing))


def stage_movement(connection: Connection, deal_filter: DealFilter, start: date,
                   end: date) -> tuple[StageMovement, ...]:
    """Per open stage, the selected deals' entries into it from `start` to `end` (days of the UTC timestamps,
    inclusive): how many went on to a later stage, how many to Perdu, and the average days of the stays that
    ended, summed from stays counted per stage and next stage (`domain.stage_stays.movement`). The whole months
    of the period come from `stage_stays` when the selection is one it knows; the days of a partial first or last
    month, or any other selection, are walked from the stage changes."""
    after = end + timedelta(days=1)
    if not _dimensions_only(deal_filter):
        return movement(_walked_stays(connection, deal_filter, _midnight(start), _midnight(after), partial=False))
    first_whole = start if start.day == 1 else month_start(start, 1)
    after_whole = after if after.day == 1 else month_start(after, 0)
    if first_whole >= after_whole:
        return movement(_walked_stays(connection, deal_filter, _midnight(start), _midnight(after), partial=True))
    groups = _summed_stays(connection, deal_filter, first_whole, after_whole)
    for since, until in ((start, first_whole), (after_whole, after)):
        if since < until:
            groups += _walked_stays(connection, deal_filter, _midnight(since), _midnight(until), partial=True)
    return movement(groups)
