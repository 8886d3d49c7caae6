"""The current view in words (filters, grid scope, sort), for the files that leave the app.

Why in words: an exported file travels to an investor or a partner without the page; its summary must say
which deals it holds ("Statut : Négociation ; Secteur : Banque") rather than a URL only the app can read.
"""

from __future__ import annotations

from domain.deal_filter import MISSING_LABELS, DealFilter
from domain.formatting import day
from domain.pipeline_results import DeadlineScope

NO_FILTER = "Aucun filtre : tous les deals"
SCOPE_WORDS: dict[DeadlineScope, str] = {
    DeadlineScope.ALL: "Tous les deals de la sélection",
    DeadlineScope.OVERDUE: "En retard (statut ouvert, échéance passée)",
    DeadlineScope.NEXT_7_DAYS: "Échéance dans les 7 prochains jours",
    DeadlineScope.NEXT_30_DAYS: "Échéance dans les 30 prochains jours",
    DeadlineScope.COLD: "Deals froids (ouverts, sans changement depuis plus de STALE_DAYS jours)",
}
SORT_WORDS: dict[str, str] = {
    "client": "Client", "statut": "Statut", "montant_brut": "Montant brut", "valeur_ponderee": "Valeur pondérée",
    "secteur": "Secteur", "assignee": "Commercial", "date_echeance": "Échéance", "days_left": "Jours restants",
}
DEFAULT_SORT = "Échéance croissante"


def filter_words(deal_filter: DealFilter) -> str:
    """`Statut : Négociation, Gagné ; Secteur : Banque ; Échéance : du 01/11/2026 au 31/12/2026`."""
    parts = [f"{label} : {', '.join(values)}" for label, values in (
        ("Statut", deal_filter.stages), ("Secteur", deal_filter.sectors), ("Commercial", deal_filter.assignees),
        ("Données à compléter", tuple(MISSING_LABELS[value] for value in deal_filter.missing))) if values]
    if deal_filter.due_from or deal_filter.due_to:
        start = f"du {day(deal_filter.due_from)} " if deal_filter.due_from else ""
        end = f"au {day(deal_filter.due_to)}" if deal_filter.due_to else ""
        parts.append(f"Échéance : {start}{end}".strip())
    if deal_filter.search:
        parts.append(f"Recherche : « {deal_filter.search} »")
    return " ; ".join(parts) or NO_FILTER


def sort_words(sort: tuple[tuple[str, bool], ...]) -> str:
    """`Montant brut décroissant, Client croissant`; the grid's own order when no column is sorted."""
    named = [f"{SORT_WORDS[column]} {'décroissant' if descending else 'croissant'}"
             for column, descending in sort if column in SORT_WORDS]
    return ", ".join(named) or DEFAULT_SORT
