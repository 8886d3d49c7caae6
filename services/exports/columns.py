"""The exported columns: one table for the CSV and the workbook, headers our own import maps back.

Why the import's labels: the headers of the importable fields are `domain.fields` labels, which the import's
synonym table recognises, so an exported file re-imports with every field in place. The derived columns
(probability, weighted value, reason for a loss) carry headers the import ignores: the database derives the
first two from the stage, and the loss reason is not an importable field yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.fields import ASSIGNEE, CLIENT, ECHEANCE, FIELD_BY_KEY, MONTANT, NOTES, REF, SECTEUR, STATUT


class Kind(Enum):
    """How a column's values are written: text (neutralised), euros, a ratio shown as a percentage, a date."""

    TEXT = "text"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    """One exported column: its header, the `deals` column it reads, how it is written, its width in Excel."""

    header: str
    source: str
    kind: Kind
    width: int


def _field(key: str, kind: Kind, width: int) -> Column:
    return Column(FIELD_BY_KEY[key].label, key, kind, width)


COLUMNS: tuple[Column, ...] = (
    _field(CLIENT, Kind.TEXT, 32),
    _field(STATUT, Kind.TEXT, 13),
    _field(MONTANT, Kind.MONEY, 17),
    Column("Probabilité", "probabilite", Kind.PERCENT, 12),
    Column("Valeur pondérée (€)", "valeur_ponderee", Kind.MONEY, 19),
    _field(SECTEUR, Kind.TEXT, 22),
    _field(ASSIGNEE, Kind.TEXT, 20),
    _field(ECHEANCE, Kind.DATE, 15),
    _field(REF, Kind.TEXT, 20),
    Column("Motif de perte", "motif_perte", Kind.TEXT, 18),
    _field(NOTES, Kind.TEXT, 50),
)
