"""The filter value: what the founder selected, normalised so equal selections are equal (and cache alike).

`DealFilter.build` accepts loose input (lists, None, ISO strings) from callbacks, URLs or scripts and
returns the one canonical value; `where()` turns it into a single SQLAlchemy clause with bound parameters,
so a sector named `'; DROP TABLE deals;--` is only ever compared as a string.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, true

from data.models import Deal
from data.stages import STAGE_NAMES

NO_SECTOR = "Non renseigné"
NO_ASSIGNEE = "Non attribué"


def _clean_set(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({value.strip() for value in values if value and value.strip()}))


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _matches_with_none(column: ColumnElement, values: tuple[str, ...], none_label: str) -> ColumnElement[bool]:
    """`column IN values`, where the label for "no value" selects the NULLs."""
    named = [value for value in values if value != none_label]
    clauses = [column.in_(named)] if named else []
    if none_label in values:
        clauses.append(column.is_(None))
    return or_(*clauses)


@dataclass(frozen=True)
class DealFilter:
    """A normalised, hashable selection of deals. Empty fields select everything."""

    stages: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    search: str = ""

    @classmethod
    def build(
        cls,
        stages: Iterable[str] | str | None = None,
        sectors: Iterable[str] | str | None = None,
        assignees: Iterable[str] | str | None = None,
        due_from: date | str | None = None,
        due_to: date | str | None = None,
        search: str | None = None,
    ) -> DealFilter:
        """Normalise loose input: sorted unique values, stages in funnel order, dates as dates, range ordered."""
        chosen_stages = set(_clean_set(stages))
        start, end = _as_date(due_from), _as_date(due_to)
        if start and end and start > end:
            start, end = end, start
        return cls(
            stages=tuple(stage for stage in STAGE_NAMES if stage in chosen_stages)
            + tuple(sorted(chosen_stages - set(STAGE_NAMES))),
            sectors=_clean_set(sectors),
            assignees=_clean_set(assignees),
            due_from=start,
            due_to=end,
            search=" ".join((search or "").split()),
        )

    def cache_key(self) -> str:
        """A short deterministic key: the same selection gives the same key in every process."""
        payload = json.dumps(asdict(self), default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def dimension_clause(
        self, statut: ColumnElement, secteur: ColumnElement, assignee: ColumnElement
    ) -> ColumnElement[bool]:
        """The stage / sector / salesperson part, on any table with those three columns (deals or rollup)."""
        clauses: list[ColumnElement[bool]] = []
        if self.stages:
            clauses.append(statut.in_(self.stages))
        if self.sectors:
            clauses.append(_matches_with_none(secteur, self.sectors, NO_SECTOR))
        if self.assignees:
            clauses.append(_matches_with_none(assignee, self.assignees, NO_ASSIGNEE))
        return and_(true(), *clauses)

    def where(self) -> ColumnElement[bool]:
        """The whole selection as one WHERE clause on `deals`."""
        clauses = [self.dimension_clause(Deal.statut, Deal.secteur, Deal.assignee)]
        if self.due_from:
            clauses.append(Deal.date_echeance >= self.due_from)
        if self.due_to:
            clauses.append(Deal.date_echeance <= self.due_to)
        if self.search:
            pattern = f"%{self.search}%"
            clauses.append(or_(Deal.client.ilike(pattern), Deal.notes.ilike(pattern)))
        return and_(*clauses)
