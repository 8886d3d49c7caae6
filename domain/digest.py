"""The daily digest's content, as values, and the French words of each of its lines.

Why apart from the sending: the digest is composed from the dashboard's own reads (`services.digest`) and
rendered as text and HTML (`domain.digest_render`); the values here are what both renderings share, so the
text part and the HTML part always list the same deals and changes in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain import formatting
from domain.deal_filter import NO_ASSIGNEE
from domain.pipeline_results import DeadlineRow
from domain.stages import LOST, WON

DUE_SOON, OVERDUE, COLD = "due_soon", "overdue", "cold"
# The history's fields as a sentence names them (the form's labels carry units and capitals: "Montant brut (€)").
FIELD_WORDS = {"statut": "étape", "montant_brut": "montant", "date_echeance": "échéance", "assignee": "commercial",
               "client": "client", "secteur": "secteur", "ref_externe": "référence externe",
               "motif_perte": "motif de perte"}


@dataclass(frozen=True)
class DealSection:
    """One list of deals: its title, the first rows (as the dashboard's grid orders them), how many there are in
    all, the link to the dashboard view that shows them, and a note on what the list leaves out."""

    kind: str
    title: str
    rows: tuple[DeadlineRow, ...]
    total: int
    link: str
    note: str = ""

    @property
    def more(self) -> int:
        """The deals of the section left out of the e-mail."""
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Change:
    """One row of a deal's history; `client` is None when the deal is gone (a deleted deal keeps its history)."""

    deal_id: int
    client: str | None
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class ChangeCounts:
    """The day's history rows by kind: new deals, deals won, lost, other stage moves, amount changes, the rest."""

    created: int = 0
    won: int = 0
    lost: int = 0
    moved: int = 0
    amounts: int = 0
    others: int = 0

    @property
    def total(self) -> int:
        """Every history row of the day."""
        return self.created + self.won + self.lost + self.moved + self.amounts + self.others


@dataclass(frozen=True)
class Digest:
    """Everything one digest says: the day it is for, its deal sections, yesterday's changes (the first ones,
    oldest first, and the counts of all) with the link to the dashboard."""

    today: date
    sections: tuple[DealSection, ...]
    changes: tuple[Change, ...]
    change_counts: ChangeCounts
    changes_link: str

    @property
    def yesterday(self) -> date:
        """The Paris calendar day whose changes the digest reports."""
        return self.today - timedelta(days=1)


def _plural(count: int, one: str, many: str) -> str:
    return f"{formatting.count(count)} {one if count <= 1 else many}"


def due_words(row: DeadlineRow) -> str:
    """`échéance 24/11/2026 (dans 3 j)`, `(demain)`, `(aujourd'hui)` or `(en retard de 3 j)`."""
    left = row.days_left
    if left is None:
        return "sans échéance"
    when = ("aujourd'hui" if left == 0 else "demain" if left == 1 else f"dans {left} j" if left > 0
            else f"en retard de {-left} j")
    return f"échéance {formatting.day(row.date_echeance)} ({when})"


def deal_line(kind: str, row: DeadlineRow) -> str:
    """One deal of a section: client, stage, amount, due date (or days without change), salesperson."""
    middle = f"sans changement depuis {row.cold_days} j" if kind == COLD and row.cold_days else due_words(row)
    return " — ".join((row.client, row.statut, formatting.deal_amount(row.montant_brut), middle,
                       row.assignee or NO_ASSIGNEE))


def change_words(change: Change) -> str:
    """What happened to the deal: `nouveau deal`, `gagné (était Négociation)`, `montant : 10 000,00 € → …`."""
    if change.action == "created":
        return "nouveau deal"
    if change.action == "deleted":
        return "supprimé"
    if change.action == "restored":
        return "restauré"
    if change.field == "statut" and change.new_value in (WON, LOST):
        return f"{'gagné' if change.new_value == WON else 'perdu'} (était {change.old_value})"
    label = FIELD_WORDS.get(change.field or "", change.field or "")
    return (f"{label} : {formatting.stored_value(change.field, change.old_value)} → "
            f"{formatting.stored_value(change.field, change.new_value)}")


def change_line(change: Change) -> str:
    """`Client : what happened`; a deal deleted since is named by its number."""
    return f"{change.client or f'Deal n° {change.deal_id}'} : {change_words(change)}"


def counts_sentence(counts: ChangeCounts) -> str:
    """`2 nouveaux deals, 1 gagné, 3 changements d'étape` (the kinds that happened), or `Aucun changement.`"""
    parts = [
        (counts.created, "nouveau deal", "nouveaux deals"), (counts.won, "deal gagné", "deals gagnés"),
        (counts.lost, "deal perdu", "deals perdus"), (counts.moved, "changement d'étape", "changements d'étape"),
        (counts.amounts, "montant modifié", "montants modifiés"), (counts.others, "autre changement",
                                                                   "autres changements"),
    ]
    said = [_plural(number, one, many) for number, one, many in parts if number]
    return f"{', '.join(said)}." if said else "Aucun changement."


def subject(digest: Digest) -> str:
    """The e-mail's subject: the day and the three counts a founder acts on."""
    counts = {section.kind: section.total for section in digest.sections}
    return (f"CRM — point du {formatting.day(digest.today)} : "
            f"{_plural(counts.get(DUE_SOON, 0), 'échéance', 'échéances')} sous 7 jours, "
            f"{formatting.count(counts.get(OVERDUE, 0))} en retard, "
            f"{_plural(counts.get(COLD, 0), 'deal froid', 'deals froids')}")
