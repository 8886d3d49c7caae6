"""Who imported, on both databases: an import made by an account records its display name on the import run (and
on the deals' history), the import history returns it and its "Par" column shows it; an import without an
account (solo mode, the command line) leaves it empty."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from domain.accounts import Actor, Role
from layouts.import_panel import HISTORY_COLUMNS, history_rows
from services.cache import VersionedCache
from services.imports import ImportService
from services.writes import DealWrites
from settings import Settings
from tests.importing.conftest import fixture_bytes
from wiring import make_cache_backend

LEA = Actor("Léa Dubois", Role.COMMERCIAL)


@pytest.fixture
def imports(engine: Engine) -> ImportService:
    return ImportService(engine, DealWrites(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple")))))


def test_an_import_by_an_account_names_it_in_the_history(engine: Engine, imports: ImportService) -> None:
    assert imports.run(fixture_bytes("hubspot_deals.csv"), "hubspot.csv", actor=LEA).run_id is not None
    assert imports.run(fixture_bytes("zoho_deals.csv"), "zoho.csv").run_id is not None  # solo mode

    with engine.connect() as connection:
        stored = connection.execute(text("SELECT file_name, user_name FROM import_runs ORDER BY id")).all()
        named = connection.execute(text("SELECT DISTINCT user_name FROM deal_events WHERE source = 'import'")).all()
    assert [tuple(row) for row in stored] == [("hubspot.csv", LEA.name), ("zoho.csv", None)]
    assert sorted(row[0] or "" for row in named) == ["", LEA.name]

    history = imports.history()
    assert [(run.file_name, run.user_name) for run in history] == [("zoho.csv", None), ("hubspot.csv", LEA.name)]
    by = next(column["headerName"] for column in HISTORY_COLUMNS if column["field"] == "user_name")
    assert by == "Par"
    assert [(row["file_name"], row["user_name"]) for row in history_rows(history)] == [
        ("zoho.csv", "—"), ("hubspot.csv", LEA.name)]
