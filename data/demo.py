"""Deterministic demo deals: realistic French B2B opportunities so a newcomer sees a living dashboard.

Demo deals are marked by `est_demo`, a column only the generator sets: that is how the app shows its
"données de démonstration" badge and how `remove-demo` finds them, whatever the references of the founder's
own deals look like. Their `ref_externe` (`DEMO-0001`) only keeps a re-seed from duplicating them. This module
generates and finds them; writing them goes through the one write path, `services.writes`.

Each demo deal also has a story (`DemoStory`): created weeks or months ago as a prospect, moved stage by stage
to where it stands, on dates before today, most open deals touched in the last days and some left to go cold.
Written as real stage changes (the triggers record them), then dated, it gives the cold deals, the cycle times
and the history something true to show on a fresh install.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, exists, select, true

from data.models import Deal
from domain.deal_record import LOSS_REASONS
from domain.stages import LOST, OPEN_STAGES, STAGE_NAMES
from domain.staleness import start_of_paris_day

DEMO_PREFIX = "DEMO-"
DEMO_DEAL_COUNT = 240

# (sector, relative weight, typical deal size in euros): a skewed mix, as in a real B2B book.
SECTORS: tuple[tuple[str, int, int], ...] = (
    ("Logiciel", 22, 45_000), ("Industrie", 14, 120_000), ("Santé", 11, 60_000), ("Banque", 9, 180_000),
    ("Assurance", 7, 90_000), ("Distribution", 7, 25_000), ("Énergie", 6, 150_000), ("Transport", 5, 40_000),
    ("BTP", 4, 70_000), ("Agroalimentaire", 4, 30_000), ("Télécoms", 3, 85_000), ("Éducation", 3, 1_200),
    ("Tourisme", 2, 6_000), ("Conseil", 2, 15_000), ("Immobilier", 1, 200_000),
)
SALESPEOPLE = (
    "Camille Martin", "Hugo Bernard", "Léa Dubois", "Thomas Petit",
    "Chloé Moreau", "Lucas Laurent", "Manon Girard", "Nathan Roux",
)
COMPANY_STEMS = (
    "Alpine", "Armor", "Azur", "Bellevue", "Cévennes", "Colbert", "Delta", "Éole", "Faubourg", "Garonne",
    "Horizon", "Iroise", "Jura", "Lumière", "Méridien", "Noé", "Opale", "Provence", "Quartz", "Rhône",
    "Saint-Michel", "Tilleul", "Vauban", "Vendôme", "Vercors",
)
COMPANY_FORMS = ("SAS", "SA", "SARL", "Groupe", "& Associés", "Industries", "Solutions", "Conseil")
STAGE_WEIGHTS = (30, 25, 18, 17, 10)
NOTES = ("Relancer après la démo", "Budget validé par la DAF", "Appel d'offres en cours", "Concurrent en place",
         "Décision au prochain comité", None, None, None)


@dataclass(frozen=True)
class DemoDeal:
    """A generated deal, before it is written: plain values, so the sample CSV can reuse it."""

    client: str
    statut: str
    montant_brut: Decimal
    secteur: str | None
    date_echeance: date | None
    assignee: str | None
    notes: str | None
    ref_externe: str


def generate_demo_deals(today: date, count: int = DEMO_DEAL_COUNT, seed: int = 2026) -> Iterator[DemoDeal]:
    """The same deals for the same `today` and seed; due dates spread from 4 months ago to 5 months ahead."""
    rng = random.Random(seed)
    names, weights, sizes = zip(*SECTORS, strict=True)
    for number in range(1, count + 1):
        sector_index = rng.choices(range(len(names)), weights=weights)[0]
        amount = sizes[sector_index] * rng.lognormvariate(0, 1.1)
        amount = min(max(amount, 300), 950_000)
        has_due_date = rng.random() > 0.06
        yield DemoDeal(
            client=f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_FORMS)}",
            statut=rng.choices(STAGE_NAMES, weights=STAGE_WEIGHTS)[0],
            montant_brut=Decimal(str(round(amount, -1 if amount > 5_000 else 0))).quantize(Decimal("0.01")),
            secteur=names[sector_index] if rng.random() > 0.05 else None,
            date_echeance=today + timedelta(days=rng.randint(-120, 150)) if has_due_date else None,
            assignee=rng.choice(SALESPEOPLE),
            notes=rng.choice(NOTES),
            ref_externe=f"{DEMO_PREFIX}{number:04d}",
        )


@dataclass(frozen=True)
class DemoStory:
    """How a demo deal got where it is: created (naive UTC) as the first open stage, then each later stage of its
    path reached at its time, the last being its stage today; a lost deal says why."""

    created_at: datetime
    moves: tuple[tuple[str, datetime], ...]
    loss_reason: str | None = None


def demo_story(deal: DemoDeal, today: date) -> DemoStory:
    """The same story for the same deal and `today`. Its last change (its last move, or its creation for a deal
    still a prospect) is within the last 10 days for two thirds of the open deals, 11 to 60 days back for the
    others, any day of the last 300 for a won or lost one; a deal that moved was created up to 330 days before
    that, its moves spread over the time between; every time is before today."""
    rng = random.Random(deal.ref_externe)
    if deal.statut == LOST:
        path = [*OPEN_STAGES[1:rng.randint(1, len(OPEN_STAGES))], LOST]
    else:
        path = list(STAGE_NAMES[1:STAGE_NAMES.index(deal.statut) + 1])
    if deal.statut not in OPEN_STAGES:
        quiet = rng.randint(0, 300)  # won or lost any day of the last ten months
    else:
        quiet = rng.randint(0, 10) if rng.random() < 2 / 3 else rng.randint(11, 60)
    age = rng.randint(max(20, quiet + len(path)), 330 + quiet) if path else quiet
    midnight = start_of_paris_day(today)

    def days_ago(days: int) -> datetime:
        return midnight - timedelta(days=days, hours=rng.randint(1, 10))

    between = sorted(rng.sample(range(quiet + 1, age), len(path) - 1), reverse=True) if path else []
    times = [days_ago(day) for day in (*between, quiet)]
    return DemoStory(days_ago(age), tuple(zip(path, times, strict=False)),
                     rng.choice(LOSS_REASONS) if deal.statut == LOST else None)


def demo_deal_filter() -> ColumnElement[bool]:
    """The WHERE clause that selects the demo deals and nothing else."""
    return Deal.est_demo == true()


def has_demo_deals(connection: Connection) -> bool:
    """Whether any demo deal is still in the database (drives the demo badge)."""
    return bool(connection.scalar(select(exists().where(demo_deal_filter()))))
