"""Time the performance page (`/performance`) in headless Chromium on PostgreSQL, beside the dashboard.

Why: issue 15 asks the page for the dashboard's targets: a first render under 2 s at 1 000 000 deals, and a
filter change within 50 ms of the dashboard's own. For each size, a fresh `bench_perf_<N>` database is
bulk-loaded with the benchmarks' deals (benchmarks/bench_data.py) and a history of about 3 rows per deal (the
`created` row the triggers write, and stage changes COPYed in: `bench_data.load_history`); the real app runs as
`python app.py` in a process of its own. Measured with the dashboard benchmark's page probe
(benchmarks/page_probe.js: an output counts as shown in the animation frame after its DOM last changed):
- first render of /performance from navigation start: cold (fresh app, empty browser cache), then warm reloads;
- the dashboard benchmark's filter actions (benchmarks/browser_benchmark.py STEPS), once on /performance then
  once on / in the same app, each selection cold the first time the app sees it on that page.

    .venv/bin/python benchmarks/performance_benchmark.py [--sizes 100000 1000000] \\
        [--postgres-url postgresql://postgres@127.0.0.1:55432/postgres] [--keep] [--reuse]

A script, not a test. Each database is dropped after its size is measured unless `--keep`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_data import TODAY, PostgresTarget, fill, load_history, machine_facts
from benchmarks.browser_benchmark import filter_changes
from benchmarks.live_app import (
    DASHBOARD_OUTPUTS,
    QUIET_MS,
    SETTLE_TIMEOUT_MS,
    AppProcess,
    browser_facts,
    chromium,
    clear_browser_cache,
    clock_fact,
    free_port,
    in_page,
    install_probe,
)
from data import deal_wins, pipeline_changes, stage_stays
from data.db import make_engine
from layouts import ids

PREFIX = "bench_perf"
WARM_LOADS = 3
PERFORMANCE_OUTPUTS = {ids.KPI_VELOCITY: "text", ids.GRAPH_ASSIGNEES: "figure", ids.GRAPH_FORECAST: "figure",
                       ids.GRAPH_STAGE_CONVERSION: "figure", ids.GRAPH_TREND: "figure"}


@dataclass(frozen=True)
class Page:
    """A page as the benchmarks open it: its path, the outputs a change waits for, and the output whose "—"
    placeholder a first render waits to see replaced."""

    path: str
    outputs: dict[str, str]
    not_empty: str


PAGES = {"dashboard": Page("", DASHBOARD_OUTPUTS, ids.KPI_DEAL_COUNT),
         "performance": Page("performance", PERFORMANCE_OUTPUTS, ids.KPI_VELOCITY)}


def settle(check: dict[str, str], first: bool, not_empty: str) -> dict[str, Any]:
    """What the probe waits for; a first render also waits for `not_empty` to leave its "—" placeholder."""
    options: dict[str, Any] = {"check": check, "quietMs": QUIET_MS, "timeoutMs": SETTLE_TIMEOUT_MS}
    return {**options, "notEmpty": not_empty, "emptyText": "—"} if first else options


def first_render(driver: Any, url: str) -> float:
    """Milliseconds from navigation start until every performance output shows its first value."""
    driver.get(url)
    result = in_page(driver, "firstRender", settle(PERFORMANCE_OUTPUTS, True, ids.KPI_VELOCITY))
    return result["shownAt"] - result["since"]


def changes(driver: Any, check: dict[str, str]) -> list[float]:
    """Each filter action's time until every output of `check` shows its new value."""
    timings = []
    for change in filter_changes():
        result = in_page(driver, "change", change.action, settle(check, False, ""))
        timings.append(result["shownAt"] - result["since"])
    return timings


def fill_with_history(target: PostgresTarget, size: int) -> float:
    """Seconds to create, load (deals, then history) and analyze the database."""
    started = time.perf_counter()
    fill(target, size)
    engine = make_engine(target.url)
    try:
        load_history(engine, size)
        with engine.begin() as connection:
            pipeline_changes.rebuild(connection)  # the trend's daily moves, on the days the history says
            stage_stays.rebuild(connection)  # the stays' summary behind the stage movement, likewise
            deal_wins.rebuild(connection)  # the wins' summary behind the cycles and the won amounts, likewise
        target.analyze(engine)
        with engine.connect() as connection:
            events = connection.exec_driver_sql("SELECT count(*) FROM deal_events").scalar()
    finally:
        engine.dispose()
    print(f"\n## PostgreSQL · {size:,} deals, {events:,} history rows", flush=True)
    return time.perf_counter() - started


def measure(size: int, args: argparse.Namespace, driver: Any, workdir: Path) -> None:
    """One size: load, then one app start: the page's cold and warm first renders, then both pages' changes."""
    target = PostgresTarget(args.postgres_url, size, prefix=PREFIX)
    loaded = 0.0 if args.reuse and target.holds_deals() else fill_with_history(target, size)
    try:
        with AppProcess(target.url, free_port(), workdir / f"app_{size}.log") as app:
            clear_browser_cache(driver)
            page = f"{app.url}performance"
            cold = first_render(driver, page)
            warm = [first_render(driver, page) for _load in range(WARM_LOADS)]
            on_performance = changes(driver, PERFORMANCE_OUTPUTS)
            driver.get(app.url)
            dashboard = in_page(driver, "firstRender", settle(DASHBOARD_OUTPUTS, True, ids.KPI_DEAL_COUNT))
            on_dashboard = changes(driver, DASHBOARD_OUTPUTS)
            memory = app.memory()
        errors = [entry["message"] for entry in driver.get_log("browser")]
    finally:
        if not (args.keep or args.reuse):
            target.drop()
    print(f"load {loaded:.1f} s; /performance first render: cold {cold:.0f} ms, warm "
          f"{[round(value) for value in warm]} ms (median {statistics.median(warm):.0f}); / first render after it "
          f"(warm browser cache, its queries cold) {dashboard['shownAt'] - dashboard['since']:.0f} ms")
    print(f"filter change, {len(on_performance)} actions, median / max ms: /performance "
          f"{statistics.median(on_performance):.0f} / {max(on_performance):.0f}; / (dashboard) "
          f"{statistics.median(on_dashboard):.0f} / {max(on_dashboard):.0f}")
    print(f"server peak RSS {memory.peak_mib:.0f} MiB; browser console errors: {len(errors)}")
    for message in errors:
        print(f"  console: {message[:300]}")


def main() -> None:
    """Every size in turn, with the machine's facts first."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:55432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="measure a kept bench_perf_<N> as it is (no reload), and keep it")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="crm-performance-bench-"))
    driver = chromium()
    try:
        install_probe(driver, [*PERFORMANCE_OUTPUTS, *DASHBOARD_OUTPUTS])
        print("\n".join([*machine_facts(args.postgres_url), *browser_facts(driver), clock_fact(TODAY.isoformat()),
                         f"app logs: {workdir}", f"command: {' '.join(['.venv/bin/python', *sys.argv])}"]),
              flush=True)
        for size in args.sizes:
            measure(size, args, driver, workdir)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
