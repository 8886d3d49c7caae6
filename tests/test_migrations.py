"""Migrations build the whole schema from nothing and take it back down cleanly, on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from data.db import make_engine
from data.migrate import downgrade, upgrade

TABLES = {"deals", "import_runs", "deal_rollup", "deal_totals"}


def test_upgrade_from_empty_then_downgrade_to_empty(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) >= TABLES
    leading = {index["column_names"][0] for index in inspector.get_indexes("deals")}
    assert {"statut", "secteur", "date_echeance", "assignee"} <= leading

    downgrade(engine)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) <= {"alembic_version"}
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            leftovers = connection.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"))
        else:
            leftovers = connection.scalar(text(
                "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public'"))
    assert leftovers == 0

    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


PREVIOUS_HEAD = "0006_demo_flag"
DEALS_BEFORE = [("Acme", "Gagné", "1200.00", "BTP", "2026-12-01"), ("Bolt", "Prospect", "300.50", None, None),
                ("Cora", "Perdu", "80.00", "BTP", "2026-10-15")]


def _rows(connection: Connection, statement: str) -> list[tuple]:
    return [(stage, sector, int(n), int(with_amount), Decimal(str(gross)), Decimal(str(weighted)))
            for stage, sector, n, with_amount, gross, weighted in connection.execute(text(statement))]


def _summary_rows(connection: Connection, table: str) -> list[tuple]:
    return _rows(connection, f"SELECT statut, secteur, n, n_montant, montant, ponderee FROM {table} ORDER BY 1, 2, 3")


def _expected_totals(connection: Connection) -> list[tuple]:
    """deal_totals recomputed from `deals` alone."""
    return _rows(connection, "SELECT statut, secteur, count(*), count(montant_brut), coalesce(sum(montant_brut), 0), "
                             "coalesce(sum(valeur_ponderee), 0) FROM deals GROUP BY statut, secteur, assignee "
                             "ORDER BY 1, 2, 3")


def test_optional_amount_migration_keeps_the_rows_of_the_previous_head(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, PREVIOUS_HEAD)
    with engine.begin() as connection:
        for client, statut, amount, sector, due in DEALS_BEFORE:
            connection.execute(text(
                "INSERT INTO deals (client, statut, montant_brut, secteur, date_echeance, ref_externe) "
                "VALUES (:c, :s, :m, :sec, :d, :c)"), {"c": client, "s": statut, "m": amount, "sec": sector,
                                                       "d": due})
        before = connection.execute(text(
            "SELECT id, client, statut, montant_brut, probabilite, valeur_ponderee, secteur, date_echeance, "
            "created_at FROM deals ORDER BY id")).all()

    upgrade(engine)
    with engine.begin() as connection:
        after = connection.execute(text(
            "SELECT id, client, statut, montant_brut, probabilite, valeur_ponderee, secteur, date_echeance, "
            "created_at FROM deals ORDER BY id")).all()
        assert after == before
        assert _summary_rows(connection, "deal_totals") == _expected_totals(connection)
        # The new rule holds for every writer, and the rule triggers survived the SQLite rebuild.
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Dune', 'Qualifié', NULL), "
                                "('Erg', 'Perdu', 0)"))
        connection.execute(text("UPDATE deals SET montant_brut = NULL WHERE client = 'Bolt'"))
        rows = dict(connection.execute(text("SELECT client, probabilite FROM deals")).all())
        assert Decimal(str(rows["Dune"])) == Decimal("0.30")
        assert connection.scalar(text("SELECT valeur_ponderee FROM deals WHERE client = 'Dune'")) is None
        assert _summary_rows(connection, "deal_totals") == _expected_totals(connection)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Neg', 'Prospect', -1)"))
    engine.dispose()


def test_downgrade_refuses_while_a_deal_has_no_amount_or_zero(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Acme', 'Gagné', 900), "
                                "('Bolt', 'Prospect', NULL), ('Cora', 'Perdu', 0)"))
    with pytest.raises(RuntimeError, match=r"1 deal\(s\) sans montant et 1 deal\(s\) à 0 €"):
        downgrade(engine, PREVIOUS_HEAD)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 3

    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET montant_brut = 150 WHERE montant_brut IS NULL OR montant_brut = 0"))
    downgrade(engine, PREVIOUS_HEAD)
    with engine.begin() as connection:
        assert connection.scalar(text("SELECT sum(montant_brut) FROM deals")) == 1200
        rollup = connection.execute(text("SELECT sum(n), sum(montant) FROM deal_rollup")).one()
        assert (int(rollup[0]), Decimal(str(rollup[1]))) == (3, Decimal("1200"))
        connection.execute(text("DELETE FROM deals WHERE client = 'Acme'"))
        assert int(connection.scalar(text("SELECT sum(n) FROM deal_totals"))) == 2
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Dune', 'Prospect', NULL)"))
    upgrade(engine)
    engine.dispose()
