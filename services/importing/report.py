"""The French words of an import: the outcome message and the full text report the command line prints.

Why one place: the dashboard's result line and the command line's last line are the same sentence, so a
founder reading either learns the same thing.
"""

from __future__ import annotations

from domain.fields import FIELD_BY_KEY
from domain.import_results import ImportPreview, plural


def outcome_message(preview: ImportPreview, written: bool) -> str:
    """What happened (or, for a dry run, what would happen), in one sentence; the error if nothing could."""
    if preview.error:
        return preview.error
    name = f"« {preview.file_name} »"
    present = plural(preview.duplicates, "ligne déjà présente", "lignes déjà présentes")
    rejected = plural(preview.rejected, "ligne rejetée", "lignes rejetées")
    if preview.created + preview.updated == 0:
        if not preview.rejected:
            return f"Rien de nouveau dans {name} : {present}, aucun deal créé ni modifié."
        return f"Aucun deal importé depuis {name} : {rejected}, {present} (voir le détail des rejets)."
    if written:
        parts = [plural(preview.created, "deal créé", "deals créés"),
                 plural(preview.updated, "deal mis à jour", "deals mis à jour")]
        opening = f"Import de {name} terminé"
    else:
        parts = [plural(preview.created, "deal à créer", "deals à créer"),
                 plural(preview.updated, "deal à mettre à jour", "deals à mettre à jour")]
        opening = f"Simulation de {name}, rien n'a été écrit"
    parts += [present] if preview.duplicates else []
    parts += [rejected] if preview.rejected else []
    return f"{opening} : {', '.join(parts)}."


def text_report(preview: ImportPreview, written: bool) -> list[str]:
    """The preview as lines of text: format, mapping, notes, unknown stages, rejected rows, outcome."""
    if preview.error and not preview.columns:
        return [preview.error]
    lines = [f"Fichier : {preview.file_name} ({preview.file_format})", "Colonnes :"]
    for header, field in preview.columns.items():
        lines.append(f"  {header} -> {FIELD_BY_KEY[field].label if field else '(ignorée)'}")
    lines += [f"Remarque : {note}" for note in preview.notes]
    if preview.error:
        return [*lines, preview.error]
    if preview.unknown_stages:
        lines.append("Statuts non reconnus (associez-les avec --mapping '{\"stages\": {...}}') :")
        for value, suggestion in preview.unknown_stages.items():
            lines.append(f"  « {value} »" + (f" (suggestion : {suggestion})" if suggestion else ""))
    lines.append(preview.summary)
    if preview.rejected:
        shown = preview.first_rejected
        lines.append(f"Lignes rejetées ({len(shown)} premières sur {preview.rejected}) :"
                     if preview.rejected > len(shown) else "Lignes rejetées :")
        lines += [f"  ligne {row.line}" + (f", {row.column}" if row.column else "") + f" : {row.reason}"
                  for row in shown]
    lines.append(outcome_message(preview, written))
    return lines
