"""The API's filter parameters (the page URL's) as the service's `DealFilter`."""

from __future__ import annotations

from collections.abc import Mapping

from domain.deal_filter import DealFilter
from domain.stages import STAGE_BY_SLUG


def selection(query: Mapping[str, object]) -> DealFilter:
    """The selection of checked query parameters (`schemas.SelectionQuery`); absent ones select everything."""
    return DealFilter.build(
        stages=[STAGE_BY_SLUG[slug] for slug in query.get("statut", ())],
        sectors=query.get("secteur"),
        assignees=query.get("commercial"),
        due_from=query.get("du"),
        due_to=query.get("au"),
        search=query.get("q"),
        missing=query.get("manque"),
    )


def sort_pairs(keys: list[str]) -> tuple[tuple[str, bool], ...]:
    """`["-montant_brut", "client"]` as the service's (column, descending) pairs."""
    return tuple((key.removeprefix("-"), key.startswith("-")) for key in keys)
