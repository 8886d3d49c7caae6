"""Deals with a known history, written through the write service, and a plain-Python model of the performance
figures over them.

Each deal is created in a first stage and moved through the write service (so the triggers write the history);
the history's times and the deals' creation and last-change times are then placed on known dates with SQL, and
the pipeline's daily moves and the summaries of the stays and of the wins rebuilt from that dated history (as
the demo does).
The expectations below walk the scripted moves in Python, sharing nothing with the SQL under test.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, Engine, text

from data import deal_wins, pipeline_changes, stage_stays
from domain.stages import OPEN_STAGES
from domain.staleness import quiet_days
from services.cache import VersionedCache
from services.deal_input import typed_values
from services.performance import PerformanceReads
from services.reads import DealReads
from services.writes import DealWrites
from tests.service.known_deals import ASSIGNEES, CENT, MONTH_EDGES, SECTORS, TODAY, KnownDeal, Selection

NOON = time(12)
FUNNEL = ("Prospect", "Qualifié", "Négociation", "Gagné")


@dataclass(frozen=True)
class ScriptedDeal:
    """A deal's fields, its creation and its stage moves (time, new stage), oldest first."""

    deal: KnownDeal
    first_stage: str
    created: datetime
    moves: tuple[tuple[datetime, str], ...]

    @property
    def last_change(self) -> datetime:
        return self.moves[-1][0] if self.moves else self.created

    def stays(self) -> list[tuple[str, datetime, datetime | None, str | None]]:
        """(stage, entered, left or None, next stage or None) for each stay, walked from the script."""
        found, stage, entered = [], self.first_stage, self.created
        for moved_at, new_stage in self.moves:
            found.append((stage, entered, moved_at, new_stage))
            stage, entered = new_stage, moved_at
        found.append((stage, entered, None, None))
        return found

    def won_at(self) -> datetime | None:
        """The last move to Gagné, if the deal is won now."""
        if self.deal.statut != "Gagné":
            return None
        wins = [moved_at for moved_at, stage in self.moves if stage == "Gagné"]
        return wins[-1] if wins else None


def _path(rng: random.Random) -> tuple[str, list[str]]:
    """A first stage and the stages it moves to: forward steps, sometimes a skip, a step back, or a loss."""
    start = rng.choice(("Prospect", "Prospect", "Qualifié", "Négociation", "Gagné", "Perdu"))
    if start in ("Gagné", "Perdu"):
        return start, []
    stages, position = [], FUNNEL.index(start)
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.2:
            stages.append("Perdu")
            break
        if roll < 0.3 and position > 0:
            position -= 1
        else:
            position = min(position + (2 if roll > 0.85 else 1), 3)
        stages.append(FUNNEL[position])
        if position == 3:
            break
    return start, stages


def make_history(count: int = 48, seed: int = 15) -> list[ScriptedDeal]:
    """Deals created over the last 20 months, moved on known days at whole hours."""
    rng = random.Random(seed)
    scripted = []
    for number in range(1, count + 1):
        first, path = _path(rng)
        created = datetime.combine(TODAY - timedelta(days=rng.randint(5, 600)), time(rng.randint(7, 18)))
        moves, moment = [], created
        for stage in path:
            moment = moment + timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 6))
            if moment.date() >= TODAY:
                break
            moves.append((moment, stage))
        final = moves[-1][1] if moves else first
        amount = None if number % 7 == 0 else (Decimal(0) if number % 11 == 0
                                               else Decimal(rng.randint(50_000, 5_000_000)) / 100)
        due = None if number % 9 == 0 else TODAY + timedelta(days=rng.randint(-120, 420))
        deal = KnownDeal(number, f"Client {number:02d}", final, amount, rng.choice(SECTORS), due,
                         rng.choice(ASSIGNEES), "relance prévue" if number % 5 == 0 else None)
        scripted.append(ScriptedDeal(deal, first, created, tuple(moves)))
    return scripted


def month_edge_deals(first_id: int) -> list[ScriptedDeal]:
    """Open deals due on the first and last days of the months around today, and on today and the day before:
    where the forecast's whole months meet this month, which today splits into overdue and still to come."""
    scripted = []
    for number, due in enumerate(MONTH_EDGES, start=first_id):
        stage = OPEN_STAGES[number % len(OPEN_STAGES)]
        deal = KnownDeal(number, f"Bord {due}", stage, Decimal(1000 + number * 10), SECTORS[number % len(SECTORS)],
                         due, ASSIGNEES[number % len(ASSIGNEES)], None)
        scripted.append(ScriptedDeal(deal, stage, datetime.combine(TODAY - timedelta(days=40), NOON), ()))
    return scripted


def _last_event_id(connection: Connection) -> int:
    return connection.execute(text("SELECT COALESCE(MAX(id), 0) FROM deal_events")).scalar_one()


def write_history(engine: Engine, reads: DealReads, writes: DealWrites, scripted: list[ScriptedDeal]) -> None:
    """Create and move every deal through the write service, then place the history on the scripted times."""
    for item in scripted:
        deal = item.deal
        typed = {"client": deal.client, "statut": item.first_stage,
                 "montant_brut": "" if deal.montant_brut is None else str(deal.montant_brut).replace(".", ","),
                 "secteur": deal.secteur or "", "assignee": deal.assignee or "", "notes": deal.notes or "",
                 "date_echeance": deal.date_echeance.isoformat() if deal.date_echeance else ""}
        deal_id = writes.create_deal(typed, "formulaire")
        assert deal_id == deal.id
        for moved_at, stage in item.moves:
            record = reads.deal(deal_id)
            with engine.connect() as connection:
                mark = _last_event_id(connection)
            writes.change_deal(deal_id, record.version, record.values,
                               {**typed_values(record.values), "statut": stage}, "formulaire")
            with engine.begin() as connection:
                connection.execute(text("UPDATE deal_events SET at = :at WHERE deal_id = :id AND id > :mark"),
                                   {"at": moved_at, "id": deal_id, "mark": mark})
    _place_creations(engine, scripted)
    with engine.begin() as connection:
        pipeline_changes.rebuild(connection)
        stage_stays.rebuild(connection)
        deal_wins.rebuild(connection)


def performance_on(engine: Engine, cache: VersionedCache, scripted: list[ScriptedDeal]) -> PerformanceReads:
    """The performance reads (today pinned to `TODAY`) of a database holding `scripted`, written and placed."""
    write_history(engine, DealReads(engine, cache, today=lambda: TODAY), DealWrites(engine, cache), scripted)
    return PerformanceReads(engine, cache, today=lambda: TODAY)


def _place_creations(engine: Engine, scripted: list[ScriptedDeal]) -> None:
    """Set each deal's creation and last-change times, with the trigger that guards them out of the way (the others
    run: the daily activity summary follows the last-change times, as it would have)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE deals DISABLE TRIGGER deals_touch_updated_at"))
        else:
            guard = connection.execute(text(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'deals_touch_on_update'")).scalar_one()
            connection.execute(text("DROP TRIGGER deals_touch_on_update"))
        for item in scripted:
            connection.execute(text("UPDATE deals SET created_at = :created, updated_at = :updated, "
                                    "last_change_at = :updated WHERE id = :id"),
                               {"created": item.created, "updated": item.last_change, "id": item.deal.id})
            connection.execute(text("UPDATE deal_events SET at = :at WHERE deal_id = :id AND action = 'created'"),
                               {"at": item.created, "id": item.deal.id})
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE deals ENABLE TRIGGER deals_touch_updated_at"))
        else:
            connection.execute(text(guard))


def money(values: list[Decimal | None]) -> Decimal:
    return sum((value for value in values if value is not None), Decimal(0)).quantize(CENT)


def mean(values: list[Decimal]) -> Decimal | None:
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP) if values else None


def days(start: datetime, end: datetime) -> Decimal:
    return Decimal(str((end - start).total_seconds())) / Decimal(86400)


def expected_person(items: list[ScriptedDeal]) -> dict:
    """One salesperson's (or the whole selection's) figures, by hand."""
    deals = [item.deal for item in items]
    open_deals = [deal for deal in deals if deal.statut in OPEN_STAGES]
    won = [deal for deal in deals if deal.statut == "Gagné"]
    lost = [deal for deal in deals if deal.statut == "Perdu"]
    cycles = [days(item.created, item.won_at()) for item in items if item.won_at() is not None]
    return {
        "open_deals": len(open_deals),
        "open_gross": money([deal.montant_brut for deal in open_deals]),
        "open_weighted": money([deal.weighted for deal in open_deals]),
        "won_amount": money([deal.montant_brut for deal in won]),
        "won": len(won), "lost": len(lost), "deal_count": len(deals),
        "average_deal": mean([deal.montant_brut for deal in deals if deal.montant_brut is not None]),
        "average_cycle_days": mean(cycles),
        "stale": sum(1 for item in items  # cold with the default rule: quiet for more than 10 Paris days
                     if item.deal.statut in OPEN_STAGES and quiet_days(item.last_change, TODAY) > 10),
    }


def expected_by_person(items: list[ScriptedDeal]) -> dict[str, dict]:
    groups: dict[str, list[ScriptedDeal]] = defaultdict(list)
    for item in items:
        groups[item.deal.assignee or "Non attribué"].append(item)
    return {name: expected_person(group) for name, group in groups.items()}


def month_name(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, 1)


def expected_forecast(items: list[ScriptedDeal]) -> tuple[dict[tuple[str, str], tuple[int, Decimal, Decimal]],
                                                          dict[str, Decimal], int]:
    """(bucket, stage) -> (count, gross, weighted) of the open deals; won amount per past month; left out."""
    horizon = shift_month(TODAY, 12)
    cells: dict[tuple[str, str], list] = defaultdict(list)
    undated = 0
    for item in items:
        deal = item.deal
        if deal.statut not in OPEN_STAGES:
            continue
        if deal.date_echeance is None or deal.date_echeance >= horizon:
            undated += 1
            continue
        bucket = "En retard" if deal.date_echeance < TODAY else month_name(deal.date_echeance)
        cells[(bucket, deal.statut)].append(deal)
    first, end = shift_month(TODAY, -11), shift_month(TODAY, 1)
    won: dict[str, list] = defaultdict(list)
    for item in items:
        if item.deal.statut == "Gagné":
            when = (item.won_at() or item.created).date()
            if first <= when < end:
                won[month_name(when)].append(item.deal.montant_brut)
    return ({key: (len(deals), money([d.montant_brut for d in deals]), money([d.weighted for d in deals]))
             for key, deals in cells.items()}, {month: money(amounts) for month, amounts in won.items()}, undated)


def expected_movement(items: list[ScriptedDeal], start: date, end: date) -> dict[str, tuple]:
    """Per open stage: (entered, advanced, lost, average days of the ended stays) for entries in the period."""
    found = {}
    for stage in OPEN_STAGES:
        stays = [stay for item in items for stay in item.stays()
                 if stay[0] == stage and start <= stay[1].date() <= end]
        advanced = sum(1 for stay in stays if stay[3] in FUNNEL and FUNNEL.index(stay[3]) > FUNNEL.index(stage))
        lost = sum(1 for stay in stays if stay[3] == "Perdu")
        ended = [days(stay[1], stay[2]) for stay in stays if stay[2] is not None]
        found[stage] = (len(stays), advanced, lost, mean(ended))
    return found


def stage_at(item: ScriptedDeal, instant: datetime) -> str | None:
    """The deal's stage at `instant` from its script; None before its creation."""
    if item.created >= instant:
        return None
    stage = item.first_stage
    for moved_at, new_stage in item.moves:
        if moved_at < instant:
            stage = new_stage
    return stage


def expected_trend(items: list[ScriptedDeal], selection: Selection,
                   weeks: int = 26) -> list[tuple[int, Decimal]]:
    """(open deals, weighted value) at the end of each of the last `weeks` weeks (Monday 00:00 UTC after it), the
    current week's at the end of the history; stage filters apply to the stage of then."""
    monday = TODAY - timedelta(days=TODAY.weekday())
    ends = [datetime.combine(monday - timedelta(weeks=back - 1), datetime.min.time())
            for back in range(weeks - 1, 0, -1)]
    ends.append(datetime.max)
    points = []
    for end in ends:
        count, weighted = 0, Decimal("0.00")
        for item in items:
            stage = stage_at(item, end)
            then = Selection(sectors=selection.sectors, assignees=selection.assignees, missing=selection.missing)
            if stage not in OPEN_STAGES or (selection.stages and stage not in selection.stages):
                continue
            if not then.matches(item.deal):
                continue
            count += 1
            weighted += replace(item.deal, statut=stage).weighted or Decimal("0.00")
        points.append((count, weighted))
    return points
