"""What changed in the pipeline since the founder's previous visit: the "Depuis votre dernière visite" panel.

The period starts at the previous visit's time as the browser remembers it; it is only a choice of period (the
figures come from the database's history), bounded to `MAX_LOOKBACK_DAYS` and never later than now, so a forged
or stale value can neither ask for more nor break the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

MAX_LOOKBACK_DAYS = 90
NAMES_SHOWN = 5


def visit_period_start(previous_visit: str | None, now: datetime) -> datetime | None:
    """The period's start (naive UTC) from the browser's ISO time of the previous visit; None for a first visit or a
    value that is not a time. Bounded to the last `MAX_LOOKBACK_DAYS` days and to `now`."""
    if not isinstance(previous_visit, str):
        return None
    try:
        since = datetime.fromisoformat(previous_visit.replace("Z", "+00:00")[:40])
    except ValueError:
        return None
    if since.tzinfo is not None:
        since = since.astimezone(UTC).replace(tzinfo=None)
    return min(max(since, now - timedelta(days=MAX_LOOKBACK_DAYS)), now)


@dataclass(frozen=True)
class NamedCount:
    """How many deals, and the clients of the latest few (`NAMES_SHOWN`; a deleted deal has no name left)."""

    count: int
    clients: tuple[str, ...] = ()


@dataclass(frozen=True)
class VisitChanges:
    """The changes recorded since `since` (naive UTC): deals created, moved between open stages, won and lost, and
    the weighted pipeline (every deal) now and as it stood then."""

    since: datetime
    created: NamedCount
    moved: NamedCount
    won: NamedCount
    lost: NamedCount
    weighted_now: Decimal
    weighted_then: Decimal

    @property
    def nothing_new(self) -> bool:
        """No deal created, moved, won or lost, and the pipeline where it was."""
        return not (self.created.count or self.moved.count or self.won.count or self.lost.count
                    or self.weighted_now != self.weighted_then)
