"""Compare the filter-change time of the working tree with another commit, both measured in the same sitting.

Why: this machine's speed drifts by 10 to 40 ms between runs of the same commit, and within one run from one
minute to the next, more than most single changes gain; two runs of browser_benchmark.py one after the other
cannot tell two versions apart. Here both versions run side by side on one database, each started as
`python app.py` of its own source tree and open in a Chromium of its own, and they take turns action by
action: each of the 25 actions of browser_benchmark.py is made on one version and then on the other (which
goes first alternates), so a slow spell of the machine falls on both. Each round starts both apps afresh and
makes two passes, a cold one (server caches empty) then a warm one. Printed: each version's medians, the
median of the per-action differences with a 95 % bootstrap interval (the sharpest figure: each pair of times
saw the same action and the same state of the machine), and the CPU time that each version's Chromium (all its
processes) and app spent per warm change, read from /proc.

    .venv/bin/python benchmarks/compare_browser.py REF [--size 100000] [--rounds 3] [--page performance] \\
        [--reuse] [--postgres-url postgresql://postgres@127.0.0.1:55432/postgres]

`--page performance` makes the same actions on `/performance` and waits for its outputs. `--reuse` measures the
kept `bench_perf_<N>` of performance_benchmark.py (its deals and their history, which the performance page reads)
as it is, and keeps it. When the working tree's migrations differ from REF's, REF runs on the kept database (which
must then be at REF's migrations) and the working tree on a copy of it (`bench_compare_<N>`, dropped after), which
its app migrates on start: the same deals and history, each in the form its version keeps them.

REF (a commit, tag or branch) is checked out into a temporary git worktree. When it has the same migrations
as the working tree, both apps run on one database (bench_compare_<N>). When its migrations differ, each version
gets a database of its own (bench_compare_<N> and bench_compare_ref_<N>), filled with the same generated deals
(same generator, same seed, loaded the same way) and migrated by its own source tree: the working tree's
migrations for its database, `python cli.py init` run in REF's worktree for REF's. Both databases are on the
same server. A script, not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selenium import webdriver
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_data import PostgresTarget, fill, machine_facts
from benchmarks.browser_benchmark import Change, filter_changes
from benchmarks.live_app import ROOT, AppProcess, browser_facts, chromium, free_port, in_page, install_probe
from benchmarks.performance_benchmark import PAGES, Page, settle
from benchmarks.performance_benchmark import PREFIX as KEPT_PREFIX

PREFIX = "bench_compare"
REF_PREFIX = "bench_compare_ref"  # REF's own database, when its migrations differ from the working tree's
MIGRATIONS = Path("data/migrations/versions")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BOOTSTRAP_SAMPLES = 2000


@dataclass
class Version:
    """One source tree under comparison and what was measured on it."""

    label: str
    root: Path
    database_url: str = ""
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    browser_cpu_ms: float = 0.0  # summed over the warm changes
    app_cpu_ms: float = 0.0


@dataclass(frozen=True)
class OpenVersion:
    """A version during one round: its app and the Chromium that shows it."""

    version: Version
    app: AppProcess
    driver: webdriver.Chrome
    browser_pids: list[int]


def cpu_ms(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far, in ms (a process gone since counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total * 1000 / CLOCK_TICKS


def descendants(root: int) -> list[int]:
    """Every running process below `root` (read from /proc): a Chromium's browser, renderer, GPU and utility
    processes are all below the ChromeDriver that started it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, waiting = [], list(children.get(root, []))
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        waiting.extend(children.get(pid, []))
    return found


@contextmanager
def opened(version: Version, workdir: Path, page: Page) -> Iterator[OpenVersion]:
    """The version's app started on its database and `page` open in a Chromium of its own, every output drawn."""
    with AppProcess(version.database_url, free_port(), workdir / f"{version.label}.log", root=version.root) as app:
        driver = chromium()
        try:
            install_probe(driver, page.outputs)
            driver.get(f"{app.url}{page.path}")
            in_page(driver, "firstRender", settle(page.outputs, True, page.not_empty))
            yield OpenVersion(version, app, driver, descendants(driver.service.process.pid))
        finally:
            driver.quit()


def change_on(side: OpenVersion, change: Change, warm: bool, page: Page) -> None:
    """Make one action on one version and note its time (and, when warm, the CPU it cost)."""
    before = (cpu_ms(side.browser_pids), cpu_ms([side.app.pid]))
    result: dict[str, Any] = in_page(side.driver, "change", change.action, settle(page.outputs, False, ""))
    elapsed = result["shownAt"] - result["since"]
    if warm:
        side.version.warm_ms.append(elapsed)
        side.version.browser_cpu_ms += cpu_ms(side.browser_pids) - before[0]
        side.version.app_cpu_ms += cpu_ms([side.app.pid]) - before[1]
    else:
        side.version.cold_ms.append(elapsed)


def run_round(versions: tuple[Version, Version], workdir: Path, round_number: int, page: Page) -> str:
    """Both versions started afresh; a cold pass then a warm pass, action by action in turns; answers the
    browser's version."""
    with ExitStack() as stack:
        sides = [stack.enter_context(opened(version, workdir, page)) for version in versions]
        for warm in (False, True):
            for index, change in enumerate(filter_changes()):
                first = (index + round_number) % 2
                for side in (sides[first], sides[1 - first]):
                    change_on(side, change, warm, page)
        return browser_facts(sides[0].driver)[0]


def checkout(ref: str, folder: Path) -> Path:
    """A detached worktree of `ref` in `folder`."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(folder), ref], check=True)
    return folder


def migrations(root: Path) -> dict[str, bytes]:
    """A source tree's migration files by name, with their contents."""
    return {path.name: path.read_bytes() for path in sorted((root / MIGRATIONS).glob("*.py"))}


def cli_init(root: Path) -> Callable[[Engine], None]:
    """Migrate an empty database with `python cli.py init` of the source tree `root`, so it gets that version's
    schema (the working tree's `data.migrate` knows only the working tree's migrations)."""

    def init(engine: Engine) -> None:
        url = engine.url.render_as_string(hide_password=False)
        env = {**os.environ, "DATABASE_URL": url, "DEMO_DATA": "0", "CACHE_TYPE": "simple"}
        subprocess.run([sys.executable, "cli.py", "init", "--database-url", url], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL)

    return init


def remove_worktree(folder: Path) -> None:
    """Forget the temporary worktree."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)], check=True)


def paired_difference(current: list[float], other: list[float]) -> str:
    """The median of the per-action differences (current minus other) with a 95 % bootstrap interval.

    Both versions make the same actions in the same order, one right after the other, so each pair saw the same
    state of the machine and the same action: their difference is far less noisy than two medians."""
    differences = [mine - theirs for mine, theirs in zip(current, other, strict=True)]
    draw = random.Random(0)
    medians = sorted(statistics.median(draw.choices(differences, k=len(differences)))
                     for _ in range(BOOTSTRAP_SAMPLES))
    low, high = medians[int(0.025 * BOOTSTRAP_SAMPLES)], medians[int(0.975 * BOOTSTRAP_SAMPLES) - 1]
    return f"{statistics.median(differences):+.1f} ms (95 % interval {low:+.1f} to {high:+.1f})"


def summary_line(version: Version) -> str:
    """The version's figures as one markdown table row."""
    warm_changes = len(version.warm_ms)
    return (f"| {version.label} | {statistics.median(version.cold_ms):.0f} | {statistics.median(version.warm_ms):.0f} "
            f"| {version.browser_cpu_ms / warm_changes:.0f} | {version.app_cpu_ms / warm_changes:.1f} |")


def describe_databases(target: PostgresTarget, ref_target: PostgresTarget | None, ref: str, reused: bool) -> str:
    """Which database each version runs on."""
    if ref_target is None:
        return f"database: {target.name}, shared by both versions (same migrations)"
    if reused:
        return (f"databases: {ref_target.name} ({ref}, as kept) and {target.name} (working tree: a copy of it, "
                "migrated by its app on start)")
    return (f"databases: {target.name} (working tree) and {ref_target.name} ({ref}, other migrations, migrated by "
            "its own cli.py init), the same generated deals in each")


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the commit to compare the working tree with")
    parser.add_argument("--size", type=int, default=100_000, help="deals in the database")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each starts both versions afresh")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:55432/postgres",
                        help="a server URL; a bench_compare_<N> database is created there and dropped after")
    parser.add_argument("--page", choices=sorted(PAGES), default="dashboard", help="the page the actions are made on")
    parser.add_argument("--reuse", action="store_true",
                        help="measure performance_benchmark.py's kept bench_perf_<N> as it is, and keep it")
    return parser.parse_args()


def main() -> None:
    """Load the database, run the rounds, print the medians so far after each and a table at the end."""
    args = parse_args()
    page = PAGES[args.page]
    workdir = Path(tempfile.mkdtemp(prefix="crm-compare-"))
    kept = PostgresTarget(args.postgres_url, args.size, prefix=KEPT_PREFIX)
    other = Version(args.ref, checkout(args.ref, workdir / "ref"))
    shared = migrations(other.root) == migrations(ROOT)
    if args.reuse and not kept.holds_deals():
        remove_worktree(other.root)
        sys.exit(f"--reuse: {kept.name} must hold deals (performance_benchmark.py --keep makes it)")
    target = kept if args.reuse and shared else PostgresTarget(args.postgres_url, args.size, prefix=PREFIX)
    current = Version("working tree", ROOT, target.url)
    ref_target = None if shared else kept if args.reuse else PostgresTarget(args.postgres_url, args.size,
                                                                            prefix=REF_PREFIX)
    other.database_url = target.url if ref_target is None else ref_target.url
    browser = "Chromium"
    try:
        if args.reuse and not shared:
            target.copy_of(kept)
        elif not args.reuse:
            fill(target, args.size)
        if ref_target is not None and not args.reuse:
            fill(ref_target, args.size, cli_init(other.root))
        print("\n".join(machine_facts(args.postgres_url)), flush=True)
        print(describe_databases(target, ref_target, args.ref, args.reuse), flush=True)
        for round_number in range(args.rounds):
            browser = run_round((other, current), workdir, round_number, page)
            print(f"medians after round {round_number + 1}: " + "; ".join(
                f"{v.label} cold {statistics.median(v.cold_ms):.0f} ms, warm {statistics.median(v.warm_ms):.0f} ms"
                for v in (other, current)), flush=True)
    finally:
        if target is not kept:
            target.drop()
        if ref_target not in (None, kept):
            ref_target.drop()
        remove_worktree(other.root)
    databases = "one database" if shared else "a database per version"
    print(f"\n/{page.path} · {args.size:,} deals on PostgreSQL ({databases}), "
          f"{args.rounds} rounds, {len(filter_changes())} actions per pass, "
          f"the two versions in turns action by action; {browser}")
    print("\n| Version | Change median, cold (ms) | Change median, warm (ms) | Browser CPU per warm change (ms) "
          "| App CPU per warm change (ms) |")
    print("|---|---|---|---|---|")
    print(summary_line(other))
    print(summary_line(current))
    print(f"\nWorking tree minus {other.label}, per action: cold {paired_difference(current.cold_ms, other.cold_ms)}, "
          f"warm {paired_difference(current.warm_ms, other.warm_ms)}")


if __name__ == "__main__":
    main()
