"""Importing twice, updating by reference, skipping known deals, and never writing half a file."""

from __future__ import annotations

import pickle
import time
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from data.db import make_engine
from data.migrate import upgrade
from services.importing import preview_import, recent_import_runs, run_import, writing
from tests.importing.conftest import (
    EXISTING_DEALS,
    assert_rollup_matches_deals,
    deal_constraint_definitions,
    deal_index_definitions,
    deal_rows,
    deals_state,
    fixture_bytes,
    import_run_count,
)

MIXED = ("Réf;Client;Statut;Montant;Échéance;Notes\r\n"
         "EXISTING-1;Existant SA;Négociation;1 500,00;01/12/2026;\r\n"    # update: stage and amount moved
         "EXISTING-3;Gagnant SAS;Gagné;9 000,00;15/10/2026;\r\n"          # same values: already present
         ";Sans Réf SARL;Qualifié;2 500,50;;autre note\r\n"               # no ref, same key: already present
         "NEW-1;Nouveau SA;Prospect;700;31/01/2027;\r\n"                  # new
         ";Nouveau SA;Prospect;700;31/01/2027;\r\n"                       # same key as the ref row above: new too
         "NEW-1;Nouveau SA;Prospect;700;31/01/2027;\r\n"                  # repeated in the file
         ";Mauvais;Gagné;-4;;\r\n")                                       # rejected


def test_reimporting_the_same_file_changes_nothing(engine: Engine) -> None:
    content = fixture_bytes("excel_fr_cp1252.csv")
    first = run_import(engine, content, "export.csv")
    before = deals_state(engine)
    time.sleep(0.01)
    again = run_import(engine, content, "export.csv")
    counts = again.preview
    assert (counts.created, counts.updated, counts.duplicates, counts.rejected) == (0, 0, first.preview.created, 0)
    assert "Rien de nouveau" in again.message and "déjà présentes" in again.message
    assert deals_state(engine) == before


def test_a_reference_match_updates_the_deal_in_place_and_the_database_recomputes_probability(seeded: Engine) -> None:
    (old,) = [row for row in deal_rows(seeded) if row["ref_externe"] == "EXISTING-1"]
    time.sleep(0.01)
    outcome = run_import(seeded, "Réf;Client;Statut;Montant\r\nEXISTING-1;Existant SA;Négociation;1 500,00\r\n"
                         .encode(), "maj.csv")
    assert (outcome.preview.created, outcome.preview.updated, outcome.preview.duplicates) == (0, 1, 0)
    (new,) = [row for row in deal_rows(seeded) if row["ref_externe"] == "EXISTING-1"]
    assert new["id"] == old["id"] and len(deal_rows(seeded)) == len(EXISTING_DEALS)
    assert (new["statut"], new["montant_brut"]) == ("Négociation", Decimal("1500.00"))
    assert (new["probabilite"], new["valeur_ponderee"]) == (Decimal("0.70"), Decimal("1050.00"))
    # Columns the file does not have keep their values; the database moves updated_at, not created_at.
    assert (new["secteur"], new["date_echeance"], new["assignee"]) == (old["secteur"], old["date_echeance"],
                                                                       old["assignee"])
    assert new["created_at"] == old["created_at"] and new["updated_at"] > old["updated_at"]
    assert_rollup_matches_deals(seeded)
    again = run_import(seeded, "Réf;Client;Statut;Montant\r\nEXISTING-1;Existant SA;Négociation;1 500,00\r\n"
                       .encode(), "maj.csv")
    assert (again.preview.updated, again.preview.duplicates) == (0, 1)


def test_a_mapped_but_empty_cell_clears_the_value_on_update(seeded: Engine) -> None:
    run_import(seeded, "Réf;Client;Statut;Montant;Secteur\r\nEXISTING-1;Existant SA;Prospect;1000;\r\n".encode(),
               "maj.csv")
    (deal,) = [row for row in deal_rows(seeded) if row["ref_externe"] == "EXISTING-1"]
    assert deal["secteur"] is None


TO_ESTIMATE = ("Réf;Client;Statut;Montant;Échéance\r\n"
               "CRM-1;Alpha SA;Prospect;{};01/12/2026\r\n"
               "CRM-2;Beta SARL;Négociation;{};15/01/2027\r\n"
               "CRM-3;Gamma SAS;Perdu;{};\r\n")


def test_reimporting_with_the_amounts_filled_in_updates_them_in_place(engine: Engine) -> None:
    first = run_import(engine, TO_ESTIMATE.format("", "", "").encode(), "export.csv")
    assert (first.preview.created, first.preview.without_amount) == (3, 3)
    before = deal_rows(engine)
    assert [(row["montant_brut"], row["valeur_ponderee"]) for row in before] == [(None, None)] * 3
    assert_rollup_matches_deals(engine)
    time.sleep(0.01)

    filled = TO_ESTIMATE.format("1 200,00", "3 000", "0").encode()
    preview = preview_import(engine, filled, "export.csv")
    assert (preview.created, preview.updated, preview.duplicates, preview.rejected) == (0, 3, 0, 0)
    assert preview.without_amount == 0 and "à mettre à jour : 3" in preview.summary
    outcome = run_import(engine, filled, "export.csv")
    assert outcome.preview == preview and "3 deals mis à jour" in outcome.message
    after = deal_rows(engine)
    assert [row["id"] for row in after] == [row["id"] for row in before]
    assert [(row["ref_externe"], row["montant_brut"], row["valeur_ponderee"]) for row in after] == [
        ("CRM-1", Decimal("1200.00"), Decimal("120.00")), ("CRM-2", Decimal("3000.00"), Decimal("2100.00")),
        ("CRM-3", Decimal("0.00"), Decimal("0.00"))]
    assert all(new["created_at"] == old["created_at"] and new["updated_at"] > old["updated_at"]
               for old, new in zip(before, after, strict=True))
    assert_rollup_matches_deals(engine)
    again = run_import(engine, filled, "export.csv")
    assert (again.preview.created, again.preview.updated, again.preview.duplicates) == (0, 0, 3)


def test_without_a_reference_a_deal_equal_on_client_amount_date_and_stage_is_a_duplicate(seeded: Engine) -> None:
    content = ("Client;Statut;Montant;Échéance;Notes\r\n"
               "Sans Réf SARL;Qualifié;2 500,50;;une autre note\r\n"     # same key: duplicate
               "Sans Réf SARL;Qualifié;2 500,51;;\r\n"                   # another amount: new deal
               "Existant SA;Prospect;1 000,00;01/12/2026;\r\n").encode()  # same key as a deal with a ref
    outcome = run_import(seeded, content, "sans_ref.csv")
    assert (outcome.preview.created, outcome.preview.duplicates) == (1, 2)
    assert len(deal_rows(seeded)) == len(EXISTING_DEALS) + 1


def test_preview_writes_nothing_and_promises_exactly_what_the_import_does(seeded: Engine) -> None:
    before, runs = deals_state(seeded), import_run_count(seeded)
    preview = preview_import(seeded, MIXED.encode(), "mixte.csv")
    assert (deals_state(seeded), import_run_count(seeded)) == (before, runs)
    assert (preview.created, preview.updated, preview.duplicates, preview.rejected) == (2, 1, 3, 1)
    outcome = run_import(seeded, MIXED.encode(), "mixte.csv")
    assert outcome.preview == preview
    assert len(deal_rows(seeded)) == len(EXISTING_DEALS) + 2
    assert_rollup_matches_deals(seeded)


def test_preview_and_outcome_survive_pickling_for_any_cache_or_store(seeded: Engine) -> None:
    preview = preview_import(seeded, MIXED.encode(), "mixte.csv")
    outcome = run_import(seeded, MIXED.encode(), "mixte.csv")
    assert pickle.loads(pickle.dumps(preview)) == preview
    assert pickle.loads(pickle.dumps(outcome)) == outcome


def test_batch_boundaries_do_not_change_the_result(seeded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = preview_import(seeded, MIXED.encode(), "mixte.csv")
    monkeypatch.setattr(writing, "BATCH_ROWS", 1)
    assert preview_import(seeded, MIXED.encode(), "mixte.csv") == whole
    outcome = run_import(seeded, MIXED.encode(), "mixte.csv")
    counts = outcome.preview
    assert (counts.created, counts.updated, counts.duplicates, counts.rejected) == (2, 1, 3, 1)
    assert_rollup_matches_deals(seeded)


@pytest.mark.parametrize("start", ["empty-table", "existing-deals"])
def test_a_database_error_midway_leaves_nothing_written(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    if start == "existing-deals":
        run_import(engine, fixture_bytes("hubspot_deals.csv"), "hubspot.csv")
    before, runs, indexes = deals_state(engine), import_run_count(engine), deal_index_definitions(engine)
    monkeypatch.setattr(writing, "BATCH_ROWS", 2)
    load = writing.ImportWriter._load
    calls = []

    def failing_load(self: writing.ImportWriter, table: str, columns: tuple[str, ...], rows: list) -> None:
        calls.append(table)
        if len(calls) == 3:
            self._sql("INSERT INTO deals (client) VALUES (NULL)")  # a real constraint violation
        load(self, table, columns, rows)

    monkeypatch.setattr(writing.ImportWriter, "_load", failing_load)
    outcome = run_import(engine, fixture_bytes("pipedrive_deals.csv"), "pipedrive.csv")
    assert "rien n'a été écrit" in outcome.message
    assert outcome.run_id is None
    assert (deals_state(engine), import_run_count(engine)) == (before, runs)
    assert deal_index_definitions(engine) == indexes


def test_a_first_import_leaves_every_index_as_the_migrations_made_it(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)  # a database of its own: the shared one could hide a lost index
    upgrade(engine)
    migrated = deal_index_definitions(engine), deal_constraint_definitions(engine)
    outcome = run_import(engine, fixture_bytes("excel_fr_cp1252.csv"), "export.csv")
    assert outcome.preview.created > 0
    assert (deal_index_definitions(engine), deal_constraint_definitions(engine)) == migrated
    again = run_import(engine, fixture_bytes("hubspot_deals.csv"), "hubspot.csv")
    assert again.preview.created > 0
    assert (deal_index_definitions(engine), deal_constraint_definitions(engine)) == migrated
    engine.dispose()


def test_history_lists_each_import_newest_first(engine: Engine) -> None:
    run_import(engine, fixture_bytes("hubspot_deals.csv"), "hubspot.csv")
    run_import(engine, fixture_bytes("hubspot_deals.csv"), "hubspot.csv")
    run_import(engine, fixture_bytes("zoho_deals.csv"), "zoho.csv")
    history = recent_import_runs(engine)
    assert [(run.file_name, run.created, run.duplicates, run.rejected) for run in history] == [
        ("zoho.csv", 7, 0, 0), ("hubspot.csv", 0, 9, 0), ("hubspot.csv", 9, 0, 0)]
    assert len(recent_import_runs(engine, limit=2)) == 2
    preview_import(engine, fixture_bytes("pipedrive_deals.csv"), "pipedrive.csv")
    assert len(recent_import_runs(engine)) == 3
