"""A deal typed by a person (the form, a grid cell, next the API) checked with the import's own rules.

Why the import's `RowChecker`: one validation module serves both, so a value the form refuses is refused by
an import with the same French reason, and a value one accepts the other stores the same way. The typed
values are read as a one-row file whose columns are the deal fields, under French conventions (decimal
comma, day before month); the date picker's ISO dates read as they are. Unlike a file, the form only
offers our five stages, so a stage that is not one of them (a forged request) is refused, never mapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from domain.deal_record import LOSS_REASON_MAX, DealValues, typed_amount
from domain.errors import DealInputError
from domain.fields import CLIENT, DEAL_COLUMNS, STATUT
from domain.stages import LOST, STAGE_NAMES
from services.importing.mapping import ColumnMapping
from services.importing.validation import RowChecker
from services.importing.values import AmountParser, Conventions, DateParser, StageResolver

MOTIF_PERTE = "motif_perte"
NUL = "\x00"  # no text column of PostgreSQL can hold it; a file holding one is refused as binary
_FRENCH = Conventions()  # decimal comma, day before month: how a French founder types


def _checker() -> RowChecker:
    mapping = ColumnMapping(columns={key: key for key in DEAL_COLUMNS},
                            positions={key: index for index, key in enumerate(DEAL_COLUMNS)})
    return RowChecker(mapping, len(DEAL_COLUMNS), AmountParser(_FRENCH), DateParser(_FRENCH, excel_serials=False),
                      StageResolver(None), typed_cells=False)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def check_deal_input(typed: Mapping[str, object]) -> DealValues:
    """The typed fields (`DEAL_COLUMNS` keys and `motif_perte`; missing keys are empty) as typed values, or
    `DealInputError` naming every field that breaks a rule, with the import's French reason."""
    problems: dict[str, str] = {key: "caractère nul interdit" for key in (*DEAL_COLUMNS, MOTIF_PERTE)
                                if NUL in _text(typed.get(key))}
    stage = _text(typed.get(STATUT)).strip()
    if stage and stage not in STAGE_NAMES:
        problems[STATUT] = f"statut inconnu « {stage[:50]} » : choisissez une des étapes proposées"
    cells = [_text(typed.get(key)) for key in DEAL_COLUMNS]
    row, found = _checker().check(1, cells)
    for column, reason in found:  # the one-row file's column names are the field keys
        problems.setdefault(column or CLIENT, reason)
    motif = _text(typed.get(MOTIF_PERTE)).strip()
    if len(motif) > LOSS_REASON_MAX:
        problems[MOTIF_PERTE] = f"motif de perte trop long ({len(motif)} caractères, {LOSS_REASON_MAX} au plus)"
    if problems or row is None:
        raise DealInputError(problems or {CLIENT: "deal illisible"})
    return DealValues(
        client=row.client, statut=row.statut,
        montant_brut=None if row.montant_brut is None else Decimal(row.montant_brut),
        secteur=row.secteur, date_echeance=None if row.date_echeance is None else date.fromisoformat(row.date_echeance),
        assignee=row.assignee, notes=row.notes, ref_externe=row.ref_externe,
        motif_perte=(motif or None) if row.statut == LOST else None,
    )


def typed_values(values: DealValues) -> dict[str, str]:
    """A stored deal's values as a person would type them, so one changed field can be checked with the rest:
    amounts with a decimal comma, dates in ISO (both read back as they were)."""
    return {
        "client": values.client, "statut": values.statut,
        "montant_brut": typed_amount(values.montant_brut),
        "secteur": values.secteur or "",
        "date_echeance": values.date_echeance.isoformat() if values.date_echeance else "",
        "assignee": values.assignee or "", "notes": values.notes or "", "ref_externe": values.ref_externe or "",
        MOTIF_PERTE: values.motif_perte or "",
    }
