"""The deal fields a file column can be mapped to, with their French labels and limits.

Why a table: the mapping dropdowns, the validation limits and the staging table all read the same list,
so a field added here is offered, checked and written everywhere at once. Limits mirror the `deals`
columns so a row that passes validation never fails in the database halfway through a file.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    Field(STATUT, "Statut", required=True),
    Field(MONTANT, "Montant brut (€)", required=True),
    Field(SECTEUR, "Secteur", max_length=100),
    Field(ECHEANCE, "Date d'échéance"),
    Field(ASSIGNEE, "Commercial", max_length=100),
    Field(NOTES, "Notes"),
    Field(REF, "Référence externe", max_length=255),
    Field(RESULTAT, "Résultat (gagné / perdu)"),
)
FIELD_BY_KEY: dict[str, Field] = {field.key: field for field in FIELDS}

# The `deals` columns an import writes, in staging-table order. Never `probabilite` or `valeur_ponderee`:
# the database derives them from the stage.
DEAL_COLUMNS: tuple[str, ...] = (CLIENT, STATUT, MONTANT, SECTEUR, ECHEANCE, ASSIGNEE, NOTES, REF)

# (line, client, statut, montant_brut, secteur, date_echeance, assignee, notes, ref_externe): one checked
# row in staging-table order, amounts and dates as exact text. A plain tuple: a million of them stream
# through one at a time.
DealRow = tuple[int, str, str, str, str | None, str | None, str | None, str | None, str | None]
