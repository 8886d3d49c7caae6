"""A deal as the form, the grid and the write service exchange it: typed values, and its version.

`version` is the database's count of updates of the deal (moved by a trigger): a write names the version it
was based on and is refused when the deal has moved on since, so nothing is ever overwritten silently.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal

# Why a deal was lost, as the form offers it (free text may follow, in `motif_perte` after " : ").
LOSS_REASONS: tuple[str, ...] = ("Prix", "Concurrent", "Calendrier", "Pas de budget", "Sans réponse", "Autre")
LOSS_REASON_MAX = 255
MAX_ID = 2**31 - 1  # ids and versions are the database's 32-bit integers: a larger one names nothing


@dataclass(frozen=True)
class DealValues:
    """The fields a person edits, typed; None is "not set" (an amount of None is "à estimer")."""

    client: str
    statut: str
    montant_brut: Decimal | None = None
    secteur: str | None = None
    date_echeance: date | None = None
    assignee: str | None = None
    notes: str | None = None
    ref_externe: str | None = None
    motif_perte: str | None = None

    def changes_from(self, other: DealValues) -> dict[str, tuple[object, object]]:
        """Field -> (other's value, this value) for every field that differs."""
        return {field.name: (getattr(other, field.name), getattr(self, field.name)) for field in fields(self)
                if getattr(other, field.name) != getattr(self, field.name)}


@dataclass(frozen=True)
class DealRecord:
    """A stored deal: its values, id, version, and what an undo must also give back (creation time, demo mark)."""

    id: int
    version: int
    values: DealValues
    created_at: datetime | None = None
    est_demo: bool = False


@dataclass(frozen=True)
class DealEventView:
    """One line of a deal's history, as stored (values as locale-free text)."""

    at: datetime
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    source: str
    user_name: str | None


def typed_amount(amount: Decimal | None) -> str:
    """An amount as a French founder types it (`12500,50`), which the form and the import read back exactly;
    empty when it is "à estimer"."""
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")


def loss_reason(reason: str | None, detail: str | None) -> str:
    """The `motif_perte` text for a reason of `LOSS_REASONS` and optional detail ("Prix : trop cher")."""
    if reason not in LOSS_REASONS:
        raise ValueError(f"motif de perte inconnu « {reason} »")
    text = f"{reason} : {detail.strip()}" if detail and detail.strip() else reason
    return text[:LOSS_REASON_MAX]
