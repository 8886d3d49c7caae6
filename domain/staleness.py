"""When an open deal has gone cold ("froid"): no change in its history for more than N days.

Pipedrive calls it "rotting" and sets it per stage: a deal in negotiation left a week is worse than a prospect
left a week. `ColdRule` holds the default (`STALE_DAYS`, 10) and the per-stage overrides
(`STALE_DAYS_NEGOCIATION=5`). Days are counted on the Paris calendar, like every date of the dashboard: a
deal last changed on 21/11 is 10 days quiet on 01/12, whatever the hour, and cold from 02/12 with the default
rule. "A change" is a row of its history (`deal_events`), so an import that changes nothing warms nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.stages import OPEN_STAGES, STAGE_BY_SLUG

DEFAULT_COLD_DAYS = 10
MAX_COLD_DAYS = 3650
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class ColdRule:
    """Days without change after which an open deal is cold: `days` for every open stage but those of
    `per_stage` ((stage name, days) pairs)."""

    days: int = DEFAULT_COLD_DAYS
    per_stage: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_settings(cls, values: dict[str, str]) -> ColdRule:
        """`STALE_DAYS` and `STALE_DAYS_<STAGE>` (the stage's URL slug in capitals: PROSPECT, QUALIFIE,
        NEGOCIATION) from the environment; anything but a whole number of days from 1 to 3650 is refused."""
        default = _days("STALE_DAYS", values.get("STALE_DAYS", str(DEFAULT_COLD_DAYS)))
        overrides = []
        for slug, stage in STAGE_BY_SLUG.items():
            name = f"STALE_DAYS_{slug.upper()}"
            if stage in OPEN_STAGES and values.get(name, "").strip():
                overrides.append((stage, _days(name, values[name])))
        return cls(default, tuple(overrides))

    def days_for(self, stage: str) -> int:
        """The quiet days allowed in `stage`."""
        return dict(self.per_stage).get(stage, self.days)

    def cutoffs(self, today: date) -> dict[str, datetime]:
        """Per open stage, the instant (naive UTC, as `deal_events.at`) before which a last change makes a deal
        cold today: the start of the Paris day `days` after which the deal would be quiet for more than `days`."""
        return {stage: start_of_paris_day(today - timedelta(days=self.days_for(stage))) for stage in OPEN_STAGES}


DEFAULT_COLD_RULE = ColdRule()


def start_of_paris_day(day: date) -> datetime:
    """Midnight in Paris on `day`, as naive UTC (the history's clock)."""
    return datetime.combine(day, time(), PARIS).astimezone(UTC).replace(tzinfo=None)


def quiet_days(last_change: datetime, today: date) -> int:
    """Whole Paris days since `last_change` (naive UTC)."""
    return (today - last_change.replace(tzinfo=UTC).astimezone(PARIS).date()).days


def _days(name: str, value: str) -> int:
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_COLD_DAYS:
        raise ValueError(f"{name} doit être un nombre de jours entre 1 et {MAX_COLD_DAYS}, pas « {value} ».")
    return int(text)
