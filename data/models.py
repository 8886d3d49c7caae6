"""SQLAlchemy 2 model of the `deals` table and the import history, column names as the user has them.

The model mirrors what the migrations create; the migrations, not `create_all`, build the schema, because
the triggers and the generated column must exist on every database the app touches.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Computed, Date, DateTime, Integer, Numeric, String, Text, false, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domain.fields import AMOUNT_DIGITS, AMOUNT_SCALE, ASSIGNEE, CLIENT, FIELD_BY_KEY, REF, SECTEUR, STATUT


def _text(key: str) -> String:
    """The VARCHAR of a deal field, sized by the one field-rules table."""
    return String(FIELD_BY_KEY[key].max_length)


class Base(DeclarativeBase):
    """Declarative base for the deals schema."""


class Deal(Base):
    """One sales opportunity. `probabilite` and `valeur_ponderee` are the database's, never the input's."""

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(_text(CLIENT))
    statut: Mapped[str] = mapped_column(_text(STATUT), index=True)
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
