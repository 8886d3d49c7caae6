"""Undo tickets: a deleted deal kept in `deal_undo` for the seconds its undo is offered.

The ticket is written by the deleting transaction and taken by the restoring one (`DELETE … RETURNING`, so two
clicks, or two workers, cannot both restore). The deal is kept as JSON, every value as text that reads back to
the same type, so an undo gives back exactly the stored deal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert

from data.models import DealUndo
from domain.deal_record import DealRecord, DealValues


def _now() -> datetime:
    """Naive UTC, as the database's timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def _as_text(value: Any) -> Any:
    """A Decimal, date or datetime as the text its type reads back exactly; anything else as it is."""
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, date) else value  # a datetime is a date too


def _read(reader: Callable[[str], Any], text: str | None) -> Any:
    return None if text is None else reader(text)


def _encoded(record: DealRecord) -> str:
    values = {key: _as_text(value) for key, value in asdict(record.values).items()}
    return json.dumps({"id": record.id, "version": record.version, "values": values,
                       "created_at": _as_text(record.created_at), "est_demo": record.est_demo})


def _decoded(text: str) -> DealRecord:
    data = json.loads(text)
    stored = data["values"]
    values = DealValues(**{**stored, "montant_brut": _read(Decimal, stored["montant_brut"]),
                           "date_echeance": _read(date.fromisoformat, stored["date_echeance"])})
    return DealRecord(data["id"], data["version"], values, _read(datetime.fromisoformat, data["created_at"]),
                      data["est_demo"])


def keep(connection: Connection, token: str, record: DealRecord, seconds: int) -> None:
    """Keep `record` under `token` for `seconds`, in the caller's (deleting) transaction; expired tickets go."""
    now = _now()
    connection.execute(delete(DealUndo).where(DealUndo.expires_at < now))
    connection.execute(insert(DealUndo).values(token=token, deal_id=record.id, record=_encoded(record),
                                               expires_at=now + timedelta(seconds=seconds)))


def take(connection: Connection, token: str) -> DealRecord | None:
    """The deal kept under `token` if its offer still runs, removed from the table in the caller's transaction
    (rolled back with it); None when unknown, taken already or expired."""
    kept = connection.execute(delete(DealUndo).where(DealUndo.token == token, DealUndo.expires_at >= _now())
                              .returning(DealUndo.record)).scalar_one_or_none()
    return None if kept is None else _decoded(kept)
