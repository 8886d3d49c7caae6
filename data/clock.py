"""The one place the code asks for today's date, so tests and benchmarks can fix it.

Today is the calendar date in Europe/Paris: a deal due "today" for a founder in Paris is not overdue at
01:00 Paris time just because UTC is still on the previous day.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_fixed_today: date | None = None


def today() -> date:
    """Today's date in Paris, or the date fixed by `fix_today`."""
    return _fixed_today or datetime.now(PARIS).date()


def fix_today(value: date | None) -> None:
    """Pin today's date (tests, benchmarks, screenshots); `None` returns to the real clock."""
    global _fixed_today
    _fixed_today = value
