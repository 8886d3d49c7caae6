"""`deals.recherche` is the folded text of client, notes and reference (`domain.text_search`), kept by the
database for every writer and equal to what `fold` makes of it in Python, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from data.models import Deal, search_expression
from domain.text_search import FOLDS, fold, searched_text
from services.filter_clauses import search_clause

VERSIONS = Path(__file__).resolve().parents[1] / "data" / "migrations" / "versions"
TRICKY = [
    "Société Générale", "ÉCOLE", "Crédit Agricole", "Œuvre", "Ça va", "NAÏVE", "ACME Corp 42",
    "Ærø Æble Straße", "Hôtel-Dieu d'Évry", "L'OCCITANE EN PROVENCE", "Noël & Zoé : ÂGE D'OR",
    "ÀÁÂÃÄÅ àáâãäå Ç ç ÈÉÊË èéêë ÌÍÎÏ ìíîï Ñ ñ ÒÓÔÕÖØ òóôõöø ÙÚÛÜ ùúûü Ý ý ÿ Ÿ œ Œ æ Æ ß",
    "Cre\u0301dit de\u0301compose\u0301",  # NFD text (as macOS files may carry)
    "Łódź Škoda İstanbul Ωmega",  # outside the map: ASCII lowered, the rest kept as it is, on both databases
    "100 % sûr_ [x]",
]


def _migration(file_name: str):
    spec = importlib.util.spec_from_file_location(f"crm_migration_{file_name[:4]}", VERSIONS / file_name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("value", "folded"), [
    ("Société Générale", "societe generale"), ("ÉCOLE", "ecole"), ("Crédit Agricole", "credit agricole"),
    ("Œuvre", "oeuvre"), ("Ça va", "ca va"), ("NAÏVE", "naive"), ("Straße", "strasse"), ("Ærø", "aero"),
    ("Cre\u0301dit", "credit"), ("ACME 42-B", "acme 42-b"), ("Łódź", "Łodź"),
])
def test_fold_lowers_and_removes_accents(value: str, folded: str) -> None:
    assert fold(value) == folded


def test_the_migration_keeps_a_copy_of_the_map_and_the_model_the_same_expression() -> None:
    """A migration is a snapshot, so it has its own copy: equal today, by construction of this test."""
    history = _migration("0008_deal_history.py")
    assert {character: folded for characters, folded in history.FOLDS for character in characters} == FOLDS
    assert search_expression() == _migration("0020_search_fold_function.py").postgres_search_expression()
    assert Deal.__table__.c.recherche.computed is not None


def test_the_stored_search_text_is_fold_of_client_notes_and_reference(engine: Engine) -> None:
    rows = [{"client": value, "notes": notes, "ref": ref}
            for value in TRICKY for notes, ref in ((None, None), (value.upper(), f"REF-{value[:5]}"))]
    rows = [{**row, "ref": row["ref"] and f"{row['ref']}-{number}"} for number, row in enumerate(rows)]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, notes, ref_externe) "
                                "VALUES (:client, 'Prospect', :notes, :ref)"), rows)
        stored = connection.execute(text("SELECT client, notes, ref_externe, recherche FROM deals ORDER BY id")).all()
    assert [row.recherche for row in stored] == [searched_text(row.client, row.notes, row.ref_externe)
                                                 for row in stored]
    assert stored[0].recherche == "societe generale  "


def test_the_search_text_follows_every_change_of_its_fields_and_only_those(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut) VALUES ('Crédit Agricole', 'Prospect')"))
    changes = [("notes", "Rendez-vous à Évry"), ("ref_externe", "SF-Ü1"), ("client", "CRÉDIT MUTUEL"),
               ("notes", None), ("statut", "Gagné")]
    for column, value in changes:
        with engine.begin() as connection:
            connection.execute(text(f"UPDATE deals SET {column} = :value"), {"value": value})
            row = connection.execute(text("SELECT client, notes, ref_externe, recherche FROM deals")).one()
        assert row.recherche == searched_text(row.client, row.notes, row.ref_externe), column
    assert row.recherche == "credit mutuel  sf-u1"


def test_a_search_finds_a_deal_whatever_the_accents_and_case_typed(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, notes) VALUES ('Société Générale', 'Prospect', "
                                "NULL), ('Hôtel Œuvre', 'Gagné', 'relancer ÉLISE'), ('Acme', 'Perdu', NULL)"))
        found = {term: connection.execute(text("SELECT client FROM deals WHERE recherche LIKE :pattern ORDER BY id"),
                                          {"pattern": f"%{fold(term)}%"}).scalars().all()
                 for term in ("SOCIETE", "générale", "oeuvre", "Élise", "acme", "e")}
    assert found == {"SOCIETE": ["Société Générale"], "générale": ["Société Générale"], "oeuvre": ["Hôtel Œuvre"],
                     "Élise": ["Hôtel Œuvre"], "acme": ["Acme"], "e": ["Société Générale", "Hôtel Œuvre", "Acme"]}


def test_an_apostrophe_of_any_kind_finds_the_others(engine: Engine) -> None:
    """Word and macOS type ’ where a keyboard types ': « L’Oréal » is found by `l'oreal`, « L'Atelier » by
    `l’atelier`, a note « à faire aujourd’hui » by `aujourd'hui`, through the filter's own clause."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, notes) VALUES ('L’Oréal', 'Prospect', NULL), "
                                "('L''Atelier', 'Gagné', 'à faire aujourd’hui'), ('Lorem', 'Perdu', NULL)"))
    with engine.connect() as connection:
        found = {term: connection.execute(select(Deal.client).where(search_clause(term)).order_by(Deal.id)
                                          ).scalars().all()
                 for term in ("l'oreal", "L’ATELIER", "aujourd'hui", "l‘oréal ‘")}
    assert found == {"l'oreal": ["L’Oréal"], "L’ATELIER": ["L'Atelier"], "aujourd'hui": ["L'Atelier"],
                     "l‘oréal ‘": ["L’Oréal"]}


def test_postgresql_answers_a_search_from_the_trigram_index(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no index for LIKE '%term%' (see migration 0008)")
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(connection.execute(text(
            "EXPLAIN SELECT id FROM deals WHERE recherche LIKE :pattern"), {"pattern": "%societe%"}).scalars())
    assert "ix_deals_recherche_trgm" in plan
