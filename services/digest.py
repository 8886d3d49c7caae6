"""The daily digest's content, read from the dashboard's own queries: what the e-mail lists is what the grid's
scopes show on the same day.

The deal sections are pages of `DealReads.deadlines` (the grid's order, its scopes, its counts); yesterday's
changes are read from the history by time (index `ix_deal_events_at`), so the digest costs the same whatever
the size of the book. Each section links to the dashboard filtered on the same deals (`domain.view_links`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, and_, case, func, select

from data.models import Deal, DealEvent
from domain import formatting
from domain.deal_filter import OVERDUE as MISSING_OVERDUE
from domain.deal_filter import DealFilter
from domain.digest import COLD, DUE_SOON, OVERDUE, Change, ChangeCounts, DealSection, Digest
from domain.pipeline_results import DeadlineScope
from domain.stages import LOST, OPEN_STAGES, WON
from domain.staleness import start_of_paris_day
from domain.view_links import view_url
from services.queries import scope_filter
from services.reachability import database_reachable
from services.reads import DealReads

SECTION_LIMIT = 50


def section_views(today: date) -> dict[str, tuple[DealFilter, DeadlineScope]]:
    """The dashboard view behind each section's link, filters and grid scope: the next 7 days as open stages
    and a due-date range on the grid's "7 prochains jours", the overdue ones as `manque=retard` on "En retard",
    the cold ones as the open stages on "Froids"."""
    next_days = scope_filter(DealFilter(), DeadlineScope.NEXT_7_DAYS, today) or DealFilter.nothing()
    return {DUE_SOON: (next_days, DeadlineScope.NEXT_7_DAYS),
            OVERDUE: (DealFilter(missing=(MISSING_OVERDUE,)), DeadlineScope.OVERDUE),
            COLD: (DealFilter(stages=OPEN_STAGES), DeadlineScope.COLD)}


def _section(reads: DealReads, kind: str, title: str, scope: DeadlineScope, link: str, limit: int,
             note: str = "") -> DealSection:
    page = reads.deadlines(DealFilter(), scope, offset=0, limit=limit)
    return DealSection(kind, title, page.rows, page.total, link, note)


def _kinds() -> dict[str, ColumnElement[bool]]:
    """The day's history rows counted by kind, in one pass (the kinds of `ChangeCounts`)."""
    stage = DealEvent.field == "statut"
    return {
        "created": DealEvent.action == "created",
        "won": and_(stage, DealEvent.new_value == WON),
        "lost": and_(stage, DealEvent.new_value == LOST),
        "moved": and_(stage, DealEvent.new_value.not_in((WON, LOST))),
        "amounts": DealEvent.field == "montant_brut",
    }


def changes_between(connection: Connection, start: date, end: date, limit: int) -> tuple[tuple[Change, ...],
                                                                                           ChangeCounts]:
    """The history rows of the Paris days from `start` to the day before `end`: the first `limit`, oldest first,
    with their deal's client (None once deleted), and the counts of all of them by kind."""
    window = and_(DealEvent.at >= start_of_paris_day(start), DealEvent.at < start_of_paris_day(end))
    kinds = _kinds()
    counted = [func.coalesce(func.sum(case((condition, 1), else_=0)), 0) for condition in kinds.values()]
    *numbers, total = connection.execute(select(*counted, func.count()).where(window)).one()
    counts = dict(zip(kinds, map(int, numbers), strict=True))
    rows = connection.execute(
        select(DealEvent.deal_id, Deal.client, DealEvent.action, DealEvent.field, DealEvent.old_value,
               DealEvent.new_value)
        .outerjoin(Deal, Deal.id == DealEvent.deal_id).where(window)
        .order_by(DealEvent.at, DealEvent.id).limit(limit))
    return tuple(Change(*row) for row in rows), ChangeCounts(**counts, others=int(total) - sum(counts.values()))


def build_digest(reads: DealReads, engine: Engine, today: date, public_url: str,
                 limit: int = SECTION_LIMIT) -> Digest:
    """The digest of `today` (Paris): the grid's next-7-days, overdue and cold scopes, at most `limit` deals each,
    and the changes of the day before."""
    links = {kind: view_url(public_url, *view) for kind, view in section_views(today).items()}
    cold = reads.deadline_counts(DealFilter())
    undated = cold.cold_deals - cold.cold
    note = f"Et {formatting.count(undated)} sans échéance (comptés sur la carte « Deals froids »)." if undated else ""
    sections = (
        _section(reads, DUE_SOON, "Échéances des 7 prochains jours", DeadlineScope.NEXT_7_DAYS, links[DUE_SOON], limit),
        _section(reads, OVERDUE, "En retard", DeadlineScope.OVERDUE, links[OVERDUE], limit),
        _section(reads, COLD, "Deals froids", DeadlineScope.COLD, links[COLD], limit, note=note),
    )
    with database_reachable(), engine.connect() as connection:
        changes, counts = changes_between(connection, today - timedelta(days=1), today, limit)
    return Digest(today, sections, changes, counts, view_url(public_url, DealFilter()))
