"""SQLAlchemy 2 model of the `deals` table, its history, the import history, the accounts and their API tokens,
column names as the user has them.

The model mirrors what the migrations create; the migrations, not `create_all`, build the schema, because
the triggers and the generated column must exist on every database the app touches.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domain.accounts import EMAIL_MAX_LENGTH, LOGIN_MAX_LENGTH, NAME_MAX_LENGTH
from domain.api_tokens import LABEL_MAX_LENGTH
from domain.fields import AMOUNT_DIGITS, AMOUNT_SCALE, ASSIGNEE, CLIENT, FIELD_BY_KEY, REF, SECTEUR, STATUT
from domain.stages import WON

LOSS_REASON_LENGTH = 255


def _text(key: str) -> String:
    """The VARCHAR of a deal field, sized by the one field-rules table."""
    return String(FIELD_BY_KEY[key].max_length)


def search_expression() -> str:
    """`deals.recherche` as PostgreSQL computes it: the function of migration 0020, which folds with the map of
    domain/text_search.py (SQLite's triggers hold their own form; tests/test_text_search_column.py checks both
    databases against `fold`)."""
    return "deals_search_fold(client || ' ' || coalesce(notes, '') || ' ' || coalesce(ref_externe, ''))"


class Base(DeclarativeBase):
    """Declarative base for the deals schema."""


class Deal(Base):
    """One sales opportunity. `probabilite` and `valeur_ponderee` are the database's, never the input's."""

    __tablename__ = "deals"
    __table_args__ = (
        Index("ix_deals_cold", "statut", "last_change_at"),
        # The demo deals only: "any demo deal left?" without reading the founder's book (migration 0018).
        Index("ix_deals_demo", "id", postgresql_where=text("est_demo"), sqlite_where=text("est_demo = 1")),
        # An id is never given twice, as PostgreSQL's sequence does: the history outlives a deleted deal (0026).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(_text(CLIENT))
    statut: Mapped[str] = mapped_column(_text(STATUT))  # looked up through ix_deals_cold (statut, ...): 0022
    # NULL is "à estimer" (no amount yet), never 0; 0 is a real amount (a lost deal, a free pilot).
    montant_brut: Mapped[Decimal | None] = mapped_column(Numeric(AMOUNT_DIGITS, AMOUNT_SCALE))
    probabilite: Mapped[Decimal] = mapped_column(Numeric(3, 2), server_default="0")
    valeur_ponderee: Mapped[Decimal | None] = mapped_column(
        Numeric(AMOUNT_DIGITS, AMOUNT_SCALE), Computed("round(montant_brut * probabilite, 2)", persisted=True)
    )
    secteur: Mapped[str | None] = mapped_column(_text(SECTEUR), index=True)
    date_echeance: Mapped[date | None] = mapped_column(Date)
    assignee: Mapped[str | None] = mapped_column(_text(ASSIGNEE), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    ref_externe: Mapped[str | None] = mapped_column(_text(REF), unique=True)
    # Set by the demo generator only; what "Retirer les données de démonstration" deletes (never a reference).
    est_demo: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    # Why a lost deal was lost (Prix, Concurrent, ... or the user's words); checked by the app.
    motif_perte: Mapped[str | None] = mapped_column(String(LOSS_REASON_LENGTH))
    # 1 at creation, +1 by a database trigger on every UPDATE: `UPDATE ... WHERE id = :id AND version = :v`.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    # Client, notes and reference, lower-case and accent-free (domain.text_search.fold), kept by the database.
    recherche: Mapped[str] = mapped_column(Text, Computed(search_expression(), persisted=True))
    # When the history last recorded a change of this deal (naive UTC), kept by the database (migration 0012):
    # what makes a deal cold, read through `ix_deals_cold` (statut, last_change_at).
    last_change_at: Mapped[datetime | None] = mapped_column(DateTime, FetchedValue())


class ImportRun(Base):
    """One file import, kept so the founder can see what each upload did."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    # The display name of the account that imported (migration 0010); None in solo mode and for older runs.
    user_name: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH))


class DealRollup(Base):
    """Deal totals per (stage, sector, salesperson, due month), maintained by database triggers only: `n`
    counts every deal, `n_montant` those with an amount, and the sums cover known amounts only.

    Several rows may never share a key (unique on PostgreSQL, kept unique by the SQLite triggers); the
    app only reads this table.
    """

    __tablename__ = "deal_rollup"

    statut: Mapped[str] = mapped_column(_text(STATUT), primary_key=True)
    secteur: Mapped[str | None] = mapped_column(_text(SECTEUR), primary_key=True)
    assignee: Mapped[str | None] = mapped_column(_text(ASSIGNEE), primary_key=True)
    due_month: Mapped[date | None] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    n_montant: Mapped[int] = mapped_column(Integer)
    montant: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    ponderee: Mapped[Decimal] = mapped_column(Numeric(18, 2))


class DealTotal(Base):
    """Deal totals per (stage, sector, salesperson), with the count of deals that have a due date; maintained
    by database triggers only. A few hundred rows: what a selection without a due-date range reads."""

    __tablename__ = "deal_totals"

    statut: Mapped[str] = mapped_column(_text(STATUT), primary_key=True)
    secteur: Mapped[str | None] = mapped_column(_text(SECTEUR), primary_key=True)
    assignee: Mapped[str | None] = mapped_column(_text(ASSIGNEE), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    n_montant: Mapped[int] = mapped_column(Integer)
    n_due: Mapped[int] = mapped_column(Integer)
    montant: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    ponderee: Mapped[Decimal] = mapped_column(Numeric(18, 2))


class DealActivity(Base):
    """Deal totals per (stage, sector, salesperson, UTC day of the last change: its midnight), maintained by
    database triggers only (migration 0012), like `deal_totals`: the deals changed in the last days of a selection,
    read from the rows of those days alone (`ix_deal_activity_recent`)."""

    __tablename__ = "deal_activity"

    statut: Mapped[str] = mapped_column(_text(STATUT), primary_key=True)
    secteur: Mapped[str | None] = mapped_column(_text(SECTEUR), primary_key=True)
    assignee: Mapped[str | None] = mapped_column(_text(ASSIGNEE), primary_key=True)
    change_day: Mapped[datetime | None] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    n_montant: Mapped[int] = mapped_column(Integer)
    n_due: Mapped[int] = mapped_column(Integer)
    montant: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    ponderee: Mapped[Decimal] = mapped_column(Numeric(18, 2))


class PipelineChange(Base):
    """How much the open pipeline (deal count, weighted value) moved per (UTC week, stage, sector, salesperson):
    kept by database triggers at each write (migrations 0014 and 0025), rebuilt from the history by
    `data.pipeline_changes.rebuild`. The weekly trend is today's pipeline less the moves after each week.
    `change_day` is the first day of the week (a Monday, 00:00 UTC): daily until 0025, the column kept its name."""

    __tablename__ = "pipeline_changes"

    change_day: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    statut: Mapped[str] = mapped_column(_text(STATUT), primary_key=True)
    secteur: Mapped[str | None] = mapped_column(_text(SECTEUR), primary_key=True)
    assignee: Mapped[str | None] = mapped_column(_text(ASSIGNEE), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    ponderee: Mapped[Decimal] = mapped_column(Numeric(18, 2))


class StageStay(Base):
    """Stays of deals in a stage, per (stage, UTC month the stay began, next stage or none while it runs, the
    deal's current stage, sector and salesperson): how many, and the milliseconds of those that ended. Kept by
    database triggers at each write (migration 0023), rebuilt from the history by `data.stage_stays.rebuild`."""

    __tablename__ = "stage_stays"

    stage: Mapped[str] = mapped_column(_text(STATUT), primary_key=True)
    entry_month: Mapped[date] = mapped_column(Date, primary_key=True)
    next_stage: Mapped[str | None] = mapped_column(_text(STATUT), primary_key=True)
    statut: Mapped[str] = mapped_column(_text(STATUT), primary_key=True)
    secteur: Mapped[str | None] = mapped_column(_text(SECTEUR), primary_key=True)
    assignee: Mapped[str | None] = mapped_column(_text(ASSIGNEE), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    milliseconds: Mapped[int] = mapped_column(BigInteger)


class DealWin(Base):
    """Won deals per (UTC month won, sector, salesperson): how many, their known amounts summed, how many have a
    win in the history (a cycle) and those cycles in milliseconds. Kept by database triggers at each write
    (migration 0024), rebuilt from the history by `data.deal_wins.rebuild`."""

    __tablename__ = "deal_wins"

    won_month: Mapped[date] = mapped_column(Date, primary_key=True)
    secteur: Mapped[str | None] = mapped_column(_text(SECTEUR), primary_key=True)
    assignee: Mapped[str | None] = mapped_column(_text(ASSIGNEE), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    montant: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    cycles: Mapped[int] = mapped_column(BigInteger)
    cycle_milliseconds: Mapped[int] = mapped_column(BigInteger)


STAGE_CHANGES = text("field = 'statut' AND action = 'updated'")  # the history rows of a stage change
WIN_CHANGES = text(f"field = 'statut' AND action = 'updated' AND new_value = '{WON}'")  # a change to Gagné


class DealEvent(Base):
    """One change of one deal, written by database triggers only (migration 0008): `created`, `restored`,
    `deleted`, or `updated` with the field and its old and new values as locale-free text (`12500.50`,
    `2026-12-31`, NULL as NULL). No foreign key: a deleted deal keeps its history."""

    __tablename__ = "deal_events"
    __table_args__ = (
        Index("ix_deal_events_deal_at", "deal_id", "at"),
        Index("ix_deal_events_at", "at", "deal_id"),  # the history by time: a day's, since a visit (migration 0011)
        Index("ix_deal_events_stage_changes", "deal_id", "at", "id", postgresql_where=STAGE_CHANGES,
              sqlite_where=STAGE_CHANGES, postgresql_include=["old_value", "new_value"]),  # migration 0013
        Index("ix_deal_events_wins", "deal_id", "at", postgresql_where=WIN_CHANGES,
              sqlite_where=WIN_CHANGES),  # migration 0019
        CheckConstraint("action IN ('created', 'updated', 'deleted', 'restored')", name="ck_deal_events_action_known"),
        CheckConstraint("source IN ('formulaire', 'grille', 'import', 'api', 'démo', 'hors application')",
                        name="ck_deal_events_source_known"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    deal_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())  # UTC
    action: Mapped[str] = mapped_column(String(10))
    field: Mapped[str | None] = mapped_column(String(30))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))
    user_name: Mapped[str | None] = mapped_column(String(100))


class WriteContext(Base):
    """Where the current write comes from, on SQLite: one row, filled and emptied inside the writing
    transaction by `data.write_context.write_source` (PostgreSQL uses transaction-local settings instead)."""

    __tablename__ = "write_context"
    __table_args__ = (CheckConstraint("id = 1", name="ck_write_context_one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, server_default="1")
    source: Mapped[str] = mapped_column(String(20))
    user_name: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str | None] = mapped_column(String(10))


class User(Base):
    """A team account (migration 0009; its e-mail address, 0015). The password is stored as an argon2 hash only."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'commercial', 'lecture')", name="ck_users_role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(LOGIN_MAX_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    role: Mapped[str] = mapped_column(String(12))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())  # UTC
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX_LENGTH))
    last_visit_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; "since your last visit" (0016)



class EndedSession(Base):
    """A session its user signed out of (migration 0027): its cookie, kept or copied, opens nothing any more. Kept
    until the idle timeout would have ended the session anyway."""

    __tablename__ = "ended_sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ended_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC


class ApiTokenRow(Base):
    """An API token of an account (migration 0010): the SHA-256 of its secret, never the secret. A revoked
    token is kept, with when, so the list still says which integration it was."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(LABEL_MAX_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())  # UTC
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC, moved at most once a minute
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC


class DealUndo(Base):
    """A deleted deal kept for its undo (migration 0017): written in the deleting transaction and taken (deleted)
    by the undo's, so an undo works from any worker and while the cache is down, and works once. `record` is the
    deal as it was (`services.undo_tickets`); `expires_at` (UTC) ends the offer, and later deletions purge it."""

    __tablename__ = "deal_undo"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)  # hex, from the browser
    deal_id: Mapped[int] = mapped_column(Integer)
    record: Mapped[str] = mapped_column(Text)  # JSON
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
