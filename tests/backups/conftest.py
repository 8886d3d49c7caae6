"""A database holding a bit of everything, an empty one of the same kind beside it, and every row of either."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, select

from data.db import make_engine
from settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database
from wiring import Services, build_services

DAY = date(2026, 11, 21)
CSV = "Client;Statut;Montant;Référence\r\nAtelier Lumière;Négociation;12 500;IMP-1\r\n".encode()


def every_row(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Each table of the database (reflected, so a table added later is compared too) with its rows, sorted."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
                for name, table in metadata.tables.items()}


def services_on(url: str) -> Services:
    return build_services(Settings(database_url=url, cache_type="simple"))


def fill(url: str) -> Services:
    """Demo deals with their history, an imported file, an account with an API token."""
    services = services_on(url)
    services.writes.seed_demo(DAY)
    outcome = services.writes.import_file(CSV, "prospects.csv")
    assert outcome.run_id is not None, outcome.preview.error
    services.accounts.add("lea@exemple.fr", "Léa Dubois", "admin", "un mot de passe solide", "lea@exemple.fr")
    services.tokens.create("lea@exemple.fr", "Zapier")
    return services


@pytest.fixture
def filled(database_url: str) -> Iterator[Services]:
    """The services on a database holding a bit of everything (both backends)."""
    services = fill(database_url)
    yield services
    services.engine.dispose()


@pytest.fixture
def empty_twin(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new database, never migrated, of the same kind as `database_url`."""
    url = f"sqlite:///{tmp_path / 'twin.sqlite3'}" if database_url.startswith("sqlite") else create_postgres_database()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if not url.startswith("sqlite"):
        drop_postgres_database(url)
