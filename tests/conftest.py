"""Shared fixtures: the same tests run on SQLite and on a real PostgreSQL, and browser tests on Chromium.

`scripts/test.sh` starts a throwaway PostgreSQL and a throwaway Redis and sets TEST_DATABASE_URL, TEST_REDIS_URL,
REQUIRE_POSTGRES=1 and REQUIRE_REDIS=1, so a missing server fails the run instead of silently skipping tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from selenium.webdriver.chrome.options import Options
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from data import clock
from data.db import make_engine, normalise_url
from data.migrate import upgrade

TODAY = date(2026, 11, 21)
CHROMIUM = "/usr/bin/chromium"
BACKENDS = ["sqlite", "postgresql"]
TEST_REDIS_DB = 9


def pytest_setup_options() -> Options:
    """Debian's headless Chromium, kept off the network this machine does not have."""
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1440,900"):
        options.add_argument(flag)
    return options


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail at once, with a clear line, when a required real part is missing."""
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.exit("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set: run the tests with scripts/test.sh", 2)
    if os.environ.get("REQUIRE_REDIS") == "1" and not os.environ.get("TEST_REDIS_URL"):
        pytest.exit("REQUIRE_REDIS=1 but TEST_REDIS_URL is not set: run the tests with scripts/test.sh", 2)
    if os.environ.get("REQUIRE_BROWSER") == "1" and not (Path(CHROMIUM).exists() and shutil.which("chromedriver")):
        pytest.exit("REQUIRE_BROWSER=1 but chromium or chromedriver is missing", 2)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium is a browser test, whatever its file or its marks say."""
    for item in items:
        if "dash_duo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def layer_of(node_id: str, keywords: Mapping[str, object]) -> str:
    """Which layer a test belongs to: browser (it drives Chromium), postgresql, sqlite or unit."""
    if "browser" in keywords:
        return "browser"
    parameters = node_id.partition("[")[2].rstrip("]").split("-")
    return next((backend for backend in BACKENDS if backend in parameters), "unit")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many tests passed in each layer, so a run that silently lost a layer shows it."""
    passed = Counter(layer_of(report.nodeid, report.keywords) for report in terminalreporter.stats.get("passed", [])
                     if report.when == "call")
    counts = ", ".join(f"{layer} {passed[layer]}" for layer in ("unit", "sqlite", "postgresql", "browser"))
    terminalreporter.write_line(f"passed per layer: {counts}")


def _postgres_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL not set (scripts/test.sh sets it)")
    return normalise_url(url)


def create_postgres_database() -> str:
    """A new empty database on the test server; returns its URL."""
    admin_url = _postgres_admin_url()
    name = f"crm_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by `create_postgres_database`, closing any session still on it."""
    name = make_url(url).database
    admin = make_engine(_postgres_admin_url()).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def allow_connections(url: str, allowed: bool) -> None:
    """Open or close a PostgreSQL database to new sessions; closing also ends the sessions it has (an outage
    as the app sees it, without stopping the server the other tests use)."""
    name = make_url(url).database
    admin = make_engine(_postgres_admin_url()).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                               {"name": name})
    admin.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis (TEST_REDIS_URL) on a database number of the tests' own, emptied before and after each test."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        message = "TEST_REDIS_URL not set (scripts/test.sh sets it)"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    url = urlunsplit(urlsplit(url)._replace(path=f"/{TEST_REDIS_DB}"))
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a brand-new, unmigrated database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _migrated_postgres_url() -> Iterator[str]:
    url = create_postgres_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a migrated, empty deals database, on SQLite and on PostgreSQL in turn."""
    if request.param == "sqlite":
        path = tmp_path / "deals.sqlite3"
        shutil.copy(request.getfixturevalue("_migrated_sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("_migrated_postgres_url")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE deals, import_runs, deal_events, users, api_tokens RESTART IDENTITY"))
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty migrated database (both backends)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def fixed_today() -> Iterator[date]:
    """Pin "today" to 21/11/2026 (Europe/Paris) for date-dependent figures."""
    clock.fix_today(TODAY)
    yield TODAY
    clock.fix_today(None)


@pytest.fixture
def engine_for_url() -> Iterator:
    """Open engines on given URLs and dispose of them after the test (so databases can be dropped)."""
    engines: list[Engine] = []

    def open_engine(url: str) -> Engine:
        engines.append(make_engine(url))
        return engines[-1]

    yield open_engine
    for opened in engines:
        opened.dispose()
