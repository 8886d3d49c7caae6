"""The database itself enforces the deal rules, on SQLite and PostgreSQL alike (same tests, both backends)."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, Numeric, String, Text, bindparam, exists, inspect, select, text
from sqlalchemy.exc import IntegrityError

from data.demo import demo_deal_filter, has_demo_deals
from data.models import Deal, DealActivity
from domain.fields import DEAL_COLUMNS, FIELDS
from domain.stages import PROBABILITY, STAGE_NAMES
from services.performance_queries import won_times
from tests.importing.conftest import assert_rollup_matches_deals

INSERT = text(
    "INSERT INTO deals (client, statut, montant_brut, probabilite, ref_externe) "
    "VALUES (:client, :statut, :montant, :probabilite, :ref)"
).bindparams(bindparam("montant", type_=Numeric(12, 2)), bindparam("probabilite", type_=Numeric(3, 2)))


def insert(engine: Engine, client: str = "Acme", statut: str = "Prospect", montant: str | None = "1000.00",
           probabilite: str = "0.55", ref: str | None = None) -> int:
    with engine.begin() as connection:
        connection.execute(INSERT, {"client": client, "statut": statut,
                                    "montant": None if montant is None else Decimal(montant),
                                    "probabilite": Decimal(probabilite), "ref": ref})
        return connection.scalar(text("SELECT max(id) FROM deals"))


def read(engine: Engine, deal_id: int) -> dict:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM deals WHERE id = :id"), {"id": deal_id}).mappings().one()
    return dict(row)


def as_decimal(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_probability_and_weighted_value_come_from_the_stage(engine: Engine, stage: str) -> None:
    deal_id = insert(engine, statut=stage, montant="12500.50", probabilite="0.99")
    row = read(engine, deal_id)
    assert as_decimal(row["probabilite"]) == PROBABILITY[stage]
    assert as_decimal(row["valeur_ponderee"]) == (Decimal("12500.50") * PROBABILITY[stage]).quantize(Decimal("0.01"))


def test_changing_the_stage_updates_probability_and_weighted_value(engine: Engine) -> None:
    deal_id = insert(engine, statut="Prospect", montant="20000")
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Négociation' WHERE id = :id"), {"id": deal_id})
    row = read(engine, deal_id)
    assert as_decimal(row["probabilite"]) == Decimal("0.70")
    assert as_decimal(row["valeur_ponderee"]) == Decimal("14000.00")


def test_probability_cannot_be_overwritten_directly(engine: Engine) -> None:
    deal_id = insert(engine, statut="Qualifié")
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET probabilite = 0.95 WHERE id = :id"), {"id": deal_id})
    assert as_decimal(read(engine, deal_id)["probabilite"]) == Decimal("0.30")


def test_updated_at_moves_on_update_and_created_at_does_not(engine: Engine) -> None:
    deal_id = insert(engine)
    before = read(engine, deal_id)
    time.sleep(0.05)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET notes = 'relancé' WHERE id = :id"), {"id": deal_id})
    after = read(engine, deal_id)
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("statut", "Signé"), ("statut", "prospect"), ("client", "   "), ("client", ""), ("montant", "-0.01"),
     ("montant", "-150")],
)
def test_database_refuses_invalid_deals(engine: Engine, field: str, value: str) -> None:
    with pytest.raises(IntegrityError):
        insert(engine, **{field: value})
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 0


@pytest.mark.parametrize("amount", [None, "0"])
def test_an_amount_may_be_missing_or_zero_and_the_weighted_value_follows(engine: Engine, amount: str | None) -> None:
    deal = read(engine, insert(engine, statut="Négociation", montant=amount))
    assert deal["montant_brut"] is None if amount is None else as_decimal(deal["montant_brut"]) == Decimal("0.00")
    assert deal["valeur_ponderee"] is None if amount is None else as_decimal(deal["valeur_ponderee"]) == 0


def test_summary_tables_stay_exact_with_deals_without_amount(engine: Engine) -> None:
    """Any writer (raw SQL here) may add, value, un-value, move and delete deals without amounts."""
    for stage, amount in [("Prospect", None), ("Prospect", None), ("Gagné", "250.50"), ("Perdu", "0"),
                          ("Qualifié", None)]:
        insert(engine, statut=stage, montant=amount)
    assert_rollup_matches_deals(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET montant_brut = 1200 WHERE id = 1"))
        connection.execute(text("UPDATE deals SET montant_brut = NULL, date_echeance = '2026-12-24' WHERE id = 3"))
        connection.execute(text("UPDATE deals SET statut = 'Perdu', secteur = 'BTP' WHERE id = 5"))
        connection.execute(text("DELETE FROM deals WHERE id = 2"))
    assert_rollup_matches_deals(engine)
    with engine.connect() as connection:
        n, with_amount = connection.execute(text("SELECT sum(n), sum(n_montant) FROM deal_totals")).one()
    assert (int(n), int(with_amount)) == (4, 2)


def test_ref_externe_is_unique_when_set(engine: Engine) -> None:
    insert(engine, ref="HS-1")
    insert(engine, ref=None)
    insert(engine, ref=None)
    with pytest.raises(IntegrityError):
        insert(engine, ref="HS-1")


def test_rollup_follows_every_write(engine: Engine) -> None:
    """The summary table the figures read stays equal to a GROUP BY over deals after inserts, updates, deletes."""
    for stage, amount in [("Prospect", "100"), ("Gagné", "250.50"), ("Gagné", "40"), ("Perdu", "900")]:
        insert(engine, statut=stage, montant=amount)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Négociation', secteur = 'BTP' WHERE montant_brut = 40"))
        connection.execute(text("DELETE FROM deals WHERE statut = 'Perdu'"))
        by_deals = connection.execute(text(
            "SELECT statut, secteur, count(*), sum(montant_brut), sum(valeur_ponderee) FROM deals "
            "GROUP BY statut, secteur ORDER BY statut, secteur")).all()
        by_rollup = connection.execute(text(
            "SELECT statut, secteur, sum(n), sum(montant), sum(ponderee) FROM deal_rollup "
            "GROUP BY statut, secteur ORDER BY statut, secteur")).all()
    normalise = [(s, sec, int(n), as_decimal(m), as_decimal(p)) for s, sec, n, m, p in by_deals]
    assert [(s, sec, int(n), as_decimal(m), as_decimal(p)) for s, sec, n, m, p in by_rollup] == normalise
    assert len(normalise) == 3


def test_totals_follow_every_write_including_due_dates(engine: Engine) -> None:
    """The per-(stage, sector, salesperson) totals stay equal to a GROUP BY over deals, due-date count included."""
    for stage, amount in [("Prospect", "100"), ("Gagné", "250.50"), ("Gagné", "40"), ("Perdu", "900")]:
        insert(engine, statut=stage, montant=amount)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET date_echeance = '2026-12-01' WHERE montant_brut IN (100, 900)"))
        connection.execute(text("UPDATE deals SET statut = 'Négociation', assignee = 'Léa' WHERE montant_brut = 40"))
        connection.execute(text("UPDATE deals SET date_echeance = NULL WHERE montant_brut = 900"))
        connection.execute(text("DELETE FROM deals WHERE montant_brut = 250.50"))
        query = ("SELECT statut, secteur, assignee, {n}, {n_due}, {montant}, {ponderee} FROM {table} "
                 "{group} ORDER BY statut, assignee")
        by_deals = connection.execute(text(query.format(
            n="count(*)", n_due="count(date_echeance)", montant="sum(montant_brut)", ponderee="sum(valeur_ponderee)",
            table="deals", group="GROUP BY statut, secteur, assignee"))).all()
        by_totals = connection.execute(text(query.format(
            n="n", n_due="n_due", montant="montant", ponderee="ponderee", table="deal_totals", group=""))).all()
    normalise = [(s, sec, a, int(n), int(d), as_decimal(m), as_decimal(p)) for s, sec, a, n, d, m, p in by_deals]
    assert [(s, sec, a, int(n), int(d), as_decimal(m), as_decimal(p))
            for s, sec, a, n, d, m, p in by_totals] == normalise
    assert [(row[0], row[4]) for row in normalise] == [("Négociation", 0), ("Perdu", 0), ("Prospect", 1)]


def test_migrated_schema_matches_the_model_and_the_field_rules(engine: Engine) -> None:
    """The migrations keep literal sizes (a migration is a snapshot); the model and the import read the field
    rules table. A difference between the two would let a validated row fail in the database mid-import."""
    migrated = {column["name"]: column for column in inspect(engine).get_columns("deals")}
    for column in Deal.__table__.columns:
        reflected = migrated[column.name]["type"]
        if isinstance(column.type, String):
            assert getattr(reflected, "length", None) == column.type.length, column.name
        if isinstance(column.type, Numeric):
            assert (reflected.precision, reflected.scale) == (column.type.precision, column.type.scale), column.name
    for field in FIELDS:
        column = Deal.__table__.columns.get(field.key)
        if column is not None and not isinstance(column.type, Text) and field.max_length is not None:
            assert migrated[field.key]["type"].length == field.max_length, field.key
    assert set(DEAL_COLUMNS) <= set(migrated)
    assert "round" in str(Deal.__table__.c.valeur_ponderee.computed.sqltext)


def test_activity_follows_every_write_and_each_last_change(engine: Engine) -> None:
    """`deal_activity` stays equal to a GROUP BY over deals by stage, sector, salesperson and UTC day of last change,
    whatever moves the last change (a tracked field, a date set on it directly) or leaves it (the notes)."""
    for stage, amount in [("Prospect", "100"), ("Gagné", "250.50"), ("Qualifié", "40"), ("Perdu", "900")]:
        insert(engine, statut=stage, montant=amount)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET last_change_at = '2026-10-01 08:30:00' WHERE montant_brut < 200"))
        connection.execute(text("UPDATE deals SET notes = 'appel' WHERE montant_brut = 100"))
        connection.execute(text("UPDATE deals SET statut = 'Négociation', assignee = 'Léa' WHERE montant_brut = 40"))
        connection.execute(text("DELETE FROM deals WHERE montant_brut = 250.50"))
        deals = connection.execute(select(Deal.statut, Deal.assignee, Deal.last_change_at, Deal.date_echeance)).all()
        a = DealActivity
        by_activity = connection.execute(select(a.statut, a.assignee, a.change_day, a.n, a.n_due)
                                         .order_by(a.statut, a.change_day)).all()
    expected: dict[tuple, list[int]] = {}
    for stage, assignee, at, due in deals:
        counts = expected.setdefault((stage, assignee, at.replace(hour=0, minute=0, second=0, microsecond=0)), [0, 0])
        counts[0] += 1
        counts[1] += due is not None
    assert [tuple(row) for row in by_activity] == sorted(
        (*key, n, due) for key, (n, due) in expected.items())
    assert [key for key in expected if key[0] == "Prospect"] == [("Prospect", None, datetime(2026, 10, 1))]


def test_the_demo_question_reads_the_demo_index_not_the_book(engine: Engine) -> None:
    """The demo badge asks once per data version whether demo deals are left: with the founder's own million deals
    and no demo, a read of the whole table (migration 0018)."""
    statement = select(exists().where(demo_deal_filter())).compile(engine, compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":  # an empty table is read whole whatever its indexes: ask what can serve
            connection.exec_driver_sql("SET enable_seqscan = off")
        plan = " ".join(str(row) for row in connection.exec_driver_sql(f"{explain}{statement}"))
        assert "ix_deals_demo" in plan
        assert has_demo_deals(connection) is False


def test_the_win_times_read_the_wins_index_not_every_stage_change(engine: Engine) -> None:
    """The performance page's cycle and won amounts read each won deal's last change to Gagné: with only the index
    of every stage change, a read of all of them (migration 0019). A history of many moves and a few wins."""
    moves = [{"deal_id": deal_id, "new_value": "Gagné" if deal_id % 100 == 0 else "Qualifié"}
             for deal_id in range(1, 3001)]
    statement = won_times().compile(engine, compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deal_events (deal_id, action, field, old_value, new_value, source) "
                                "VALUES (:deal_id, 'updated', 'statut', 'Prospect', :new_value, 'hors application')"),
                           moves)
        connection.exec_driver_sql("ANALYZE")
        plan = " ".join(str(row) for row in connection.exec_driver_sql(f"{explain}{statement}"))
    assert "ix_deal_events_wins" in plan
