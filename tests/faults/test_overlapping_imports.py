"""Two `crm import` processes started at the same moment on files that share deals (by reference, and without
one by client, amount, due date and stage): every deal of both files ends up exactly once, and the two reports'
"created" counts add up to the deals written.

Two saves of the same deal at the same moment (one wins, the other gets the French conflict message, one change
in the history) are proven by tests/service/test_deal_writes.py::test_two_saves_at_the_same_moment_make_one_winner
and ::test_a_write_based_on_an_old_version_is_refused_and_says_what_changed, on both databases.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.import_benchmark import HEADER
from tests.faults.ledger import database_ledger, deals_in_file, ledger, table_counts
from tests.faults.processes import start_import

ROWS_PER_FILE = 6_000
SHARED = 2_000  # with a reference
SHARED_WITHOUT_REFERENCE = 200
IMPORT_TIMEOUT_S = 600
CREATED = re.compile(r"terminé : ([\d\u202f\xa0 ]+) deals? créés?")


def _deal(number: int, with_reference: bool = True) -> tuple[str, ...]:
    """One deal's cells in the benchmark's columns; the same number gives the same deal in any file."""
    reference = f"CHEVAUCHE-{number:06d}" if with_reference else ""
    return (f"Client {number}", ("Prospect", "Qualifié", "Gagné")[number % 3], f"{1000 + number},50",
            "Banque", "15/03/2027", "Léa Dubois", "", reference)


def _write(path: Path, numbers: range, shared: range) -> Path:
    """A file of the deals `numbers` (with a reference) then `shared` (without one)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(_deal(number) for number in numbers)
        writer.writerows(_deal(number, with_reference=False) for number in shared)
    return path


def _created(report: str) -> int:
    found = CREATED.search(report)
    assert found, report
    return int(re.sub(r"\D", "", found.group(1)))


def test_two_overlapping_imports_at_the_same_moment_write_each_deal_once(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    without_reference = range(900_000, 900_000 + SHARED_WITHOUT_REFERENCE)
    files = [_write(tmp_path / "premier.csv", range(0, ROWS_PER_FILE), without_reference),
             _write(tmp_path / "second.csv", range(ROWS_PER_FILE - SHARED, 2 * ROWS_PER_FILE - SHARED),
                    without_reference)]
    reports = [tmp_path / f"{file.stem}.txt" for file in files]
    counts_before = table_counts(engine)

    importing = [start_import(database_url, file, report) for file, report in zip(files, reports, strict=True)]
    codes = [process.wait(timeout=IMPORT_TIMEOUT_S) for process in importing]

    texts = [report.read_text() for report in reports]
    assert codes == [0, 0], texts
    union = set(deals_in_file(files[0], "utf-8")) | set(deals_in_file(files[1], "utf-8"))
    assert len(union) == 2 * ROWS_PER_FILE - SHARED + SHARED_WITHOUT_REFERENCE
    assert database_ledger(engine) == ledger(union)
    assert sum(_created(text) for text in texts) == len(union)
    assert table_counts(engine) == {"deals": len(union), "deal_events": counts_before["deal_events"] + len(union),
                                    "import_runs": counts_before["import_runs"] + 2}
