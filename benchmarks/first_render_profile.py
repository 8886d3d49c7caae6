"""Where a cold first render's time goes: the callback requests in time order and the browser's CPU by script.

Why: issues 13 and 15 set first-render targets (under 1.5 s for `/`, under 2 s for `/performance`, at 1 000 000
deals). The benchmarks give the total; this says whether the rest is the server's (a request answered late) or
the browser's (compiling and running the bundles, React, Plotly, AG Grid), so work goes where the time is.
Each load is cold on both sides: a fresh `python app.py` (empty cache) and an emptied browser cache. Chromium's
sampling profiler runs during the load, which slows the page: its first render here is longer than the
benchmarks' own figure; compare the shares, not the total.

    .venv/bin/python benchmarks/first_render_profile.py [--size 1000000] [--page performance] [--loads 3] \\
        [--postgres-url postgresql://postgres@127.0.0.1:55432/postgres]

It measures the kept `bench_perf_<N>` database of benchmarks/performance_benchmark.py (deals and a history),
loading it first when it holds no deal, and keeps it. A script, not a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_data import TODAY, PostgresTarget, machine_facts
from benchmarks.live_app import (
    AppProcess,
    DashRequest,
    browser_facts,
    chromium,
    clear_browser_cache,
    clock_fact,
    dash_requests,
    free_port,
    in_page,
    install_probe,
)
from benchmarks.performance_benchmark import PAGES, PREFIX, fill_with_history, settle

SAMPLING_US = 500
IDLE = "(idle)"
SHOWN_SCRIPTS = 8


def script_name(call_frame: dict[str, Any]) -> str:
    """The bundle a sample ran in (its file name without the cache-busting query), or Chromium's own label."""
    url = call_frame["url"]
    if not url:
        return f"({call_frame['functionName'].strip('()')})"
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def cpu_by_script(profile: dict[str, Any]) -> Counter[str]:
    """Milliseconds of self time per script over the whole profile (each sample lasts until the next one)."""
    frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    spent: Counter[str] = Counter()
    for node_id, delta_us in zip(profile["samples"][:-1], profile["timeDeltas"][1:], strict=True):
        spent[script_name(frames[node_id])] += delta_us / 1000
    return spent


def profiled_load(driver: Any, url: str, outputs: dict[str, str], not_empty: str) -> tuple[float, Counter[str]]:
    """Open `url` under the profiler; the first render's milliseconds and the CPU per script."""
    driver.execute_cdp_cmd("Profiler.enable", {})
    driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": SAMPLING_US})
    driver.execute_cdp_cmd("Profiler.start", {})
    driver.get(url)
    result = in_page(driver, "firstRender", settle(outputs, True, not_empty))
    profile = driver.execute_cdp_cmd("Profiler.stop", {})["profile"]
    driver.execute_cdp_cmd("Profiler.disable", {})
    return result["shownAt"] - result["since"], cpu_by_script(profile)


def report(load: int, shown_ms: float, spent: Counter[str], requests: list[DashRequest]) -> None:
    """One load: the callback requests as the page probe noted them, and the scripts' CPU."""
    busy = sum(value for name, value in spent.items() if name != IDLE)
    print(f"\nload {load + 1}: first render {shown_ms:.0f} ms (profiled); main thread busy {busy:.0f} ms, "
          f"idle {spent[IDLE]:.0f} ms")
    print("| Callback request (first output) | sent | answered | server ms |\n|---|---|---|---|")
    for request in requests:
        print(f"| {request.output.split('..')[0][:60]} | {request.sent_at:.0f} | {request.answered_at:.0f} | "
              f"{request.server_ms:.0f} |")
    print("| Script | CPU ms | share of busy |\n|---|---|---|")
    for name, value in [item for item in spent.most_common() if item[0] != IDLE][:SHOWN_SCRIPTS]:
        print(f"| {name} | {value:.0f} | {value / busy:.0%} |")


def main() -> None:
    """Each load on a fresh app, with the machine's facts first."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--page", choices=sorted(PAGES), default="dashboard")
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:55432/postgres")
    args = parser.parse_args()
    page = PAGES[args.page]
    target = PostgresTarget(args.postgres_url, args.size, prefix=PREFIX)
    if not target.holds_deals():
        fill_with_history(target, args.size)
    workdir = Path(tempfile.mkdtemp(prefix="crm-first-render-"))
    driver = chromium()
    try:
        install_probe(driver, page.outputs)
        print("\n".join([*machine_facts(args.postgres_url), *browser_facts(driver), clock_fact(TODAY.isoformat()),
                         f"{args.size:,} deals in {target.name}; page /{page.path}; app logs: {workdir}",
                         f"command: {' '.join(['.venv/bin/python', *sys.argv])}"]))
        for load in range(args.loads):
            with AppProcess(target.url, free_port(), workdir / f"app_{load}.log") as app:
                clear_browser_cache(driver)
                dash_requests(driver)
                shown_ms, spent = profiled_load(driver, app.url + page.path, page.outputs, page.not_empty)
                report(load, shown_ms, spent, dash_requests(driver))
                driver.get("about:blank")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
