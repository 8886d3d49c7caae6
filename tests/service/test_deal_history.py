"""The history that the database's triggers keep, on both databases: every writer is recorded, the app's writes
with their source, a write from outside the app as "hors application", an import set-based as "import"."""

from __future__ import annotations

from sqlalchemy import Engine, text

from data.write_context import write_source
from services.importing import run_import

HUBSPOT_LIKE = ("Record ID,Deal Name,Deal Stage,Amount,Close Date\n"
                "R-1,Alpha,closedwon,1000,2026-12-01\n"
                "R-2,Beta,appointmentscheduled,,2026-12-02\n")


def _events(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT deal_id, action, field, old_value, new_value, source FROM deal_events ORDER BY id"))]


def _insert(engine: Engine, client: str = "Gamma", stage: str = "Prospect") -> int:
    with engine.begin() as connection:
        return connection.execute(text(
            "INSERT INTO deals (client, statut, montant_brut, date_echeance) VALUES (:c, :s, 500, '2026-12-24') "
            "RETURNING id"), {"c": client, "s": stage}).scalar_one()


def test_a_write_from_outside_the_app_is_recorded_as_such(engine: Engine) -> None:
    deal_id = _insert(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Négociation', montant_brut = NULL WHERE id = :id"),
                           {"id": deal_id})
        connection.execute(text("DELETE FROM deals WHERE id = :id"), {"id": deal_id})
    assert _events(engine) == [
        (deal_id, "created", None, None, None, "hors application"),
        (deal_id, "updated", "statut", "Prospect", "Négociation", "hors application"),
        (deal_id, "updated", "montant_brut", "500.00", None, "hors application"),
        (deal_id, "deleted", None, None, None, "hors application"),
    ]


def test_an_update_that_changes_nothing_records_nothing(engine: Engine) -> None:
    deal_id = _insert(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = statut, client = client WHERE id = :id"), {"id": deal_id})
    assert [event[1] for event in _events(engine)] == ["created"]


def test_the_write_context_ends_with_its_block(engine: Engine) -> None:
    with engine.begin() as connection, write_source(connection, "grille"):
        connection.execute(text("INSERT INTO deals (client, statut) VALUES ('Delta', 'Qualifié')"))
    deal_id = _insert(engine, "Epsilon")
    assert [(event[0] == deal_id, event[5]) for event in _events(engine)] == [(False, "grille"),
                                                                              (True, "hors application")]


def test_an_import_records_what_it_creates_and_changes_as_import(engine: Engine) -> None:
    run_import(engine, HUBSPOT_LIKE.encode(), "hubspot.csv")
    run_import(engine, HUBSPOT_LIKE.replace("R-2,Beta,appointmentscheduled,,", "R-2,Beta,appointmentscheduled,800,")
               .encode(), "hubspot.csv")
    events = _events(engine)
    assert sorted((action, field, source) for _id, action, field, _old, _new, source in events) == [
        ("created", None, "import"), ("created", None, "import"), ("updated", "montant_brut", "import")]
    assert [(old, new) for *_rest, old, new, _source in events if _rest[1] == "updated"] == [(None, "800.00")]
