"""A `crm import` process killed with SIGKILL while its transaction is writing: nothing of that file stays.

No `finally`, no rollback runs in a killed process: what protects the database is the import being one
transaction (PostgreSQL ends the orphaned session's transaction; SQLite ignores the uncommitted WAL frames on the
next open). Then the same file imports completely, as if the first attempt had never happened.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from benchmarks.import_benchmark import write_csv
from tests.faults.ledger import database_ledger, deals_in_database, deals_in_file, ledger, table_counts
from tests.faults.processes import start_import, wait_until

# Enough rows for the import to write several batches (PostgreSQL) or to hold the write lock for seconds (SQLite).
ROWS = {"postgresql": 120_000, "sqlite": 30_000}
IMPORT_TIMEOUT_S = 900


def _writing_on_postgres(engine: Engine) -> bool:
    """Another session's transaction has begun writing into `deals` (it holds the lock an INSERT or COPY takes,
    until the transaction ends)."""
    with engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_locks WHERE relation = 'deals'::regclass AND mode = 'RowExclusiveLock' "
            "AND pid <> pg_backend_pid()")))


def _writing_on_sqlite(database: str) -> bool:
    """Another connection holds the database's write lock (its write transaction is open)."""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def _wait_until_writing(database_url: str, engine: Engine, importing: subprocess.Popen[bytes]) -> None:
    url = make_url(database_url)
    writing = ((lambda: _writing_on_sqlite(url.database)) if url.get_backend_name() == "sqlite"
               else (lambda: _writing_on_postgres(engine)))

    def started_writing() -> bool:
        assert importing.poll() is None, "the import ended before it could be killed"
        return writing()

    wait_until(started_writing, IMPORT_TIMEOUT_S, "the import's transaction to write")


def test_an_import_killed_while_writing_leaves_nothing_and_imports_again(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    backend = make_url(database_url).get_backend_name()
    earlier = [("AVANT-1", "Déjà là SA", "Gagné", "1500.00"), ("AVANT-2", "Ancien client", "Prospect", "")]
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (ref_externe, client, statut, montant_brut) "
                                "VALUES (:ref, :client, :stage, :amount)"),
                           [dict(zip(("ref", "client", "stage", "amount"), (ref, client, stage, amount or None),
                                     strict=True)) for ref, client, stage, amount in earlier])
    file = tmp_path / "export.csv"
    write_csv(file, ROWS[backend])
    before, counts_before = database_ledger(engine), table_counts(engine)
    assert before == ledger(earlier)

    importing = start_import(database_url, file, tmp_path / "killed.txt")
    try:
        _wait_until_writing(database_url, engine, importing)
    finally:
        importing.send_signal(signal.SIGKILL)
        importing.wait(timeout=60)

    assert importing.returncode == -signal.SIGKILL
    assert "terminé" not in (tmp_path / "killed.txt").read_text()
    assert database_ledger(engine) == before
    assert table_counts(engine) == counts_before  # no deal, no history event, no import run claims the file

    again = start_import(database_url, file, tmp_path / "again.txt")
    assert again.wait(timeout=IMPORT_TIMEOUT_S) == 0, (tmp_path / "again.txt").read_text()
    expected = [*earlier, *deals_in_file(file)]
    assert database_ledger(engine) == ledger(expected), sorted(set(deals_in_database(engine)) ^ set(expected))[:5]
    assert table_counts(engine) == {"deals": len(expected), "import_runs": counts_before["import_runs"] + 1,
                                    "deal_events": counts_before["deal_events"] + ROWS[backend]}
    assert f"{ROWS[backend]:,} deals créés".replace(",", "\u202f") in (tmp_path / "again.txt").read_text()
