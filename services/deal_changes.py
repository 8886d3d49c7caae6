"""Reading, changing, deleting and restoring one deal: the SQL behind the form, the grid edits and undo.

Every change names the version of the deal it was based on: `UPDATE ... WHERE id = :id AND version = :v`
changes nothing when someone else wrote in between, and the caller gets a French message saying what
changed instead of overwriting it. The history itself is written by the database's triggers, told where
the change comes from through the transaction's write context (`data.write_context`).
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, delete, insert, select, update

from data.models import Deal, DealEvent
from data.write_context import write_source
from domain import formatting
from domain.deal_record import DealEventView, DealRecord, DealValues
from domain.errors import DealConflictError, DealGoneError
from domain.fields import FIELD_BY_KEY

VALUE_FIELDS: tuple[str, ...] = tuple(field.name for field in fields(DealValues))
FIELD_LABELS: dict[str, str] = {**{key: field.label for key, field in FIELD_BY_KEY.items()},
                                "motif_perte": "Motif de perte"}


def _record(row: object) -> DealRecord:
    values = DealValues(**{name: getattr(row, name) for name in VALUE_FIELDS})
    amount = values.montant_brut
    if amount is not None:  # SQLite hands back floats for NUMERIC: the exact amount, to the cent
        values = DealValues(**{**asdict(values), "montant_brut": Decimal(str(amount)).quantize(Decimal("0.01"))})
    return DealRecord(id=row.id, version=row.version, values=values, created_at=row.created_at,
                      est_demo=bool(row.est_demo))


def read(connection: Connection, deal_id: int) -> DealRecord | None:
    """The deal as stored now, or None when there is none with this id."""
    row = connection.execute(
        select(Deal.id, Deal.version, Deal.created_at, Deal.est_demo, *(getattr(Deal, name) for name in VALUE_FIELDS))
        .where(Deal.id == deal_id)
    ).one_or_none()
    return None if row is None else _record(row)


def shown(field: str, value: object) -> str:
    """A field's value in French, for a conflict message or the history."""
    if value is None:
        return "à estimer" if field == "montant_brut" else formatting.NO_VALUE
    if isinstance(value, Decimal):
        return formatting.euros(value, cents=True)
    if isinstance(value, date):
        return formatting.day(value)
    return str(value)


def _conflict(connection: Connection, deal_id: int, seen: DealValues) -> DealConflictError | DealGoneError:
    """Why a write based on what the person saw (`seen`) is refused: the deal is gone, or it changed (and how)."""
    now = read(connection, deal_id)
    if now is None:
        return DealGoneError()
    changed = now.values.changes_from(seen)
    what = "; ".join(f"{FIELD_LABELS[name]} : {shown(name, old)} → {shown(name, new)}"
                     for name, (old, new) in changed.items()) or "un champ que ce formulaire ne montre pas"
    return DealConflictError(f"Ce deal a été modifié entre-temps ({what}). Rechargez-le pour voir sa version "
                             "actuelle : vos changements n'ont pas été enregistrés.")


def _current(connection: Connection, deal_id: int, version: int, seen: DealValues) -> DealRecord:
    """The deal as stored, when it is still at the version the person saw; otherwise the refusal to raise.
    What the browser says it saw (`seen`) only words the message: the values written over are the stored ones."""
    current = read(connection, deal_id)
    if current is None or current.version != version:
        raise _conflict(connection, deal_id, seen)
    return current


def create(connection: Connection, values: DealValues, source: str, user: str | None = None) -> int:
    """Insert a new deal; returns its id."""
    with write_source(connection, source, user):
        return connection.execute(insert(Deal).values(**asdict(values)).returning(Deal.id)).scalar_one()


def change(connection: Connection, deal_id: int, version: int, seen: DealValues, values: DealValues, source: str,
           user: str | None = None) -> DealRecord:
    """Write `values` over the deal, which the person saw at `version`; refused (nothing written) when it has
    changed since. Only the fields that differ from the stored deal are written (one history line each)."""
    current = _current(connection, deal_id, version, seen)
    changed = values.changes_from(current.values)
    if not changed:
        return current
    with write_source(connection, source, user):
        written = connection.execute(
            update(Deal).where(Deal.id == deal_id, Deal.version == version)
            .values(**{name: new for name, (_old, new) in changed.items()})
        ).rowcount
    if written != 1:  # someone wrote between the read and the update
        raise _conflict(connection, deal_id, seen)
    stored = read(connection, deal_id)
    assert stored is not None  # just updated in this transaction
    return stored


def remove(connection: Connection, deal_id: int, version: int, seen: DealValues, source: str,
           user: str | None = None) -> DealRecord:
    """Delete the deal, which the person saw at `version`; returns it as it was stored, for an undo."""
    current = _current(connection, deal_id, version, seen)
    with write_source(connection, source, user):
        removed = connection.execute(delete(Deal).where(Deal.id == deal_id, Deal.version == version)).rowcount
    if removed != 1:
        raise _conflict(connection, deal_id, seen)
    return current


def restore(connection: Connection, removed: DealRecord, source: str, user: str | None = None) -> DealRecord:
    """Put a deleted deal back as it was: same id, same fields, same creation time; its history stays."""
    if read(connection, removed.id) is not None:
        raise DealConflictError("Ce deal est déjà de retour : rien à annuler.")
    with write_source(connection, source, user, restoring=True):
        connection.execute(insert(Deal).values(id=removed.id, created_at=removed.created_at,
                                               est_demo=removed.est_demo, **asdict(removed.values)))
    restored = read(connection, removed.id)
    assert restored is not None
    return restored


def history(connection: Connection, deal_id: int) -> tuple[DealEventView, ...]:
    """The deal's changes, newest first."""
    rows = connection.execute(
        select(DealEvent.at, DealEvent.action, DealEvent.field, DealEvent.old_value, DealEvent.new_value,
               DealEvent.source, DealEvent.user_name)
        .where(DealEvent.deal_id == deal_id).order_by(DealEvent.at.desc(), DealEvent.id.desc())
    )
    return tuple(DealEventView(*row) for row in rows)
