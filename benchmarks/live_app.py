"""The real app in a process of its own, and headless Chromium driving it: what the browser benchmarks share.

Why a separate process: `python app.py` is how the app is served, and only a process of its own gives the
server's memory (VmHWM and VmRSS in /proc/<pid>/status) without the browser or the benchmark mixed in.
The callback requests (bodies, bytes received, the server's wait) are noted by the page probe itself
(page_probe.js says why not through DevTools).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options

from data.clock import PARIS
from layouts import ids
from layouts.kpis import VALUE_IDS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--window-size=1440,900", "--lang=fr-FR")
PROBE = Path(__file__).with_name("page_probe.js")
READY_TIMEOUT_S = 60
SCRIPT_TIMEOUT_S = 180
QUIET_MS = 300
SETTLE_TIMEOUT_MS = 60_000
KIB = 1024

# The dashboard's visible outputs and how the probe reads each: its text, its drawn figure, its option labels,
# or the grid's first page.
DASHBOARD_OUTPUTS: dict[str, str] = {
    **dict.fromkeys(VALUE_IDS, "text"),
    ids.SELECTION_MESSAGE: "text",
    ids.GRAPH_FUNNEL: "figure",
    ids.GRAPH_SECTORS: "figure",
    ids.GRAPH_TOP_SECTORS: "figure",
    ids.DEADLINES_SCOPE: "options",
    ids.TABLE_DEADLINES: "grid",
}


@dataclass(frozen=True)
class Memory:
    """The server process's peak (VmHWM) and current (VmRSS) resident memory, in MiB."""

    peak_mib: float
    current_mib: float


# DEBUG=1 turns on Dash's Server-Timing header (its dev tools); the rest keeps the page as in production:
# minified bundles, no hot reload, no props check. Flask's reloader then serves from a child process.
DASH_TIMING_ENV = {"DEBUG": "1", "DASH_UI": "true", "DASH_SERVE_DEV_BUNDLES": "false", "DASH_HOT_RELOAD": "false",
                   "DASH_PROPS_CHECK": "false"}


class AppProcess:
    """`python app.py` of the source tree `root` on a database, with the settings the benchmarks need; a
    context manager. With `dash_timing`, the app runs in debug mode so each callback response says how long
    Dash took."""

    def __init__(self, database_url: str, port: int, log_path: Path, dash_timing: bool = False,
                 root: Path = ROOT) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self._env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "HOST": "127.0.0.1",
                     "DEMO_DATA": "0", "CACHE_TYPE": "simple", "DASH_DISABLE_VERSION_CHECK": "true", "DEBUG": "0",
                     **(DASH_TIMING_ENV if dash_timing else {})}
        self._log_path = log_path
        self._root = root
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> AppProcess:
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen([sys.executable, "app.py"], cwd=self._root, env=self._env,
                                             stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_serving()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def _wait_until_serving(self) -> None:
        """The page answers (migrations checked, callbacks registered), or the app's log explains why not."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the app did not start; see {self._log_path}")

    @property
    def pid(self) -> int:
        """The serving process's id: the one started, or its child when Flask's reloader runs (debug mode)."""
        assert self._process is not None
        started = self._process.pid
        children = Path(f"/proc/{started}/task/{started}/children").read_text().split()
        return int(children[0]) if children else started

    def memory(self) -> Memory:
        """VmHWM and VmRSS of the serving process, read from /proc."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.pid}/status").read_text().splitlines())
        return Memory(int(fields["VmHWM"].split()[0]) / KIB, int(fields["VmRSS"].split()[0]) / KIB)


def free_port() -> int:
    """A TCP port nobody listens on right now, so runs never collide with a developer's app."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chromium() -> webdriver.Chrome:
    """Debian's headless Chromium with the flags this offline network needs; console errors are logged."""
    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(SCRIPT_TIMEOUT_S)
    return driver


def install_probe(driver: webdriver.Chrome, output_ids: Iterable[str]) -> None:
    """Run page_probe.js in every page this driver opens from now on, before the page's own scripts."""
    source = (f"window.__BENCH_OUTPUTS = {json.dumps(list(output_ids))};\n"
              f"window.__BENCH_GRID = {json.dumps(ids.TABLE_DEADLINES)};\n{PROBE.read_text()}")
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})


def settle_options(first_render: bool) -> dict[str, Any]:
    """What the probe waits for; a first render also needs the deal count to have left its "—" placeholder."""
    options: dict[str, Any] = {"check": DASHBOARD_OUTPUTS, "quietMs": QUIET_MS, "timeoutMs": SETTLE_TIMEOUT_MS}
    if first_render:
        options.update(notEmpty=ids.KPI_DEAL_COUNT, emptyText="—")
    return options


def open_dashboard(driver: webdriver.Chrome, url: str) -> dict[str, Any]:
    """Load the page and wait until every output shows its first value (the probe's answer)."""
    driver.get(url)
    return in_page(driver, "firstRender", settle_options(first_render=True))


def clear_browser_cache(driver: webdriver.Chrome) -> None:
    """Forget cached scripts and styles, so the next load is a first visit's."""
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})


def in_page(driver: webdriver.Chrome, call: str, *args: Any) -> dict[str, Any]:
    """Call one of `window.__bench`'s asynchronous functions; raise if it reports an error."""
    result = driver.execute_async_script(f"window.__bench.{call}(...arguments);", *args)
    if "error" in result:
        raise RuntimeError(f"{call}: {result}")
    return result


@dataclass(frozen=True)
class DashRequest:
    """One `_dash-update-component` request as the page saw it (Resource Timing). `server_ms` is the wait for
    the response's first byte; `dash_ms` the time Dash itself measured (its Server-Timing header, sent only
    when the app runs with DEBUG=1), so the difference is time spent queued (threads, GIL) or on the wire."""

    output: str
    request_bytes: int
    response_bytes: int
    server_ms: float
    dash_ms: float | None
    body: str = ""  # the JSON sent, as the load benchmark replays it
    sent_at: float = 0.0  # ms from navigation start (0 while its answer is awaited)
    answered_at: float = 0.0


def dash_requests(driver: webdriver.Chrome) -> list[DashRequest]:
    """The callback requests since the last call, as the page probe noted them (none before a page loads)."""
    noted = driver.execute_script("return window.__bench ? window.__bench.drainRequests() : [];")
    return [DashRequest(request["output"], int(request["requestBytes"]), int(request["responseBytes"]),
                        float(request["serverMs"]), request["dashMs"], request["body"], float(request["sentAt"]),
                        float(request["answeredAt"]))
            for request in noted]


def browser_facts(driver: webdriver.Chrome) -> list[str]:
    """The browser and driver versions the figures were taken with."""
    capabilities = driver.capabilities
    driver_version = capabilities.get("chrome", {}).get("chromedriverVersion", "?").split(" ")[0]
    return [f"Chromium {capabilities.get('browserVersion')} headless (ChromeDriver {driver_version}), "
            f"window 1440×900"]


def clock_fact(expected: str) -> str:
    """The app has no setting to pin today: say which date its clock gives and whether it is the benchmark's."""
    today = datetime.now(PARIS).date().isoformat()
    verdict = "same as the data's reference day" if today == expected else f"NOT the data's reference day {expected}"
    return (f"today in the app: {today} (Europe/Paris, real clock: `python app.py` has no setting to pin it; "
            f"{verdict})")
