"""The filter value: what the founder selected, normalised so equal selections are equal (and cache alike).

`DealFilter.build` accepts loose input (lists, None, ISO strings) from callbacks, URLs or scripts and
returns the one canonical value. It holds no SQL: `services.filter_clauses` turns it into a WHERE clause,
so the page, the command line and the API share one meaning of a selection without importing SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from domain.stages import STAGE_NAMES

NO_SECTOR = "Non renseigné"
NO_ASSIGNEE = "Non attribué"

# The data-health filter (`manque=` in the URL): deals lacking a value, or open deals past their due date.
MISSING_AMOUNT, MISSING_DUE_DATE, MISSING_SECTOR, MISSING_ASSIGNEE, OVERDUE = (
    "montant", "echeance", "secteur", "commercial", "retard")
MISSING_LABELS: dict[str, str] = {
    MISSING_AMOUNT: "Sans montant",
    MISSING_DUE_DATE: "Sans échéance",
    MISSING_SECTOR: "Sans secteur",
    MISSING_ASSIGNEE: "Sans commercial",
    OVERDUE: "En retard",
}
# The text search (`q=` in the URL) keeps at most this many characters: enough for a client, a phrase of the
# notes or a reference, and a bound on the words a hand-edited URL can make the database look for.
SEARCH_MAX_LENGTH = 100
# No stored text holds it (PostgreSQL refuses it), so a selection drops it rather than failing on it.
NUL = "\x00"
# No stage has this name: the filter of a selection that can hold no deal (overdue among closed stages).
NO_STAGE = ""


def _clean_set(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    cleaned = (value.replace(NUL, "").strip() for value in values if value)
    return tuple(sorted({value for value in cleaned if value}))


def clean_search(text: str | None) -> str:
    """The search as the filter holds it: trimmed, runs of spaces collapsed to one, at most `SEARCH_MAX_LENGTH`
    characters (assets/url_state.js spells it the same way in the URL). Case and accents are kept: the
    database compares it folded (`services.filter_clauses`)."""
    return " ".join((text or "").replace(NUL, "").split())[:SEARCH_MAX_LENGTH].rstrip()


def _as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class DealFilter:
    """A normalised, hashable selection of deals. Empty fields select everything."""

    stages: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    search: str = ""
    missing: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        stages: Iterable[str] | str | None = None,
        sectors: Iterable[str] | str | None = None,
        assignees: Iterable[str] | str | None = None,
        due_from: date | str | None = None,
        due_to: date | str | None = None,
        search: str | None = None,
        missing: Iterable[str] | str | None = None,
    ) -> DealFilter:
        """Normalise loose input: sorted unique values, stages in funnel order, dates as dates, range ordered,
        the search trimmed and capped (`clean_search`), only the known `missing` values (a hand-edited URL may
        hold others)."""
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
            search=clean_search(search),
            missing=tuple(value for value in _clean_set(missing) if value in MISSING_LABELS),
        )

    @classmethod
    def nothing(cls) -> DealFilter:
        """A selection no deal matches."""
        return cls(stages=(NO_STAGE,))

    def cache_key(self) -> str:
        """A short deterministic key: the same selection gives the same key in every process."""
        payload = json.dumps(asdict(self), default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]
