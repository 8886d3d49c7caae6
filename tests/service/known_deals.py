"""A fixed set of deals with every awkward case, and an independent, plain-Python model of every figure.

The expected figures are computed here from the rows the test inserts, by straightforward Python over
Decimals: a second implementation that shares nothing with the SQL under test. Some deals have no amount
("à estimer", None) and some are at 0 €: counts and rates take them all, sums and averages only the valued.
The text search is modelled with `unicodedata` (decompose, drop the combining marks, lower), not with
`domain.text_search`, over client, notes and external reference.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Engine

from data.models import Deal
from domain.deal_filter import DealFilter
from domain.stages import OPEN_STAGES, PROBABILITY, STAGE_NAMES

TODAY = date(2026, 11, 21)
CENT = Decimal("0.01")
SECTORS = ("Logiciel", "Santé", "Industrie", "Banque", "'; DROP TABLE deals;--", None)
ASSIGNEES = ("Camille Martin", "Hugo Bernard", "Léa Dubois", None)
# Due dates on the first and last days of months, where whole-month and partial-month sums meet.
MONTH_EDGES = tuple(date.fromisoformat(day) for day in (
    "2026-09-30", "2026-10-01", "2026-10-15", "2026-10-31", "2026-11-01", "2026-11-20", "2026-11-21",
    "2026-11-30", "2026-12-01", "2026-12-21", "2026-12-22", "2026-12-31", "2027-01-01", "2027-01-10"))


@dataclass(frozen=True)
class KnownDeal:
    id: int
    client: str
    statut: str
    montant_brut: Decimal | None
    secteur: str | None
    date_echeance: date | None
    assignee: str | None
    notes: str | None
    ref_externe: str | None = None

    @property
    def weighted(self) -> Decimal | None:
        if self.montant_brut is None:
            return None
        return (self.montant_brut * PROBABILITY[self.statut]).quantize(CENT, rounding=ROUND_HALF_UP)


def _amount(number: int, rng: random.Random) -> Decimal | None:
    """Every 7th deal has no amount yet, every 11th is at 0 € (a lost deal, a free pilot)."""
    cents = rng.randint(30_000, 9_000_000)
    if number % 7 == 0:
        return None
    return Decimal(0) if number % 11 == 0 else Decimal(cents) / 100


def make_known_deals(count: int = 90, seed: int = 7) -> list[KnownDeal]:
    """Deals over every stage, with and without sector / salesperson / due date, around month edges."""
    rng = random.Random(seed)
    deals = []
    for number in range(1, count + 1):
        due = None if number % 9 == 0 else TODAY + timedelta(days=rng.randint(-75, 110))
        deals.append(KnownDeal(
            id=number,
            client=f"{rng.choice(['Alpha', 'Béta', 'Gamma', 'Delta'])} {number}",
            statut=STAGE_NAMES[number % len(STAGE_NAMES)],
            montant_brut=_amount(number, rng),
            secteur=rng.choice(SECTORS),
            date_echeance=due,
            assignee=rng.choice(ASSIGNEES),
            notes=rng.choice([None, "rappeler lundi", "Budget validé"]),
        ))
    deals.append(KnownDeal(count + 1, "Unique SA", "Négociation", Decimal("4321.99"), "Secteur unique",
                           TODAY + timedelta(days=3), "Nina Solo", None))
    for offset, edge in enumerate(MONTH_EDGES, start=count + 2):
        deals.append(KnownDeal(offset, f"Bord {edge}", STAGE_NAMES[offset % 3], Decimal("1000.10") * offset,
                               "Logiciel", edge, "Hugo Bernard", None))
    first = count + 2 + len(MONTH_EDGES)
    for offset, (client, statut, amount, secteur, days, assignee, notes, ref) in enumerate(TEXT_DEALS, start=first):
        due = None if days is None else TODAY + timedelta(days=days)
        deals.append(KnownDeal(offset, client, statut, amount, secteur, due, assignee, notes, ref))
    return deals


# Deals for the text search: accents and case in every field, LIKE's wildcards and escape character as text,
# and look-alikes that an unescaped pattern would wrongly match (`500` for `50%`, `ECO-42` for `eco_4`).
TEXT_DEALS: tuple[tuple[str, str, Decimal | None, str | None, int | None, str | None, str | None, str | None],
                  ...] = (
    ("Société Générale", "Négociation", Decimal("48000.00"), "Banque", 12, "Camille Martin", None, "SG-2026-001"),
    ("SOCIÉTÉ des Eaux", "Prospect", None, None, None, None, "Remise de 50% sur la 1re année", None),
    ("Cabinet Dupont", "Qualifié", Decimal("7300.50"), "Santé", -4, "Léa Dubois", "Partenariat ÉCOLE d'ingénieurs",
     "ECO_42"),
    ("Garage Lefèvre", "Gagné", Decimal("500.00"), "Industrie", 30, None, "Volume 500 licences", "ECO-42"),
    ("Œuvres Sociales du Nord", "Perdu", Decimal("0"), "Santé", -20, "Hugo Bernard",
     "dossier 2026/11, voir \\partage", "OSN-7"),
    ("Générale d'Électricité", "Prospect", Decimal("15999.99"), "Industrie", 60, "Camille Martin",
     "société mère à Lyon", None),
)


def insert_deals(engine: Engine, deals: list[KnownDeal]) -> None:
    """Insert through SQLAlchemy Core in one transaction (ids as given, so expectations can name them)."""
    rows = [{key: getattr(deal, key) for key in ("id", "client", "statut", "montant_brut", "secteur",
                                                   "date_echeance", "assignee", "notes", "ref_externe")}
            for deal in deals]
    with engine.begin() as connection:
        connection.execute(Deal.__table__.insert(), rows)


@dataclass(frozen=True)
class Selection:
    """The expected meaning of a filter, written independently of DealFilter.where()."""

    stages: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    search: str = ""  # every word, folded, somewhere in client, notes or reference
    missing: tuple[str, ...] = ()  # "montant", "echeance", "secteur", "commercial", "retard"

    def lacks(self, deal: KnownDeal) -> bool:
        """True when the deal has every gap the data-health filter asks for."""
        gaps = {"montant": deal.montant_brut is None, "echeance": deal.date_echeance is None,
                "secteur": deal.secteur is None, "commercial": deal.assignee is None,
                "retard": is_open(deal) and deal.date_echeance is not None and deal.date_echeance < TODAY}
        return all(gaps[name] for name in self.missing)

    def matches(self, deal: KnownDeal) -> bool:
        sector = deal.secteur or "Non renseigné"
        assignee = deal.assignee or "Non attribué"
        if self.stages and deal.statut not in self.stages:
            return False
        if self.sectors and sector not in self.sectors:
            return False
        if self.assignees and assignee not in self.assignees:
            return False
        if (self.due_from or self.due_to) and deal.date_echeance is None:
            return False
        if self.due_from and deal.date_echeance < self.due_from:
            return False
        if self.due_to and deal.date_echeance > self.due_to:
            return False
        text = plain(f"{deal.client} {deal.notes or ''} {deal.ref_externe or ''}")
        return all(word in text for word in plain(self.search).split()) and self.lacks(deal)


# The letters French writes that decomposition leaves whole.
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}


def plain(text: str) -> str:
    """Lower case without accents, by Unicode decomposition: `plain("Œuvre ÉCOLE")` is `"oeuvre ecole"`."""
    decomposed = unicodedata.normalize("NFKD", text)
    lowered = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return "".join(LIGATURES.get(char, char) for char in lowered)


def valued(deals: list[KnownDeal]) -> list[KnownDeal]:
    """The deals that have an amount (0 € included)."""
    return [deal for deal in deals if deal.montant_brut is not None]


def expected_kpis(deals: list[KnownDeal]) -> dict:
    count = len(deals)
    with_amount = valued(deals)
    won = sum(deal.statut == "Gagné" for deal in deals)
    lost = sum(deal.statut == "Perdu" for deal in deals)
    return {
        "deal_count": count,
        "weighted_pipeline": sum(deal.weighted for deal in with_amount) if with_amount else None,
        "average_deal": ((sum(deal.montant_brut for deal in with_amount) / len(with_amount)).quantize(
            CENT, rounding=ROUND_HALF_UP) if with_amount else None),
        "conversion_rate": round(Decimal(won) / count, 6) if count else None,
        "win_rate": round(Decimal(won) / (won + lost), 6) if won + lost else None,
        "count_per_stage": {stage: sum(deal.statut == stage for deal in deals) for stage in STAGE_NAMES},
        "without_amount": count - len(with_amount),
    }


def expected_sectors(deals: list[KnownDeal]) -> tuple[list[tuple[str, Decimal, int, int]], list[str]]:
    """(sector, total of the amounts, deal count, valued deal count) largest total first, and the top 5 sectors
    by average over the valued deals (a sector without any amount has no average and is not ranked)."""
    totals: dict[str, list] = {}
    for deal in deals:
        entry = totals.setdefault(deal.secteur or "Non renseigné", [Decimal(0), 0, 0])
        entry[1] += 1
        if deal.montant_brut is not None:
            entry[0] += deal.montant_brut
            entry[2] += 1
    by_total = sorted(((name, total, n, n_valued) for name, (total, n, n_valued) in totals.items()),
                      key=lambda t: (-t[1], t[0]))
    ranked = [name for name in totals if totals[name][2]]
    by_average = sorted(ranked, key=lambda name: (-(totals[name][0] / totals[name][2]).quantize(
        CENT, rounding=ROUND_HALF_UP), name))
    return by_total, by_average[:5]


def expected_health(deals: list[KnownDeal]) -> dict[str, int]:
    """What the data-health card counts for these deals."""
    return {
        "without_amount": sum(deal.montant_brut is None for deal in deals),
        "without_due_date": sum(deal.date_echeance is None for deal in deals),
        "without_sector": sum(deal.secteur is None for deal in deals),
        "without_assignee": sum(deal.assignee is None for deal in deals),
        "overdue": sum(Selection(missing=("retard",)).lacks(deal) for deal in deals),
    }


def is_open(deal: KnownDeal) -> bool:
    return deal.statut in OPEN_STAGES


def expected_deadline_ids(deals: list[KnownDeal], scope: str, without_due_date: bool = False) -> list[int]:
    """The grid's rows: deals with a due date, soonest first; or, when the selection asks for the deals without
    one, those (by id)."""
    if scope == "cold":  # the history of these deals is written now, after the fixed TODAY: none is cold
        return []
    if without_due_date:
        return [deal.id for deal in deals if deal.date_echeance is None and scope == "all"]
    dated = [deal for deal in deals if deal.date_echeance is not None]
    if scope == "overdue":
        dated = [deal for deal in dated if is_open(deal) and deal.date_echeance < TODAY]
    elif scope in ("next7", "next30"):
        horizon = timedelta(7 if scope == "next7" else 30)
        dated = [deal for deal in dated if is_open(deal) and TODAY <= deal.date_echeance <= TODAY + horizon]
    return [deal.id for deal in sorted(dated, key=lambda deal: (deal.date_echeance, deal.id))]


def as_filter(selection: Selection) -> DealFilter:
    """The dashboard's filter value for a selection of the independent model."""
    return DealFilter.build(stages=selection.stages, sectors=selection.sectors, assignees=selection.assignees,
                            due_from=selection.due_from, due_to=selection.due_to, search=selection.search,
                            missing=selection.missing)
