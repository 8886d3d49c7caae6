"""The deal history (`deal_events`), written by database triggers for every writer, and the version that moves
on every update: same tests on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import IntegrityError

from data.models import Deal, DealEvent
from data.write_context import DEMO, FORMULAIRE, GRILLE, HORS_APPLICATION, IMPORT, SOURCES, write_source
from services.cache import VersionedCache
from services.importing import preview_import, run_import
from services.writes import DealWrites
from settings import Settings
from wiring import make_cache_backend

EVENT = "SELECT deal_id, action, field, old_value, new_value, source, user_name FROM deal_events"


@pytest.fixture(autouse=True)
def _no_history_yet(engine: Engine) -> None:
    """The PostgreSQL test database is emptied with TRUNCATE between tests, which the history records."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM deal_events"))


def add_deal(connection: Connection, client: str = "Acme", statut: str = "Prospect", amount: str | None = "1000",
             deal_id: int | None = None) -> int:
    """A deal written in raw SQL, as psql or a script would; returns its id."""
    columns, values = ("id, ", ":id, ") if deal_id is not None else ("", "")
    connection.execute(text(f"INSERT INTO deals ({columns}client, statut, montant_brut) "
                            f"VALUES ({values}:client, :statut, :amount)"),
                       {"id": deal_id, "client": client, "statut": statut, "amount": amount})
    return connection.scalar(text("SELECT max(id) FROM deals WHERE client = :client"), {"client": client})


def events(connection: Connection, deal_id: int | None = None, action: str | None = None) -> list[tuple]:
    """The history rows (deal, action, field, old, new, source, user), oldest first, by deal and/or action."""
    where = " AND ".join(clause for clause, value in (("deal_id = :deal_id", deal_id), ("action = :action", action))
                         if value is not None)
    return [tuple(row) for row in connection.execute(
        text(f"{EVENT}{' WHERE ' + where if where else ''} ORDER BY id"), {"deal_id": deal_id, "action": action})]


def version(connection: Connection, deal_id: int) -> int:
    return connection.scalar(text("SELECT version FROM deals WHERE id = :id"), {"id": deal_id})


def test_a_raw_sql_update_is_recorded_as_made_outside_the_app(engine: Engine) -> None:
    with engine.begin() as connection:
        deal_id = add_deal(connection)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Négociation' WHERE id = :id"), {"id": deal_id})
        assert events(connection, deal_id) == [
            (deal_id, "created", None, None, None, HORS_APPLICATION, None),
            (deal_id, "updated", "statut", "Prospect", "Négociation", HORS_APPLICATION, None),
        ]


def test_an_insert_records_created_and_a_delete_records_deleted_and_the_history_stays(engine: Engine) -> None:
    with engine.begin() as connection:
        first, second = add_deal(connection, "Acme"), add_deal(connection, "Bolt")
        connection.execute(text("DELETE FROM deals WHERE id = :id"), {"id": first})
    with engine.connect() as connection:
        assert events(connection) == [(first, "created", None, None, None, HORS_APPLICATION, None),
                                      (second, "created", None, None, None, HORS_APPLICATION, None),
                                      (first, "deleted", None, None, None, HORS_APPLICATION, None)]
        at = connection.execute(text("SELECT min(at), max(at) FROM deal_events")).one()
        assert at[0] is not None and at[1] is not None


def test_each_write_inside_write_source_carries_its_source_and_user(engine: Engine) -> None:
    with engine.begin() as connection:
        with write_source(connection, FORMULAIRE, user="Léa"):
            deal_id = add_deal(connection)
            connection.execute(text("UPDATE deals SET assignee = 'Léa', montant_brut = 1500 WHERE id = :id"),
                               {"id": deal_id})
        with write_source(connection, GRILLE, user="Hugo"):
            connection.execute(text("UPDATE deals SET statut = 'Gagné' WHERE id = :id"), {"id": deal_id})
        # After the block, the same transaction writes as any other tool would.
        connection.execute(text("UPDATE deals SET secteur = 'BTP' WHERE id = :id"), {"id": deal_id})
        with write_source(connection, FORMULAIRE, user="Léa"):
            connection.execute(text("DELETE FROM deals WHERE id = :id"), {"id": deal_id})
    with engine.connect() as connection:
        recorded = events(connection, deal_id)
    assert recorded[0] == (deal_id, "created", None, None, None, FORMULAIRE, "Léa")
    assert sorted(recorded[1:3]) == [(deal_id, "updated", "assignee", None, "Léa", FORMULAIRE, "Léa"),
                                     (deal_id, "updated", "montant_brut", "1000.00", "1500.00", FORMULAIRE, "Léa")]
    assert recorded[3:] == [(deal_id, "updated", "statut", "Prospect", "Gagné", GRILLE, "Hugo"),
                            (deal_id, "updated", "secteur", None, "BTP", HORS_APPLICATION, None),
                            (deal_id, "deleted", None, None, None, FORMULAIRE, "Léa")]


def test_a_restore_records_restored_and_the_earlier_history_of_that_id_stays(engine: Engine) -> None:
    with engine.begin() as connection:
        deal_id = add_deal(connection, amount="250.50")
        connection.execute(text("UPDATE deals SET statut = 'Qualifié' WHERE id = :id"), {"id": deal_id})
        connection.execute(text("DELETE FROM deals WHERE id = :id"), {"id": deal_id})
    with engine.begin() as connection, write_source(connection, FORMULAIRE, user="Léa", restoring=True):
        add_deal(connection, statut="Qualifié", amount="250.50", deal_id=deal_id)
    with engine.connect() as connection:
        assert [row[1:3] for row in events(connection, deal_id)] == [
            ("created", None), ("updated", "statut"), ("deleted", None), ("restored", None)]
        assert events(connection, deal_id, "restored") == [(deal_id, "restored", None, None, None, FORMULAIRE, "Léa")]
        assert version(connection, deal_id) == 1


def test_an_update_that_changes_nothing_records_nothing_but_moves_the_version(engine: Engine) -> None:
    with engine.begin() as connection:
        deal_id = add_deal(connection)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = statut, montant_brut = 1000.00, client = 'Acme', "
                                "secteur = NULL WHERE id = :id"), {"id": deal_id})
        connection.execute(text("UPDATE deals SET notes = 'relancer' WHERE id = :id"), {"id": deal_id})
        assert events(connection, deal_id, "updated") == []
        assert version(connection, deal_id) == 3


@pytest.mark.parametrize(("field", "value", "stored"), [("montant_brut", "12500.50", "12500.50"),
                                                         ("montant_brut", "0", "0.00"),
                                                         ("date_echeance", "2026-12-31", "2026-12-31")])
def test_null_to_a_value_and_back_to_null_are_recorded_in_a_stable_form(
    engine: Engine, field: str, value: str, stored: str
) -> None:
    with engine.begin() as connection:
        deal_id = add_deal(connection, amount=None)
    for new in (value, None):
        with engine.begin() as connection:
            connection.execute(text(f"UPDATE deals SET {field} = :value WHERE id = :id"), {"value": new, "id": deal_id})
    with engine.connect() as connection:
        assert events(connection, deal_id, "updated") == [
            (deal_id, "updated", field, None, stored, HORS_APPLICATION, None),
            (deal_id, "updated", field, stored, None, HORS_APPLICATION, None)]


def test_every_followed_field_is_recorded_once_per_change(engine: Engine) -> None:
    with engine.begin() as connection:
        deal_id = add_deal(connection)
        connection.execute(text(
            "UPDATE deals SET statut = 'Perdu', montant_brut = 0, date_echeance = '2027-01-15', assignee = 'Hugo', "
            "client = 'Acme SA', secteur = 'Santé', ref_externe = 'HS-9', motif_perte = 'Prix', notes = 'non suivi' "
            "WHERE id = :id"), {"id": deal_id})
        changed = sorted(row[2:5] for row in events(connection, deal_id, "updated"))
    assert changed == sorted([("statut", "Prospect", "Perdu"), ("montant_brut", "1000.00", "0.00"),
                              ("date_echeance", None, "2027-01-15"), ("assignee", None, "Hugo"),
                              ("client", "Acme", "Acme SA"), ("secteur", None, "Santé"),
                              ("ref_externe", None, "HS-9"), ("motif_perte", None, "Prix")])


def test_the_version_moves_by_one_on_every_update_whoever_writes_it(engine: Engine) -> None:
    with engine.begin() as connection:
        deal_id = add_deal(connection)
        other = add_deal(connection, "Bolt", statut="Perdu")
        assert (version(connection, deal_id), version(connection, other)) == (1, 1)
    statements = [
        "UPDATE deals SET statut = 'Négociation' WHERE id = :id",  # a stage change: the probability follows too
        "UPDATE deals SET notes = 'relancé' WHERE id = :id",
        "UPDATE deals SET notes = 'relancé' WHERE id = :id",  # changes nothing, still an update
        "UPDATE deals SET probabilite = 0.95 WHERE id = :id",  # put back by the database, still an update
        "UPDATE deals SET version = 42 WHERE id = :id",  # the database decides
    ]
    for expected, statement in enumerate(statements, start=2):
        with engine.begin() as connection:
            connection.execute(text(statement), {"id": deal_id})
            assert version(connection, deal_id) == expected, statement
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET secteur = 'BTP'"))
        assert (version(connection, deal_id), version(connection, other)) == (len(statements) + 2, 2)
        # What the app will do: an update that finds the version it read, or nothing.
        stale = connection.execute(text("UPDATE deals SET statut = 'Gagné' WHERE id = :id AND version = 1"),
                                   {"id": deal_id}).rowcount
        fresh = connection.execute(text("UPDATE deals SET statut = 'Gagné' WHERE id = :id AND version = :v"),
                                   {"id": deal_id, "v": len(statements) + 2}).rowcount
        assert (stale, fresh) == (0, 1)
        probability = connection.scalar(text("SELECT probabilite FROM deals WHERE id = :id"), {"id": deal_id})
    assert float(probability) == 1.0


def test_an_import_records_one_created_per_new_deal_and_a_reimport_one_update_per_changed_amount(
    engine: Engine,
) -> None:
    content = "Réf;Client;Statut;Montant\r\nHS-1;Acme;Prospect;1 000,00\r\nHS-2;Bolt;Gagné;\r\nHS-3;Cora;Perdu;0\r\n"
    assert preview_import(engine, content.encode(), "export.csv").created == 3
    with engine.connect() as connection:
        assert events(connection) == []  # a preview writes nothing, not even its source
    outcome = run_import(engine, content.encode(), "export.csv")
    assert outcome.run_id is not None, outcome.message
    with engine.connect() as connection:
        created = events(connection)
        ids = connection.execute(text("SELECT id FROM deals ORDER BY id")).scalars().all()
    assert sorted(created) == [(deal_id, "created", None, None, None, IMPORT, None) for deal_id in ids]

    outcome = run_import(engine, content.replace("1 000,00", "1 250,00").encode(), "export.csv")
    assert (outcome.preview.created, outcome.preview.updated) == (0, 1)
    with engine.connect() as connection:
        acme = connection.scalar(text("SELECT id FROM deals WHERE ref_externe = 'HS-1'"))
        assert events(connection, action="updated") == [
            (acme, "updated", "montant_brut", "1000.00", "1250.00", IMPORT, None)]
        assert version(connection, acme) == 2
        if engine.dialect.name == "sqlite":
            assert connection.scalar(text("SELECT count(*) FROM write_context")) == 0


def test_demo_data_is_recorded_as_demo(engine: Engine) -> None:
    writes = DealWrites(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple"))))
    seeded = writes.seed_demo(date(2026, 11, 21))
    assert writes.remove_demo() == seeded
    with engine.connect() as connection:
        counts = connection.execute(text("SELECT action, source, count(*) FROM deal_events GROUP BY action, source "
                                         "ORDER BY action")).all()
    by_action = {action: (source, count) for action, source, count in counts}
    assert len(counts) == len(by_action) == 3  # one source per action
    assert by_action["created"] == by_action["deleted"] == (DEMO, seeded)
    assert by_action["updated"][0] == DEMO and by_action["updated"][1] > seeded  # their stories' moves


def _context(connection: Connection) -> tuple:
    if connection.dialect.name == "sqlite":
        return tuple(connection.execute(text("SELECT source, user_name, action FROM write_context")).all())
    return tuple(connection.execute(text(
        "SELECT current_setting('crm.source', true), current_setting('crm.user_name', true), "
        "current_setting('crm.action', true)")).one())


def test_the_write_context_is_gone_after_the_block_even_after_an_error(engine: Engine) -> None:
    empty = () if engine.dialect.name == "sqlite" else ("", "", "")
    with engine.begin() as connection:
        with write_source(connection, FORMULAIRE, user="Léa", restoring=True):
            assert _context(connection) in ((("formulaire", "Léa", "restored"),), ("formulaire", "Léa", "restored"))
            with write_source(connection, GRILLE):  # a nested block gives the outer context back
                assert _context(connection) in ((("grille", None, None),), ("grille", "", ""))
            assert _context(connection) in ((("formulaire", "Léa", "restored"),), ("formulaire", "Léa", "restored"))
        assert _context(connection) in (empty, (None, None, None))
    with pytest.raises(ZeroDivisionError), engine.begin() as connection, write_source(connection, FORMULAIRE):
        add_deal(connection)
        raise ZeroDivisionError
    with engine.connect() as connection:
        assert _context(connection) in (empty, (None, None, None))
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 0
        if engine.dialect.name == "sqlite":
            assert connection.scalar(text("SELECT count(*) FROM write_context")) == 0


def test_write_source_refuses_an_unknown_source_or_a_too_long_user(engine: Engine) -> None:
    assert SOURCES == ("formulaire", "grille", "import", "api", "démo", "hors application")
    with engine.begin() as connection:
        with pytest.raises(ValueError, match="Source d'écriture inconnue"), write_source(connection, "psql"):
            pass
        with pytest.raises(ValueError, match="trop long"), write_source(connection, FORMULAIRE, user="x" * 101):
            pass


def test_the_history_refuses_an_unknown_source_set_by_hand(engine: Engine) -> None:
    """A psql user may set the source; an unknown one is refused with the write rather than recorded."""
    if engine.dialect.name == "sqlite":
        statement = "INSERT INTO write_context (source) VALUES ('psql')"
    else:
        statement = "SELECT set_config('crm.source', 'psql', true)"
    with pytest.raises(IntegrityError, match="source_known"), engine.begin() as connection:
        connection.execute(text(statement))
        add_deal(connection)


@pytest.fixture
def postgres_only(engine: Engine) -> Iterator[Engine]:
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite deletes row by row, recorded above)")
    yield engine


def test_a_truncate_records_every_deal_deleted(postgres_only: Engine) -> None:
    with postgres_only.begin() as connection:
        ids = [add_deal(connection, "Acme"), add_deal(connection, "Bolt")]
    with postgres_only.begin() as connection:
        connection.execute(text("TRUNCATE deals"))
    with postgres_only.connect() as connection:
        assert sorted(row[:2] for row in events(connection, action="deleted")) == [(i, "deleted") for i in ids]


def _last_change_and_latest_row(connection: Connection, deal_id: int) -> tuple:
    deal, latest = (select(Deal.last_change_at).where(Deal.id == deal_id).scalar_subquery(),
                    select(func.max(DealEvent.at)).where(DealEvent.deal_id == deal_id).scalar_subquery())
    return tuple(connection.execute(select(deal, latest)).one())


def test_the_deal_keeps_the_time_of_its_last_history_row(engine: Engine) -> None:
    """`deals.last_change_at` (what makes a deal cold) moves exactly when the history records a change, whoever
    writes it: at the creation, on a tracked field changed with raw SQL, not on a notes-only change."""
    with engine.begin() as connection:
        deal_id = connection.execute(text("INSERT INTO deals (client, statut) VALUES ('Acme', 'Prospect') "
                                          "RETURNING id")).scalar_one()
    with engine.connect() as connection:
        created, first_row = _last_change_and_latest_row(connection, deal_id)
    assert created is not None and abs(created - first_row) < timedelta(seconds=1)

    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET notes = 'appel lundi' WHERE id = :id"), {"id": deal_id})
    with engine.connect() as connection:
        assert _last_change_and_latest_row(connection, deal_id) == (created, first_row)

    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Qualifié' WHERE id = :id"), {"id": deal_id})
    with engine.connect() as connection:
        moved, latest_row = _last_change_and_latest_row(connection, deal_id)
    assert latest_row > first_row and moved >= created and abs(moved - latest_row) < timedelta(seconds=1)
