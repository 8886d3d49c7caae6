"""The one write path: every change of the deals (an import's confirm, the demo data, and next the deal
form, the API and the command line) goes through `DealWrites`.

Why one class: after a write, every reader in every process that shares the cache backend must see it, so
each write ends by starting a new data version here, once; and the permission check, validation and
history of the coming issues get one place to live instead of one per entry point.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.exc import IntegrityError

from data import pipeline_changes
from data.db import transaction
from data.demo import demo_deal_filter, demo_story, generate_demo_deals
from data.models import Deal
from data.write_context import DEMO, write_source
from domain.accounts import (
    Actor,
    check_may_add,
    check_may_administer,
    check_may_change,
    own_deals_only,
)
from domain.deal_record import DealRecord, DealValues
from domain.errors import DealConflictError, DuplicateReferenceError
from domain.fields import REF
from domain.import_results import ImportOutcome
from domain.stages import STAGE_NAMES
from services import backups, deal_changes, importing, undo_tickets
from services.cache import VersionedCache
from services.deal_input import check_deal_input
from services.demo_history import play_stories
from services.reachability import database_reachable


class DealWrites:
    """Writes of deals for one database; each one makes every cached figure unreachable once it is done."""

    def __init__(self, engine: Engine, cache: VersionedCache) -> None:
        self._engine = engine
        self._cache = cache

    def data_version(self) -> str:
        """The version readers key their cache on (changed by every write made here)."""
        return self._cache.data_version()

    def _written(self) -> None:
        self._cache.bump()

    def import_file(
        self,
        content: bytes,
        file_name: str,
        column_mapping: Mapping[str, str | None] | None = None,
        stage_mapping: Mapping[str, str] | None = None,
        max_bytes: int = importing.DEFAULT_MAX_BYTES,
        xlsx_limits: importing.XlsxLimits = importing.DEFAULT_XLSX_LIMITS,
        actor: Actor | None = None,
    ) -> ImportOutcome:
        """Import one file in one transaction (all or nothing), the run and the history naming the actor; the
        outcome says what was written. A commercial's file may change only their own deals (`own_deals_only`)."""
        check_may_add(actor, "importer un fichier")
        outcome = importing.run_import(self._engine, content, file_name, column_mapping, stage_mapping, max_bytes,
                                       xlsx_limits, _name(actor), own_deals_only(actor))
        if outcome.run_id is not None:
            self._written()
        return outcome

    def seed_demo(self, today: date) -> int:
        """Add the demo deals, dated around `today`, each with its history (created as a prospect, then moved to
        its stage on dates before today); returns how many were written."""
        deals = list(generate_demo_deals(today))
        stories = {deal.ref_externe: demo_story(deal, today) for deal in deals}
        rows = [{**vars(deal), "statut": STAGE_NAMES[0], "created_at": stories[deal.ref_externe].created_at,
                 "est_demo": True} for deal in deals]
        with database_reachable(), transaction(self._engine) as session, write_source(session.connection(), DEMO):
            session.execute(Deal.__table__.insert(), rows)
            play_stories(session.connection(), stories)
        self._written()
        return len(rows)

    def remove_demo(self, actor: Actor | None = None) -> int:
        """Delete the demo deals only (the user's own deals stay), and their moves from the trend as if they had never
        been; returns how many were deleted."""
        check_may_administer(actor, "retirer les données de démonstration")
        with database_reachable(), transaction(self._engine) as session, write_source(session.connection(), DEMO):
            demo_ids = session.execute(select(Deal.id).where(demo_deal_filter())).scalars().all()
            pipeline_changes.forget(session.connection(), demo_ids, datetime.now(UTC).date())
            removed = session.execute(delete(Deal).where(demo_deal_filter())).rowcount
        self._written()
        return removed

    def restore_backup(self, path: Path, confirmed: Callable[[], bool]) -> bool:
        """Replace the whole database by the backup in `path` once `confirmed` (`crm restore`), then make a
        running dashboard show the restored figures; `BackupError` with nothing changed when the file is not a
        usable backup. Returns whether it was restored."""
        restored = backups.restore(self._engine, path, confirmed)
        if restored:
            self._written()
        return restored

    def create_deal(self, typed: Mapping[str, object], source: str, actor: Actor | None = None) -> int:
        """Check a typed deal with the import's rules (`DealInputError` when it breaks one) and add it."""
        check_may_add(actor, "créer un deal")
        values = check_deal_input(typed)
        with database_reachable(), _unique_reference(), self._engine.begin() as connection:
            deal_id = deal_changes.create(connection, values, source, _name(actor))
        self._written()
        return deal_id

    def change_deal(self, deal_id: int, version: int, seen: DealValues, typed: Mapping[str, object], source: str,
                    actor: Actor | None = None) -> DealRecord:
        """Check the typed values and write them over the deal seen at `version`: `DealConflictError` (or
        `DealGoneError`) when it changed since, with nothing written."""
        check_may_add(actor, "modifier un deal")
        values = check_deal_input(typed)
        with database_reachable(), _unique_reference(), self._engine.begin() as connection:
            _check_owner(connection, deal_id, actor)
            stored = deal_changes.change(connection, deal_id, version, seen, values, source, _name(actor))
        self._written()
        return stored

    def remove_deal(self, deal_id: int, version: int, seen: DealValues, source: str,
                    actor: Actor | None = None) -> str:
        """Delete the deal seen at `version`; returns the token that undoes it within `UNDO_SECONDS`."""
        token = uuid.uuid4().hex
        with database_reachable(), self._engine.begin() as connection:
            _check_owner(connection, deal_id, actor)
            removed = deal_changes.remove(connection, deal_id, version, seen, source, _name(actor))
            undo_tickets.keep(connection, token, removed, UNDO_SECONDS + UNDO_GRACE_SECONDS)
        self._written()
        return token

    def undo_removal(self, token: str, source: str, actor: Actor | None = None) -> DealRecord:
        """Put back the deal a `remove_deal` took away, as it was (same id and fields, history kept). The deal
        is held in the database: the browser only holds the token, so it cannot bring back anything else. The
        ticket is taken in the restoring transaction: a refused undo leaves it to the rightful user."""
        check_may_add(actor, "modifier un deal")
        if not isinstance(token, str):
            raise DealConflictError(TOO_LATE)
        with database_reachable(), _unique_reference(), self._engine.begin() as connection:
            removed = undo_tickets.take(connection, token)
            if removed is None:
                raise DealConflictError(TOO_LATE)
            check_may_change(actor, removed.values.assignee)
            restored = deal_changes.restore(connection, removed, source, _name(actor))
        self._written()
        return restored


def _name(actor: Actor | None) -> str | None:
    """The name the deal history records (none in solo mode)."""
    return None if actor is None else actor.name


def _check_owner(connection: Connection, deal_id: int, actor: Actor | None) -> None:
    """The role and ownership rule against the deal as stored now, in the writing transaction (a deal that is
    gone is left to the conflict check, which says so)."""
    stored = deal_changes.read(connection, deal_id)
    if stored is not None:
        check_may_change(actor, stored.values.assignee)


UNDO_SECONDS = 10
TOO_LATE = "Trop tard pour annuler : la suppression est définitive."
UNDO_GRACE_SECONDS = 5  # the click may leave the browser at 9.9 s and arrive a little later


@contextmanager
def _unique_reference() -> Iterator[None]:
    """The one rule only the database can check: an external reference used by another deal."""
    try:
        yield
    except IntegrityError as error:
        if "ref_externe" not in str(error.orig):
            raise
        raise DuplicateReferenceError({REF: "référence externe déjà utilisée par un autre deal"}) from None
