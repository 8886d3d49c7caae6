"""The real app in a process of its own, and headless Chromium driving it: what the browser benchmarks share.

Why a separate process: `python app.py` is how the app is served, and only a process of its own gives the
server's memory (VmHWM and VmRSS in /proc/<pid>/status) without the browser or the benchmark mixed in.
Why CDP: Resource Timing gives each response's size but not the request bodies the browser sends; the
performance log's `Network.*` events give both, with the server's wait per request, named by callback.
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

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--window-size=1440,900", "--lang=fr-FR")
PROBE = Path(__file__).with_name("page_probe.js")
DASH_UPDATE = "_dash-update-component"
READY_TIMEOUT_S = 60
SCRIPT_TIMEOUT_S = 180
KIB = 1024


@dataclass(frozen=True)
class Memory:
    """The server process's peak (VmHWM) and current (VmRSS) resident memory, in MiB."""

    peak_mib: float
    current_mib: float


class AppProcess:
    """`python app.py` on a database, with the settings the benchmarks need; a context manager."""

    def __init__(self, database_url: str, port: int, log_path: Path) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self._env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "HOST": "127.0.0.1",
                     "DEMO_DATA": "0", "CACHE_TYPE": "simple", "DASH_DISABLE_VERSION_CHECK": "true", "DEBUG": "0"}
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> AppProcess:
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=self._env,
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
        """The server's process id."""
        assert self._process is not None
        return self._process.pid

    def memory(self) -> Memory:
        """VmHWM and VmRSS of the server process, read from /proc."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.pid}/status").read_text().splitlines())
        return Memory(int(fields["VmHWM"].split()[0]) / KIB, int(fields["VmRSS"].split()[0]) / KIB)


def free_port() -> int:
    """A TCP port nobody listens on right now, so runs never collide with a developer's app."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chromium() -> webdriver.Chrome:
    """Debian's headless Chromium with the flags this offline network needs, and the performance log on."""
    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "SEVERE"})
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(SCRIPT_TIMEOUT_S)
    return driver


def install_probe(driver: webdriver.Chrome, output_ids: Iterable[str], grid_id: str) -> None:
    """Run page_probe.js in every page this driver opens from now on, before the page's own scripts."""
    source = (f"window.__BENCH_OUTPUTS = {json.dumps(list(output_ids))};\n"
              f"window.__BENCH_GRID = {json.dumps(grid_id)};\n{PROBE.read_text()}")
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})


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
    """One `_dash-update-component` request as the browser's network stack saw it."""

    output: str
    request_bytes: int
    response_bytes: int
    server_ms: float


def dash_requests(driver: webdriver.Chrome) -> list[DashRequest]:
    """The callback requests since the last call (the performance log is drained on each read)."""
    sent: dict[str, dict[str, Any]] = {}
    waits: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent" and DASH_UPDATE in params["request"]["url"]:
            sent[params["requestId"]] = params["request"]
        elif message["method"] == "Network.responseReceived" and params["requestId"] in sent:
            timing = params["response"].get("timing") or {}
            waits[params["requestId"]] = timing.get("receiveHeadersStart", timing.get("receiveHeadersEnd", 0.0)) \
                - timing.get("sendEnd", 0.0)
        elif message["method"] == "Network.loadingFinished" and params["requestId"] in sent:
            sizes[params["requestId"]] = int(params["encodedDataLength"])
    return [DashRequest(_callback_name(request), len(request.get("postData", "").encode()),
                        sizes.get(request_id, 0), waits.get(request_id, 0.0))
            for request_id, request in sent.items()]


def _callback_name(request: dict[str, Any]) -> str:
    """The callback's first output, from the request body ("?" when the body was too big to be logged);
    `allow_duplicate` outputs lose their `@hash` suffix."""
    try:
        body = json.loads(request.get("postData", ""))
    except ValueError:
        return "?"
    outputs = body.get("outputs")
    first = outputs[0] if isinstance(outputs, list) else outputs
    return f"{first['id']}.{first['property'].split('@')[0]}" if isinstance(first, dict) else "?"


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
