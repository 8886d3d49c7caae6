"""Helpers for the import tests: fixture files, a fingerprint of the database, a few existing deals."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text

from data.models import Deal

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
# An unchanged copy of ../shared/data/maven-crm (sales_pipeline.csv, accounts.csv, SOURCE.md), kept in the
# repository so the tests run wherever it is cloned.
MAVEN = Path(__file__).resolve().parents[1] / "fixtures" / "maven-crm"

EXISTING_DEALS = (
    {"client": "Existant SA", "statut": "Prospect", "montant_brut": Decimal("1000.00"), "secteur": "Logiciel",
     "date_echeance": date(2026, 12, 1), "assignee": "Léa Dubois", "notes": None, "ref_externe": "EXISTING-1"},
    {"client": "Sans Réf SARL", "statut": "Qualifié", "montant_brut": Decimal("2500.50"), "secteur": None,
     "date_echeance": None, "assignee": None, "notes": "déjà là", "ref_externe": None},
    {"client": "Gagnant SAS", "statut": "Gagné", "montant_brut": Decimal("9000.00"), "secteur": "Industrie",
     "date_echeance": date(2026, 10, 15), "assignee": "Hugo Bernard", "notes": None, "ref_externe": "EXISTING-3"},
)


def fixture_bytes(name: str) -> bytes:
    """A file of tests/fixtures/import, as uploaded."""
    return (FIXTURES / name).read_bytes()


def deals_state(engine: Engine) -> tuple[int, str]:
    """(deal count, checksum of every deal column and of the summary tables): equal before and after means the
    import changed nothing, including timestamps and the trigger-maintained rollup and totals."""
    with engine.connect() as connection:
        deals = connection.execute(text(
            "SELECT id, client, statut, montant_brut, probabilite, valeur_ponderee, secteur, date_echeance, "
            "assignee, notes, ref_externe, created_at, updated_at FROM deals ORDER BY id")).all()
        rollup = connection.execute(text(
            "SELECT statut, secteur, assignee, due_month, n, montant, ponderee FROM deal_rollup "
            "ORDER BY statut, coalesce(secteur, ''), coalesce(assignee, ''), coalesce(due_month, '1900-01-01')"
        )).all()
        totals = connection.execute(text(
            "SELECT statut, secteur, assignee, n, n_due, montant, ponderee FROM deal_totals "
            "ORDER BY statut, coalesce(secteur, ''), coalesce(assignee, '')")).all()
    return len(deals), hashlib.sha256(repr((deals, rollup, totals)).encode()).hexdigest()


def deal_index_definitions(engine: Engine) -> list[str]:
    """Every index of `deals` as the database states it (columns, operator classes, conditions), sorted."""
    statement = ("SELECT indexdef FROM pg_indexes WHERE tablename = 'deals'" if engine.dialect.name == "postgresql"
                 else "SELECT name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index' "
                      "AND tbl_name = 'deals'")
    with engine.connect() as connection:
        return sorted(connection.execute(text(statement)).scalars())


def deal_constraint_definitions(engine: Engine) -> list[str]:
    """Every constraint of `deals` on PostgreSQL, by name, as the database states it, sorted (SQLite: none listed,
    its constraints live in the table's own definition, which an import never changes)."""
    if engine.dialect.name != "postgresql":
        return []
    statement = ("SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint "
                 "WHERE conrelid = 'deals'::regclass")
    with engine.connect() as connection:
        return sorted(connection.execute(text(statement)).scalars())


def import_run_count(engine: Engine) -> int:
    """Rows in the import history."""
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM import_runs")).scalar_one()


def deal_rows(engine: Engine) -> list[dict]:
    """Every deal as a dict, in id order (amounts as Decimal, dates as date)."""
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(Deal.__table__.select().order_by(Deal.id))]


def assert_rollup_matches_deals(engine: Engine) -> None:
    """The trigger-maintained rollup and totals hold exactly the per-group totals of `deals`: every deal
    counted, those with an amount counted apart, sums over known amounts only."""
    month = ("date(date_echeance, 'start of month')" if engine.dialect.name == "sqlite"
             else "date_trunc('month', date_echeance)::date")
    measured = ("count(*), count(montant_brut), count(date_echeance), coalesce(sum(montant_brut), 0), "
                "coalesce(sum(valeur_ponderee), 0)")
    kept = "n, n_montant, {due}, montant, ponderee"
    with engine.connect() as connection:
        def read(statement: str, key_size: int) -> dict[tuple, tuple]:
            return {tuple(row[:key_size]): (*(int(value) for value in row[key_size:key_size + 3]),
                                            *(Decimal(str(value)) for value in row[key_size + 3:]))
                    for row in connection.execute(text(statement))}

        expected = read(f"SELECT statut, secteur, assignee, {month}, {measured.replace('count(date_echeance)', '0')} "
                        f"FROM deals GROUP BY statut, secteur, assignee, {month}", 4)
        rollup = read(f"SELECT statut, secteur, assignee, due_month, {kept.format(due='0')} FROM deal_rollup", 4)
        expected_totals = read(f"SELECT statut, secteur, assignee, {measured} FROM deals "
                               "GROUP BY statut, secteur, assignee", 3)
        totals = read(f"SELECT statut, secteur, assignee, {kept.format(due='n_due')} FROM deal_totals", 3)
    assert rollup == expected
    assert totals == expected_totals


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """The empty test database with three deals of the user's already in it."""
    with engine.begin() as connection:
        connection.execute(insert(Deal), list(EXISTING_DEALS))
    return engine
