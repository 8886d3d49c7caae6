"""A SQLite backup taken while the dashboard writes is a consistent snapshot: every write is in it whole, or not
at all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from data.db import make_engine
from data.migrate import upgrade
from domain.stages import STAGE_NAMES
from services import backups

PAIRS = 300


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _write_pairs(engine: Engine, started: threading.Event) -> None:
    """Another connection adds deals two by two, each pair in one transaction."""
    for pair in range(PAIRS):
        with engine.begin() as connection:
            for half in ("a", "b"):
                connection.execute(text("INSERT INTO deals (client, statut, ref_externe) VALUES (:client, :stage, "
                                        ":ref)"), {"client": f"Client {pair}", "stage": STAGE_NAMES[0],
                                                   "ref": f"P{pair}{half}"})
        started.set()


def test_a_backup_while_another_connection_writes_holds_whole_transactions(live: Engine, tmp_path: Path) -> None:
    started = threading.Event()
    writer = threading.Thread(target=_write_pairs, args=(live, started))
    writer.start()
    started.wait(timeout=30)
    saved = tmp_path / "pendant.sauvegarde"
    backups.backup(live, saved)
    writer.join(timeout=120)

    copy = make_engine(f"sqlite:///{tmp_path / 'copie.sqlite3'}")
    backups.restore(copy, saved)
    with copy.connect() as connection:
        saved_deals = connection.scalar(text("SELECT count(*) FROM deals"))
        rollup = connection.scalar(text("SELECT coalesce(sum(n), 0) FROM deal_rollup"))
    copy.dispose()
    with live.connect() as connection:
        written = connection.scalar(text("SELECT count(*) FROM deals"))

    assert written == 2 * PAIRS
    assert 0 < saved_deals < written, "the backup did not happen while the writes went on"
    assert saved_deals % 2 == 0  # no transaction cut in half
    assert rollup == saved_deals  # the figures kept by triggers match the deals they were copied with
