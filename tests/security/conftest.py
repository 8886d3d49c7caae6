"""A real dashboard served over HTTP on loopback, for the tests that send what a browser never would."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from werkzeug.serving import make_server

from app import create_app
from data.db import make_engine
from security_headers import BannerlessRequestHandler
from settings import Settings

UPLOAD_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Served:
    """The base URL of a running app, and its database."""

    url: str
    engine: Engine


def serve(settings: Settings) -> Iterator[Served]:
    """`create_app(settings)` on a free loopback port until the test ends, served as `python app.py` serves it."""
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True, request_handler=BannerlessRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    engine = make_engine(settings.database_url)
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}", engine)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        engine.dispose()


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    """The app with its demo deals, a small upload limit, on SQLite and on PostgreSQL."""
    settings = Settings(database_url=database_url, demo_data=False, cache_type="simple", upload_max_bytes=UPLOAD_LIMIT)
    yield from serve(settings)


def deals_checksum(engine: Engine) -> tuple[int, str]:
    """Row count and a digest of every deal's values: equal before and after means nothing was written."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT id, client, statut, montant_brut, secteur, date_echeance, assignee, notes, ref_externe, est_demo "
            "FROM deals ORDER BY id")).all()
        runs = connection.scalar(text("SELECT count(*) FROM import_runs"))
    return len(rows) + runs, str(hash(tuple(map(tuple, rows))))
