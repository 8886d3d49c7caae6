"""The filter value as SQL: one WHERE clause with bound parameters, on `deals` or on a summary table.

Bound parameters only, so a sector named `'; DROP TABLE deals;--` is only ever compared as a string.

The text search compares folded text (`domain.text_search.fold`: lower case, no accents) with `deals.recherche`,
which the database keeps folded the same way (client, notes and reference): `societe` finds « Société
Générale ». Each word must appear, in any order (apostrophes of any kind split a word: `domain.text_search.
search_words`); LIKE's wildcards in a word (`%`, `_`, and the escape
character) are escaped, so `50%` means the three characters. On PostgreSQL a pg_trgm GIN index serves the
`LIKE '%word%'`; SQLite scans the stored column.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from data.models import Deal
from domain.deal_filter import (
    MISSING_AMOUNT,
    MISSING_ASSIGNEE,
    MISSING_DUE_DATE,
    MISSING_SECTOR,
    NO_ASSIGNEE,
    NO_SECTOR,
    DealFilter,
)
from domain.text_search import search_words


def _matches_with_none(column: ColumnElement, values: tuple[str, ...], none_label: str) -> ColumnElement[bool]:
    """`column IN values`, where the label for "no value" selects the NULLs."""
    named = [value for value in values if value != none_label]
    clauses = [column.in_(named)] if named else []
    if none_label in values:
        clauses.append(column.is_(None))
    return or_(*clauses)


def search_clause(search: str) -> ColumnElement[bool]:
    """Every word of `search` (already trimmed by `DealFilter.build`) somewhere in the deal's searched text."""
    return and_(true(), *(Deal.recherche.contains(word, autoescape=True) for word in search_words(search)))


def dimension_clause(
    deal_filter: DealFilter, statut: ColumnElement, secteur: ColumnElement, assignee: ColumnElement
) -> ColumnElement[bool]:
    """The stage / sector / salesperson part (with "no sector" / "no salesperson" of the data-health filter), on
    any table with those three columns (deals or a summary)."""
    clauses: list[ColumnElement[bool]] = []
    if deal_filter.stages:
        clauses.append(statut.in_(deal_filter.stages))
    if deal_filter.sectors:
        clauses.append(_matches_with_none(secteur, deal_filter.sectors, NO_SECTOR))
    if deal_filter.assignees:
        clauses.append(_matches_with_none(assignee, deal_filter.assignees, NO_ASSIGNEE))
    if MISSING_SECTOR in deal_filter.missing:
        clauses.append(secteur.is_(None))
    if MISSING_ASSIGNEE in deal_filter.missing:
        clauses.append(assignee.is_(None))
    return and_(true(), *clauses)


def deal_clause(deal_filter: DealFilter) -> ColumnElement[bool]:
    """The whole selection as one WHERE clause on `deals` (the overdue filter is resolved against today before,
    by `services.queries.resolved`)."""
    clauses = [dimension_clause(deal_filter, Deal.statut, Deal.secteur, Deal.assignee)]
    if MISSING_AMOUNT in deal_filter.missing:
        clauses.append(Deal.montant_brut.is_(None))
    if MISSING_DUE_DATE in deal_filter.missing:
        clauses.append(Deal.date_echeance.is_(None))
    if deal_filter.due_from:
        clauses.append(Deal.date_echeance >= deal_filter.due_from)
    if deal_filter.due_to:
        clauses.append(Deal.date_echeance <= deal_filter.due_to)
    if deal_filter.search:
        clauses.append(search_clause(deal_filter.search))
    return and_(*clauses)
