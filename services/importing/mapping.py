"""Which file column feeds which deal field: the automatic guess, the user's corrections, and the check
that every required field has a column.

Why separate from reading: the user corrects the mapping in the preview and sends it back; the same
function must then give the same answer for the same file and choices, with a French message when the
choice cannot work (a required field without a column, two columns on one field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.fields import FIELD_BY_KEY, FIELDS, RESULTAT, STATUT
from domain.import_results import DELIMITER_LABELS
from services.importing.synonyms import auto_mapping


@dataclass(frozen=True)
class ColumnMapping:
    """Header -> field (None: ignored), the position of each mapped field, and a French error if unusable."""

    columns: dict[str, str | None]
    positions: dict[str, int]
    error: str | None = None

    def header_of(self, field: str) -> str:
        """The file's name for the column mapped to `field` (for messages)."""
        return next(header for header, mapped in self.columns.items() if mapped == field)


def resolve_mapping(header: tuple[str, ...], overrides: Mapping[str, str | None] | None) -> ColumnMapping:
    """The automatic mapping with the user's choices applied on top; unknown headers in `overrides` are
    ignored so one saved mapping serves every export of the same CRM."""
    chosen = {name: (field or None) for name, field in (overrides or {}).items() if name in header}
    unknown = sorted({field for field in chosen.values() if field and field not in FIELD_BY_KEY})
    guessed = auto_mapping(tuple(name for name in header if name not in chosen), frozenset(chosen.values()) - {None})
    columns = {name: chosen[name] if name in chosen else guessed[name] for name in header}
    positions = {field: header.index(name) for name, field in columns.items() if field}
    return ColumnMapping(columns, positions, _error(header, columns, unknown))


def _error(header: tuple[str, ...], columns: dict[str, str | None], unknown: list[str]) -> str | None:
    if unknown:
        known = ", ".join(field.key for field in FIELDS)
        return f"Champ inconnu dans la correspondance : {', '.join(unknown)} (champs possibles : {known})."
    for field in FIELDS:
        names = [name for name, mapped in columns.items() if mapped == field.key]
        if len(names) > 1:
            listed = " et ".join(f"« {name} »" for name in names)
            return f"Les colonnes {listed} sont toutes associées au champ « {field.label} » : gardez-en une seule."
    mapped = set(columns.values())
    missing = [field.label for field in FIELDS
               if field.required and field.key not in mapped and not (field.key == STATUT and RESULTAT in mapped)]
    if not missing:
        return None
    if len(header) == 1:
        separators = ", ".join(DELIMITER_LABELS.values())
        return (f"Le fichier n'a qu'une colonne (« {header[0][:60]} ») : son séparateur n'a pas été reconnu "
                f"(attendu : {separators}).")
    plural = "s obligatoires introuvables" if len(missing) > 1 else " obligatoire introuvable"
    return (f"Colonne{plural} : {', '.join(missing)}. Associez une colonne du fichier à chacun de ces champs "
            f"(colonnes du fichier : {', '.join(header)}).")
