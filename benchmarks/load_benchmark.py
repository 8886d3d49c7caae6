"""Load benchmark (issue 18): simulated users against the production set-up, with the figures a team needs.

The set-up is the one `scripts/serve.sh` runs: gunicorn with `--workers` workers (`--preload`), the cache on
Redis, PostgreSQL holding `--size` generated deals (`benchmarks/bench_data.py`). Then:
1. a team of 10 salespeople's accounts (AUTH=on) and an API token are created; headless Chromium signs in and
   drives the real page once, and the page probe (`page_probe.js`) keeps every callback request body it sends,
   per action: opening the page, the browser benchmark's 25 filter changes, clicks on sector bars, grid pages
   and sorts, searches, saving a new deal from the form, an import's preview and confirmation, the CSV export;
2. Locust (`benchmarks/locustfile.py`, headless, bounded) runs `--users` people, each signed in with an account
   of the team and arriving one a second, then all replaying those actions for `--seconds`, plus one import a
   minute, two or three exports of the whole view a minute (link, then download) and a script paging the REST
   API with its token;
3. it prints requests per second, p50 / p95 / p99 per request type (over the whole run, arrivals included), the
   errors, and each worker's resident memory (the peak of one-second samples), with the data size and the
   machine's facts. Targets: 0 errors, p95 under 500 ms for every request type but the import, memory under
   300 MB per worker.

    .venv/bin/python benchmarks/load_benchmark.py --postgres-url postgresql://postgres@127.0.0.1:55432/postgres \\
        [--size 100000] [--users 50] [--seconds 60] [--workers 4] [--redis-url redis://127.0.0.1:6379/0]

Without `--redis-url` a throwaway `redis-server` (no persistence) is started on a free port and stopped at the
end. The `load_<N>` database is created, filled and dropped at the end. A script, not a test.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium.webdriver.common.by import By  # noqa: E402

from benchmarks.bench_data import PostgresTarget, fill, machine_facts  # noqa: E402
from benchmarks.browser_benchmark import filter_changes  # noqa: E402
from benchmarks.live_app import (  # noqa: E402
    DASHBOARD_OUTPUTS,
    chromium,
    dash_requests,
    free_port,
    in_page,
    install_probe,
    open_dashboard,
    settle_options,
)
from data.db import make_engine  # noqa: E402
from domain.stages import STAGES  # noqa: E402
from layouts import ids  # noqa: E402
from services.accounts import Accounts  # noqa: E402
from services.tokens import ApiTokens  # noqa: E402

KIB = 1024
READY_TIMEOUT_S = 120
SAVE_MARKER = "Charge Enregistrée SAS"
TEAM = tuple(f"charge{number:02d}" for number in range(1, 11))  # the team's accounts, signed in round robin
PASSWORD = "mot-de-passe-de-charge"
FIXED_USERS = 3  # the importer, the exporter and the API script, beside the --users people
# People arrive one a second, as a team does over a morning's first minute, rather than all signing in at once:
# a sign-in costs about 0.2 s of CPU by design (argon2id, 64 MiB), and 53 at once would measure only that queue.
SPAWN_PER_SECOND = 1
SECTOR_CLICKS = ("Logiciel", "Banque", "Industrie", "Santé")
SEARCHES = ("conseil", "alpine", "armor sa", "relancer")
GRID_REQUESTS = (
    {"startRow": 100, "endRow": 200, "sortModel": [], "filterModel": {}},
    {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "montant_brut", "sort": "desc"}], "filterModel": {}},
    {"startRow": 200, "endRow": 300, "sortModel": [{"colId": "client", "sort": "asc"}], "filterModel": {}},
)
RECORD_FILE = ("Client;Statut;Montant;Secteur;Échéance;Commercial;Référence\n"
               "Enregistrement Import SAS;Prospect;1234,50;Conseil;15/03/2027;Léa Charge;LOAD-RECORD-1\n")


def create_team(database_url: str) -> str:
    """The team's accounts (salespeople) and an API token for the first; returns the token's secret."""
    engine = make_engine(database_url)
    try:
        accounts = Accounts(engine)
        for number, login in enumerate(TEAM, start=1):
            accounts.add(login, f"Commercial {number}", "commercial", PASSWORD)
        return ApiTokens(engine).create(TEAM[0], "charge")[1]
    finally:
        engine.dispose()


@contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    """The given Redis, or a throwaway one (no disk writes) for the run."""
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: install Debian's redis-server package, or give --redis-url")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="load-redis-") as folder:
        process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL)
        try:
            _wait_for(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                             text=True).stdout.strip() == "PONG", "redis-server")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for(ready: Any, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what} did not start in {READY_TIMEOUT_S} s")


@contextmanager
def served(database_url: str, redis_url: str, workers: int, log_path: Path) -> Iterator[tuple[str, int]]:
    """`scripts/serve.sh` on a free port; yields the URL and gunicorn's master pid, stopped at the end."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "CACHE_TYPE": "redis", "REDIS_URL": redis_url,
           "WORKERS": str(workers), "HOST": "127.0.0.1", "PORT": str(port), "DEMO_DATA": "0", "AUTH": "on",
           "SECRET_KEY": secrets.token_urlsafe(48), "DASH_DISABLE_VERSION_CHECK": "true"}
    with log_path.open("ab") as log:
        process = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: urllib.request.urlopen(f"{url}/health", timeout=2).status == 200, f"serve.sh ({log_path})")
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _sign_in(driver: Any, url: str) -> None:
    """The sign-in page, filled and sent as a person does, with the team's first account."""
    driver.get(f"{url}/login")
    driver.find_element(By.NAME, "login").send_keys(TEAM[0])
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.NAME, "password").submit()
    _wait_for(lambda: "/login" not in driver.current_url, "the sign-in")


def _bodies(driver: Any) -> list[str]:
    return [request.body for request in dash_requests(driver) if request.body]


def _act(driver: Any, action: dict[str, Any]) -> list[str]:
    dash_requests(driver)
    in_page(driver, "change", action, settle_options(first_render=False))
    return _bodies(driver)


def _answered(driver: Any, action: dict[str, Any]) -> list[str]:
    """An action whose answer lands outside the dashboard's outputs (the grid's row cache, the import panel), so
    the probe's "settled" cannot tell: wait for the first answer, then half a second for what it sets off."""
    dash_requests(driver)
    driver.execute_script("performance.clearResourceTimings(); var action = arguments[0];"
                          "if (action.click) { document.getElementById(action.click).click(); }"
                          "else { window.dash_clientside.set_props(action.id, action.props); }", action)
    answered = ("return performance.getEntriesByType('resource').filter(function (entry) {"
                " return entry.name.indexOf('_dash-update-component') !== -1 && entry.responseEnd > 0; }).length;")
    _wait_for(lambda: driver.execute_script(answered) > 0, "a callback's answer")
    time.sleep(0.5)
    return _bodies(driver)


def _save_from_form(driver: Any) -> list[str]:
    """Open the form, type a client and an amount, save: the requests of a save and of the refresh it causes."""
    dash_requests(driver)
    driver.find_element(By.ID, ids.DEAL_NEW).click()
    field = '[id=\'{{"key":"{key}","type":"{kind}"}}\']'
    deadline = time.monotonic() + 30
    while not driver.find_elements(By.CSS_SELECTOR, field.format(key="client", kind=ids.DEAL_FIELD)):
        if time.monotonic() > deadline:
            raise SystemExit("the deal form did not open")
        time.sleep(0.1)
    driver.find_element(By.CSS_SELECTOR, field.format(key="client", kind=ids.DEAL_FIELD)).send_keys(SAVE_MARKER)
    driver.find_element(By.CSS_SELECTOR, field.format(key="montant_brut", kind=ids.DEAL_FIELD)).send_keys("4200")
    since = driver.execute_script("return window.__bench.clickAt(arguments[0]);", ids.DEAL_SAVE)
    in_page(driver, "settleSince", since, settle_options(first_render=False))
    return _bodies(driver)


def _import_requests(driver: Any) -> tuple[str, str]:
    """An upload's preview request, then its confirmation's (the first request of each action)."""
    contents = "data:text/csv;base64," + base64.b64encode(RECORD_FILE.encode()).decode()
    preview = _answered(driver, {"id": ids.UPLOAD_CSV, "props": {"contents": [contents], "filename": ["charge.csv"]}})
    confirm = _answered(driver, {"click": ids.IMPORT_CONFIRM})
    return (next(body for body in preview if f'"{ids.UPLOAD_CSV}"' in body and '"contents"' in body),
            next(body for body in confirm if f'"{ids.IMPORT_CONFIRM}"' in body))


def record(url: str) -> dict[str, Any]:
    """Drive the page once in headless Chromium and keep what it sent for each action."""
    driver = chromium()
    try:
        install_probe(driver, DASHBOARD_OUTPUTS)
        _sign_in(driver, url)
        dash_requests(driver)
        open_dashboard(driver, f"{url}/")
        actions: dict[str, list[list[str]]] = {"open page": [_bodies(driver)]}
        actions["filter change"] = [_act(driver, change.action) for change in filter_changes()]
        actions["bar click"] = []
        for sector in SECTOR_CLICKS:
            click = {"points": [{"y": sector, "x": 1, "curveNumber": 0, "pointNumber": 0}]}
            actions["bar click"].append(_act(driver, {"id": ids.GRAPH_SECTORS, "props": {"clickData": click}}))
        actions["search"] = [_act(driver, {"id": ids.FILTER_SEARCH, "props": {"value": word}}) for word in SEARCHES]
        _act(driver, {"click": ids.FILTER_RESET})
        actions["save deal"] = [_save_from_form(driver)]
        preview, confirm = _import_requests(driver)
        export = next(body for body in _answered(driver, {"click": ids.EXPORT_CSV}) if f'"{ids.EXPORT_LINK}"' in body)
        actions["grid page or sort"] = [_answered(driver, {"id": ids.TABLE_DEADLINES,
                                                           "props": {"getRowsRequest": rows}})
                                        for rows in GRID_REQUESTS]
    finally:
        driver.quit()
    empty = [name for name, occurrences in actions.items() if not any(occurrences)]
    if empty:
        raise SystemExit(f"nothing was recorded for: {', '.join(empty)}")
    return {"actions": actions, "save_marker": SAVE_MARKER, "import_preview": preview, "import_confirm": confirm,
            "upload": {"component": ids.UPLOAD_CSV, "seal": ids.IMPORT_SEAL, "version": ids.DATA_VERSION},
            "export": export, "export_link": ids.EXPORT_LINK, "accounts": list(TEAM), "password": PASSWORD,
            "stage_slugs": [stage.slug for stage in STAGES]}


class WorkerMemory:
    """Samples the resident memory of gunicorn's workers (the master's children) every second; keeps each
    worker's peak."""

    def __init__(self, master_pid: int) -> None:
        self._master = master_pid
        self.peaks_kib: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _gunicorn_master(self) -> int:
        """serve.sh runs gunicorn with `exec`, or as its child."""
        children = Path(f"/proc/{self._master}/task/{self._master}/children").read_text().split()
        command = Path(f"/proc/{self._master}/cmdline").read_bytes()
        return self._master if b"gunicorn" in command or not children else int(children[0])

    def _run(self) -> None:
        while not self._stop.is_set():
            master = self._gunicorn_master()
            for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except FileNotFoundError:
                    continue
                rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
                self.peaks_kib[int(pid)] = max(self.peaks_kib.get(int(pid), 0), rss)
            self._stop.wait(1)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def ramp_seconds(users: int) -> int:
    """How long the team takes to arrive, one person a second (each signs in on arrival)."""
    return (users + FIXED_USERS) // SPAWN_PER_SECOND


def run_locust(url: str, recording_path: Path, users: int, seconds: int, prefix: Path) -> None:
    """Locust headless and bounded: `users` people plus the importer, the exporter and the API script arrive one a
    second, then all of them work for `seconds`."""
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
               "--users", str(users + FIXED_USERS), "--spawn-rate", str(SPAWN_PER_SECOND),
               "--run-time", f"{ramp_seconds(users) + seconds}s", "--host", url, "--csv", str(prefix),
               "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "LOAD_RECORDING": str(recording_path)},
                          capture_output=True, text=True)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust failed:\n{done.stdout}\n{done.stderr}")


def print_stats(prefix: Path) -> None:
    """Per request type: count, errors, requests/s, p50 / p95 / p99; then the total."""
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    print(f"\n{'request type':<28}{'count':>7}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
        print(f"{name:<28}{int(row['Request Count']):>7}{int(row['Failure Count']):>8}"
              f"{float(row['Requests/s']):>8.1f}{row['50%']:>9}{row['95%']:>9}{row['99%']:>9}"
              f"{float(row['Max Response Time']):>9.0f}")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and len(failures.read_text(encoding="utf-8").splitlines()) > 1:
        print("\nerrors:\n" + failures.read_text(encoding="utf-8"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", required=True, help="a server URL; a load_<N> database is created there")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis-url", help="an existing Redis; otherwise a throwaway redis-server is started")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    print("\n".join(machine_facts(args.postgres_url)))
    target = PostgresTarget(args.postgres_url, args.size, prefix="load")
    started = time.perf_counter()
    fill(target, args.size)
    print(f"{args.size:,} deals loaded in {time.perf_counter() - started:.1f} s")
    api_token = create_team(target.url)
    try:
        with tempfile.TemporaryDirectory(prefix="load-bench-") as folder, redis_server(args.redis_url) as redis_url:
            workdir = Path(folder)
            with served(target.url, redis_url, args.workers, workdir / "serve.log") as (url, master):
                recording_path = workdir / "recording.json"
                recording_path.write_text(json.dumps({**record(url), "api_token": api_token, "deals": args.size}),
                                          encoding="utf-8")
                print(f"load average before the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
                with WorkerMemory(master) as memory:
                    run_locust(url, recording_path, args.users, args.seconds, workdir / "load")
                print(f"load average after the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
            print(f"\n{args.users} people + 1 importer + 1 exporter + 1 API script, arriving one a second over "
                  f"{ramp_seconds(args.users)} s, then all of them for {args.seconds} s; gunicorn {args.workers} "
                  f"workers, Redis cache, PostgreSQL with {args.size:,} deals, AUTH=on")
            print_stats(workdir / "load")
            peaks = sorted(memory.peaks_kib.values(), reverse=True)
            print("\nworker resident memory, peak of 1 s samples: "
                  + ", ".join(f"{peak / KIB:.0f} MiB" for peak in peaks))
    finally:
        target.drop()


if __name__ == "__main__":
    main()
