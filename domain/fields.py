"""The deal fields, with their French labels and limits: the one table of field rules.

Why a table: the model's column sizes, the import's mapping dropdowns, its validation limits and its
staging table (and next the deal form and the API) all read the same list, so a field added or resized
here is offered, checked and written everywhere at once. The migrations keep their own literal sizes (a
migration is a snapshot); `tests/test_schema.py` checks the migrated database against this table, so a
row that passes validation never fails in the database halfway through a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Field:
    """One assignable field. `max_length` is in characters (`None`: unlimited or not text)."""

    key: str
    label: str
    required: bool = False
    max_length: int | None = None


CLIENT, STATUT, MONTANT = "client", "statut", "montant_brut"
SECTEUR, ECHEANCE, ASSIGNEE, NOTES, REF = "secteur", "date_echeance", "assignee", "notes", "ref_externe"
# Pipedrive's "Deal - Status" (open / won / lost): not a column of its own, it overrides the stage.
RESULTAT = "resultat"

FIELDS: tuple[Field, ...] = (
    Field(CLIENT, "Client", required=True, max_length=255),
    Field(STATUT, "Statut", required=True, max_length=50),
    Field(MONTANT, "Montant brut (€)"),  # empty: "à estimer" (NULL); 0 is an amount
    Field(SECTEUR, "Secteur", max_length=100),
    Field(ECHEANCE, "Date d'échéance"),
    Field(ASSIGNEE, "Commercial", max_length=100),
    Field(NOTES, "Notes", max_length=1_000_000),  # a long meeting log is data (about 500 pages); a 400 MB cell is not
    Field(REF, "Référence externe", max_length=255),
    Field(RESULTAT, "Résultat (gagné / perdu)"),
)
FIELD_BY_KEY: dict[str, Field] = {field.key: field for field in FIELDS}

# Amounts are numeric(AMOUNT_DIGITS, AMOUNT_SCALE): up to 9 999 999 999,99 €, to the cent.
AMOUNT_DIGITS, AMOUNT_SCALE = 12, 2

# The `deals` columns an import writes, in staging-table order. Never `probabilite` or `valeur_ponderee`:
# the database derives them from the stage.
DEAL_COLUMNS: tuple[str, ...] = (CLIENT, STATUT, MONTANT, SECTEUR, ECHEANCE, ASSIGNEE, NOTES, REF)

class DealRow(NamedTuple):
    """One checked row of a file, in staging-table order (`row[1:]` is the `DEAL_COLUMNS` values); amounts and
    dates as exact text. A named tuple: a million of them stream through one at a time, read by name."""

    line: int
    client: str
    statut: str
    montant_brut: str | None
    secteur: str | None
    date_echeance: str | None
    assignee: str | None
    notes: str | None
    ref_externe: str | None
