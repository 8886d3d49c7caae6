"""An import that fails inside the database tells the founder in French and keeps the driver's words
(table names, SQL) for the log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine, text

from services.importing import run_import
from tests.security.conftest import deals_checksum


def test_a_database_failure_shows_a_french_sentence_and_logs_the_detail(engine: Engine,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    before = deals_checksum(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE import_runs RENAME TO import_runs_away"))
    try:
        with caplog.at_level(logging.ERROR):
            outcome = run_import(engine, "Client;Statut;Montant\r\nAcme;Gagné;1 000\r\n".encode(), "deals.csv")
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE import_runs_away RENAME TO import_runs"))
    assert outcome.run_id is None
    assert outcome.error is not None and outcome.error.startswith("L'import a échoué dans la base de données")
    assert "import_runs" not in outcome.error and "INSERT" not in outcome.error.upper()
    assert "import_runs" in caplog.text
    assert deals_checksum(engine) == before
