"""A gunicorn worker killed with SIGKILL while it imports an uploaded file: nothing of that file is written, the
master starts another worker, and the same file, previewed and confirmed again, then imports completely.

The app runs as a team runs it (`scripts/serve.sh`: gunicorn, Redis, PostgreSQL) with one worker, so the worker
killed is the one writing; the requests are the page's own preview and confirm callbacks over HTTP.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from benchmarks.import_benchmark import write_csv
from data.db import make_engine
from tests.auth.test_roles_over_http import _send
from tests.auth.test_sign_in import Browser
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.faults.ledger import database_ledger, deals_in_file, ledger, table_counts
from tests.faults.processes import ROOT, STARTUP_S, free_port, wait_until
from tests.faults.test_killed_import import IMPORT_TIMEOUT_S, _writing_on_postgres
from tests.test_serve_script import _children

ROWS = 80_000  # enough for the import to be writing for seconds; within the default upload limit (10 MiB)


@pytest.fixture
def postgres_engine() -> Iterator[tuple[str, Engine]]:
    url = create_postgres_database()
    engine = make_engine(url)
    yield url, engine
    engine.dispose()
    drop_postgres_database(url)


@pytest.fixture
def served(postgres_engine: tuple[str, Engine], redis_url: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`scripts/serve.sh` with one worker; yields its URL and gunicorn's master pid."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": postgres_engine[0], "CACHE_TYPE": "redis", "REDIS_URL": redis_url,
           "WORKERS": "1", "HOST": "127.0.0.1", "PORT": str(port), "AUTH": "off", "DEMO_DATA": "0",
           "DASH_DISABLE_VERSION_CHECK": "true",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # this venv's gunicorn
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve.sh")], cwd=tmp_path, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base, server, log), STARTUP_S, f"serve.sh to answer (log: {log})")
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def _answers(base: str, server: subprocess.Popen[bytes], log: Path) -> bool:
    assert server.poll() is None, log.read_text()[-3000:]
    try:
        return Browser(base, timeout=5).send("/health").status == 200
    except OSError:
        return False


def _upload(file: Path) -> dict[str, object]:
    contents = ["data:text/csv;base64," + base64.b64encode(file.read_bytes()).decode()]
    return {"upload-csv.contents": contents, "upload-csv.filename": [file.name]}


def _preview_and_confirm(base: str, file: Path) -> None:
    """The page's two requests: the preview, then the confirm with the seal the preview answered."""
    browser = Browser(base, timeout=IMPORT_TIMEOUT_S)
    upload = _upload(file)
    seal = _send(browser, "upload-csv.contents", upload)["import-seal"]["data"]
    _send(browser, "import-confirm.n_clicks", {**upload, "import-confirm.n_clicks": 1, "import-seal.data": seal},
          shown={"import-summary": [0]})


def test_a_worker_killed_while_importing_writes_nothing_and_the_file_imports_again(
    postgres_engine: tuple[str, Engine], served: tuple[str, int], tmp_path: Path
) -> None:
    _url, engine = postgres_engine
    base, master = served
    file = tmp_path / "export.csv"
    write_csv(file, ROWS)
    before, counts_before = database_ledger(engine), table_counts(engine)
    [worker] = _children(master)

    failures: list[BaseException] = []

    def import_in_the_worker() -> None:
        try:
            _preview_and_confirm(base, file)
        except (urllib.error.URLError, ConnectionError, AssertionError) as error:  # the worker died under it
            failures.append(error)

    importing = threading.Thread(target=import_in_the_worker)
    importing.start()
    try:
        wait_until(lambda: _writing_on_postgres(engine), IMPORT_TIMEOUT_S, "the worker's import to write")
    finally:
        os.kill(worker, signal.SIGKILL)
        importing.join(timeout=120)

    assert failures, "the confirm was answered: the worker was killed too late"
    assert database_ledger(engine) == before
    assert table_counts(engine) == counts_before  # no deal, no history event, no import run claims the file

    wait_until(lambda: len(_children(master)) == 1 and _children(master) != [worker], STARTUP_S,
               "gunicorn to start another worker")
    _preview_and_confirm(base, file)
    assert database_ledger(engine) == ledger(deals_in_file(file))
    assert table_counts(engine) == {"deals": ROWS, "import_runs": counts_before["import_runs"] + 1,
                                    "deal_events": counts_before["deal_events"] + ROWS}
