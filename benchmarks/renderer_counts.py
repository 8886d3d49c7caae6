"""What one filter change costs Dash's renderer: the callback requests the page sends and the updates of the
renderer's store (each one runs every component's selectors), counted in headless Chromium on the demo data.

Counts, not times: they do not depend on the machine's load, so two versions compare in any sitting.
`--repo` runs another checkout of this project (e.g. a clone at an older commit) with this script.

    python benchmarks/renderer_counts.py [--repo PATH] [--changes 12]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

# Counters installed in the page: store updates (a subscription) and callback requests (a fetch wrapper).
COUNTERS = """
window.__counts = {updates: 0, requests: 0};
window.store.subscribe(function () { window.__counts.updates += 1; });
var pageFetch = window.fetch;
window.fetch = function (resource) {
  if (String(resource).indexOf("_dash-update-component") !== -1) { window.__counts.requests += 1; }
  return pageFetch.apply(this, arguments);
};
"""
# A filter change as the dropdown makes it: Dash's clientside `set_props` on the stage filter's value.
CHANGE = """window.__counts = {updates: 0, requests: 0};
dash_clientside.set_props(arguments[0], {value: arguments[1]});"""
STAGE_VALUES = (["Gagné"], [], ["Prospect", "Qualifié"], [])
SETTLE_S = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose app is counted (default: this one)")
    parser.add_argument("--changes", type=int, default=12, help="filter changes counted")
    args = parser.parse_args()
    sys.path.insert(0, str(args.repo.resolve()))
    from werkzeug.serving import make_server

    from app import create_app
    from benchmarks.screenshots import TODAY, _browser
    from data import clock
    from settings import Settings

    clock.fix_today(TODAY)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    url = f"sqlite:///{tempfile.mkdtemp()}/demo.sqlite3"
    server = make_server("127.0.0.1", 0, create_app(Settings(database_url=url, demo_data=True)).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = _browser()
    try:
        driver.get(f"http://127.0.0.1:{server.server_port}/")
        time.sleep(4 * SETTLE_S)
        driver.execute_script(COUNTERS)
        counts = []
        for number in range(args.changes):
            driver.execute_script(CHANGE, "filter-status", STAGE_VALUES[number % len(STAGE_VALUES)])
            time.sleep(SETTLE_S)
            counts.append(driver.execute_script("return window.__counts;"))
    finally:
        driver.quit()
        server.shutdown()
    print(f"{args.repo.resolve()}: {args.changes} filter changes on the demo data; per change, median (min-max): "
          f"callback requests {statistics.median(c['requests'] for c in counts)} "
          f"({min(c['requests'] for c in counts)}-{max(c['requests'] for c in counts)}), "
          f"renderer store updates {statistics.median(c['updates'] for c in counts)} "
          f"({min(c['updates'] for c in counts)}-{max(c['updates'] for c in counts)})")


if __name__ == "__main__":
    main()
