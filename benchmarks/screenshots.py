"""Screenshots of the dashboard with demo data, at laptop and phone sizes, for the README.

Starts the app on a temporary SQLite database filled with the demo deals (today fixed, so the pictures are
reproducible), opens it in Debian's headless Chromium and saves `docs/dashboard-desktop.png` (1440×900,
what a laptop shows first), `docs/dashboard-phone.png` (390 wide, the whole page) and
`docs/performance-desktop.png` (the performance page, 1440 wide, the whole page). Prints any browser
console error, so a broken page is not silently photographed.

    python benchmarks/screenshots.py [--out docs]
"""

from __future__ import annotations

import argparse
import base64
import logging
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from data import clock
from settings import Settings

TODAY = date(2026, 11, 21)
CHROMIUM = "/usr/bin/chromium"
SIZES = {"desktop": (1440, 900, False), "phone": (390, 844, True)}


def _browser() -> webdriver.Chrome:
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--lang=fr-FR"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    return webdriver.Chrome(options=options)


def _wait_until_drawn(driver: webdriver.Chrome) -> None:
    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: d.find_element(By.ID, "kpi-deal-count").text not in ("", "—"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#table-deadlines .ag-row .ag-cell"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph-sectors .bars"))
    time.sleep(1.0)


def _shoot_performance(driver: webdriver.Chrome, url: str, out: Path) -> None:
    """The performance page at laptop width, the whole page, once its grid and trend are drawn."""
    driver.set_window_size(*SIZES["desktop"][:2])
    driver.get(f"{url}performance")
    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#table-assignees .ag-row"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#graph-trend .scatterlayer .trace"))
    time.sleep(1.0)
    _save_whole_page(driver, out / "performance-desktop.png")


def _save_whole_page(driver: webdriver.Chrome, path: Path) -> None:
    """The page from top to bottom at the window's width. The window is stretched to the page's height first, so
    the grids draw every row (they draw only those in view), then Chromium captures the page's whole size: the
    stretched window alone can come out shorter than the page."""
    width = driver.execute_script("return window.innerWidth")
    driver.set_window_size(width, driver.execute_script("return document.documentElement.scrollHeight"))
    time.sleep(1.0)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                             "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))


def shoot(url: str, out: Path) -> list[str]:
    """Save both screenshots; return the browser console errors seen."""
    driver = _browser()
    errors: list[str] = []
    try:
        for name, (width, height, whole_page) in SIZES.items():
            driver.set_window_size(width, height)
            driver.get(url)
            _wait_until_drawn(driver)
            if whole_page:
                _save_whole_page(driver, out / f"dashboard-{name}.png")
            else:
                driver.save_screenshot(str(out / f"dashboard-{name}.png"))
            driver.execute_script("window.localStorage.clear();")  # the next page a first visit: no "since" panel
            errors += [entry["message"] for entry in driver.get_log("browser")]
        _shoot_performance(driver, url, out)
        errors += [entry["message"] for entry in driver.get_log("browser")]
    finally:
        driver.quit()
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    clock.fix_today(TODAY)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(database_url=f"sqlite:///{folder}/demo.sqlite3", demo_data=True))
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            errors = shoot(f"http://127.0.0.1:{server.server_port}/", args.out)
        finally:
            server.shutdown()
    for error in errors:
        print(f"console error: {error}", file=sys.stderr)
    print(f"saved {', '.join(f'dashboard-{name}.png' for name in SIZES)}, performance-desktop.png in {args.out}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
