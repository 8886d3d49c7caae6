"""The browser tests' known deals, and every figure the page should show for them, in plain Python.

Nothing here calls the service, the queries or domain.formatting: the expectations are a second,
independent implementation (sums over the rows, French formats written out by hand) to compare the page to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Engine, insert

from data.models import Deal

TODAY = date(2026, 11, 21)
STAGES = ("Prospect", "Qualifié", "Négociation", "Gagné", "Perdu")
OPEN = ("Prospect", "Qualifié", "Négociation")
PROBABILITY = {"Prospect": Decimal("0.10"), "Qualifié": Decimal("0.30"), "Négociation": Decimal("0.70"),
               "Gagné": Decimal("1.00"), "Perdu": Decimal("0.00")}
SECTORS = ("Banque", "Industrie", "Logiciel", "Santé", None)
ASSIGNEES = ("Camille Martin", "Hugo Bernard", "Léa Dubois", None)
NO_SECTOR, NO_ASSIGNEE = "Non renseigné", "Non attribué"
NNBSP, NBSP = "\u202f", "\u00a0"


@dataclass(frozen=True)
class Row:
    """One inserted deal."""

    id: int
    client: str
    statut: str
    montant_brut: Decimal | None  # None: "à estimer"
    secteur: str | None
    assignee: str | None
    date_echeance: date | None
    ref_externe: str | None = None
    est_demo: bool = False

    @property
    def weighted(self) -> Decimal:
        """The weighted value; 0 for a deal without an amount, which adds nothing to any sum."""
        if self.montant_brut is None:
            return Decimal(0)
        return (self.montant_brut * PROBABILITY[self.statut]).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def sector_label(self) -> str:
        return self.secteur or NO_SECTOR

    @property
    def overdue(self) -> bool:
        return self.statut in OPEN and self.date_echeance is not None and self.date_echeance < TODAY

    @property
    def next_30_days(self) -> bool:
        return self.due_within(30)

    def due_within(self, days: int) -> bool:
        """Open and due from today to today + `days`."""
        due = self.date_echeance
        return self.statut in OPEN and due is not None and TODAY <= due <= TODAY + timedelta(days=days)


def known_deals() -> list[Row]:
    """34 deals over every stage, four sectors and no sector, three salespeople and none, dated or not."""
    return [
        Row(
            id=n,
            client=f"Client {n:02d}",
            statut=STAGES[n % 5],
            montant_brut=Decimal(1500 * n + 250) + Decimal(n) / 100,
            secteur=SECTORS[(n // 2) % 5],
            assignee=ASSIGNEES[n % 4],
            date_echeance=None if n % 7 == 0 else TODAY + timedelta(days=(n * 11) % 120 - 45),
        )
        for n in range(1, 35)
    ]


def insert_deals(engine: Engine, rows: Iterable[Row]) -> None:
    """Write the rows as any client would; the database sets probability and weighted value itself."""
    values = [{"id": row.id, "client": row.client, "statut": row.statut, "montant_brut": row.montant_brut,
               "secteur": row.secteur, "assignee": row.assignee, "date_echeance": row.date_echeance,
               "ref_externe": row.ref_externe, "est_demo": row.est_demo} for row in rows]
    if values:
        with engine.begin() as connection:
            connection.execute(insert(Deal), values)


def where(rows: Iterable[Row], keep: Callable[[Row], bool]) -> list[Row]:
    """The rows a filter keeps."""
    return [row for row in rows if keep(row)]


def french_euros(amount: Decimal, cents: bool = False) -> str:
    """`1 234 567 €` (narrow no-break space between thousands, no-break space before €)."""
    rounded = amount.quantize(Decimal("0.01") if cents else Decimal(1), ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):,}".partition(".")
    text = whole.replace(",", NNBSP) + (f",{fraction}" if cents else "")
    return f"{'-' if rounded < 0 else ''}{text}{NBSP}€"


def french_percent(part: int, whole: int) -> str:
    """`42,5 %`, or "—" when the ratio has no meaning."""
    if whole == 0:
        return "—"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value}".replace(".", ",") + f"{NBSP}%"


def french_count(value: int) -> str:
    """`1 234`."""
    return f"{value:,}".replace(",", NNBSP)


def expected_kpis(rows: list[Row]) -> dict[str, str]:
    """Every KPI element's text for a selection, by ID: counts and rates over every deal, the pipeline and the
    average deal over those that have an amount, and the note of how many they leave out."""
    won = sum(row.statut == "Gagné" for row in rows)
    lost = sum(row.statut == "Perdu" for row in rows)
    valued = [row.montant_brut for row in rows if row.montant_brut is not None]
    unvalued = len(rows) - len(valued)
    note = f"hors {french_count(unvalued)} deal{'s' if unvalued > 1 else ''} sans montant" if unvalued else ""
    texts = {
        "kpi-deal-count": french_count(len(rows)),
        "kpi-weighted-pipeline": french_euros(sum(row.weighted for row in rows)) if valued else "—",
        # The average deal is kept to the cent (as the API gives it), then shown to the euro, both half up.
        "kpi-average-deal": french_euros((sum(valued) / len(valued)).quantize(Decimal("0.01"), ROUND_HALF_UP))
        if valued else "—",
        "kpi-conversion-rate": french_percent(won, len(rows)),
        "kpi-win-rate": french_percent(won, won + lost),
        "kpi-weighted-pipeline-note": note,
        "kpi-average-deal-note": note,
    }
    slugs = {"Prospect": "prospect", "Qualifié": "qualifie", "Négociation": "negociation", "Gagné": "gagne",
             "Perdu": "perdu"}
    for stage, slug in slugs.items():
        texts[f"kpi-count-{slug}"] = french_count(sum(row.statut == stage for row in rows))
    return texts


def sector_totals(rows: list[Row]) -> list[tuple[str, Decimal]]:
    """(sector, total gross) largest first, ties by name."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.sector_label] = totals.get(row.sector_label, Decimal(0)) + (row.montant_brut or Decimal(0))
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def funnel_values(rows: list[Row]) -> dict[str, Decimal]:
    """Weighted value per funnel stage (open stages and Gagné)."""
    return {stage: sum((row.weighted for row in rows if row.statut == stage), Decimal(0))
            for stage in (*OPEN, "Gagné")}


def deadline_rows(rows: list[Row], scope: str = "all") -> list[Row]:
    """The grid's rows for a scope, soonest first (ties by id)."""
    dated = [row for row in rows if row.date_echeance is not None]
    if scope == "overdue":
        dated = [row for row in dated if row.overdue]
    if scope == "next7":
        dated = [row for row in dated if row.due_within(7)]
    if scope == "next30":
        dated = [row for row in dated if row.next_30_days]
    return sorted(dated, key=lambda row: (row.date_echeance, row.id))


def option_label(value: str, rows: list[Row], attribute: Callable[[Row], str]) -> str:
    """A dropdown option's text, "value (count)", counted over all deals."""
    return f"{value} ({french_count(sum(attribute(row) == value for row in rows))})"
