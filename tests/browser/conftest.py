"""Browser fixtures: the dashboard on a database holding the known deals, with today fixed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from dash import Dash
from dash.testing.composite import DashComposite

from app import create_app
from data.db import make_engine
from settings import Settings
from tests.browser import page
from tests.browser.deals import Row, insert_deals, known_deals
from tests.conftest import create_postgres_database, drop_postgres_database


def dashboard_app(database_url: str, rows: list[Row]) -> Dash:
    """The real app (simple cache, no demo deals) on `database_url` after inserting `rows`."""
    engine = make_engine(database_url)
    app = create_app(Settings(database_url=database_url, demo_data=False, cache_type="simple"))
    insert_deals(engine, rows)
    engine.dispose()
    return app


@pytest.fixture
def deals() -> list[Row]:
    """The known deals every browser test starts from."""
    return known_deals()


def sqlite_copy(template: Path, folder: Path) -> str:
    """The URL of a fresh copy of the migrated, empty SQLite template (much faster than migrating)."""
    path = folder / "deals.sqlite3"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_url(tmp_path: Path, _migrated_sqlite_template: Path) -> str:
    """A migrated, empty SQLite database of its own."""
    return sqlite_copy(_migrated_sqlite_template, tmp_path)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new PostgreSQL database of its own (the app migrates it), dropped afterwards."""
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def open_drawn(dash_duo: DashComposite, database_url: str, rows: list[Row]) -> DashComposite:
    """The page open in Chromium on `rows`, every output drawn."""
    dash_duo.start_server(dashboard_app(database_url, rows))
    dash_duo.wait_for_element("#table-deadlines .ag-row .ag-cell", timeout=page.TIMEOUT)
    page.wait_idle(dash_duo)
    return dash_duo


@pytest.fixture
def dashboard(dash_duo: DashComposite, fixed_today: date, sqlite_url: str, deals: list[Row]) -> DashComposite:
    """The page open in Chromium on the known deals, every output drawn."""
    return open_drawn(dash_duo, sqlite_url, deals)
