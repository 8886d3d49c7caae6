"""The SQL of "since your last visit": what the history (`deal_events`) recorded after an instant.

Counts and the latest clients come from the history rows after the instant. The weighted pipeline as it stood
then is the one of now, corrected deal by deal for the deals whose history moved since: each such deal is taken
back to its stage and amount of then (the old value of its first change of each after the instant), and left out
if it did not exist then (its first row after the instant is its creation or its restoration). A deal deleted
since is no longer in `deals` and its values of then are not in the history: it is left out of every figure.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, Numeric, and_, case, cast, exists, func, literal, select

from data.models import Deal, DealEvent, DealTotal
from domain.stages import LOST, OPEN_STAGES, PROBABILITY, WON
from domain.visit_changes import NAMES_SHOWN, NamedCount, VisitChanges

CENT = Decimal("0.01")


def _money(value: Decimal | float | None) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _first_after(since: datetime, column, field: str | None = None):
    """The value of `column` in the deal's first history row after `since` (of `field` when given)."""
    statement = select(column).where(DealEvent.deal_id == Deal.id, DealEvent.at > since)
    if field is not None:
        statement = statement.where(DealEvent.action == "updated", DealEvent.field == field)
    return statement.order_by(DealEvent.at, DealEvent.id).limit(1).scalar_subquery()


def _weighted_change(connection: Connection, since: datetime) -> Decimal:
    """Weighted value now minus weighted value then, over the deals whose history moved after `since`."""
    amount_changed = exists().where(DealEvent.deal_id == Deal.id, DealEvent.at > since,
                                    DealEvent.action == "updated", DealEvent.field == "montant_brut")
    stage_then = func.coalesce(_first_after(since, DealEvent.old_value, "statut"), Deal.statut)
    amount_then = case((amount_changed, cast(_first_after(since, DealEvent.old_value, "montant_brut"), Numeric(12, 2))),
                       else_=Deal.montant_brut)
    probability_then = case({stage: literal(value, Numeric(3, 2)) for stage, value in PROBABILITY.items()},
                            value=stage_then)
    existed_then = _first_after(since, DealEvent.action).not_in(("created", "restored"))
    weighted_then = case((existed_then, func.round(amount_then * probability_then, 2)), else_=None)
    changed = select(DealEvent.deal_id).where(DealEvent.at > since)
    statement = select(func.sum(func.coalesce(Deal.valeur_ponderee, 0) - func.coalesce(weighted_then, 0))).where(
        Deal.id.in_(changed))
    return _money(connection.execute(statement).scalar_one())


def _named(connection: Connection, since: datetime, *conditions) -> NamedCount:
    """How many deals still present have a history row after `since` matching `conditions`, and the clients of
    the latest few."""
    latest = (select(DealEvent.deal_id, func.max(DealEvent.at).label("at"))
              .where(DealEvent.at > since, *conditions).group_by(DealEvent.deal_id).subquery())
    present = select(Deal.client, latest.c.at).join(latest, latest.c.deal_id == Deal.id)
    count = connection.execute(select(func.count()).select_from(present.subquery())).scalar_one()
    clients = connection.execute(present.order_by(latest.c.at.desc(), Deal.id.desc()).limit(NAMES_SHOWN)).scalars()
    return NamedCount(int(count), tuple(clients))


def visit_changes(connection: Connection, since: datetime) -> VisitChanges:
    """What changed after `since` (naive UTC), and the weighted pipeline then and now."""
    now = _money(connection.execute(select(func.sum(DealTotal.ponderee))).scalar_one())
    stage_change = and_(DealEvent.action == "updated", DealEvent.field == "statut")
    return VisitChanges(
        since=since,
        created=_named(connection, since, DealEvent.action == "created"),
        moved=_named(connection, since, stage_change, DealEvent.new_value.in_(OPEN_STAGES)),
        won=_named(connection, since, stage_change, DealEvent.new_value == WON),
        lost=_named(connection, since, stage_change, DealEvent.new_value == LOST),
        weighted_now=now,
        weighted_then=now - _weighted_change(connection, since),
    )
