"""Compare the filter-change time of the working tree with another commit, both measured in the same sitting.

Why: this machine's speed drifts by 10 to 40 ms between runs of the same commit, more than most single
changes gain, so two runs of browser_benchmark.py one after the other cannot tell two versions apart. Here
the two versions take turns, round after round, on one database: in each round each version is started
(`python app.py` of its own source tree), opened in a fresh Chromium, and driven through the 25 actions of
browser_benchmark.py twice, a cold pass (server cache empty) then a warm pass. Besides the wall time, the
CPU time that Chromium (all its processes) and the app spent per warm change is read from /proc: it drifts
far less than the wall time, so it shows a saving in the browser's work even when the medians are noisy.

    .venv/bin/python benchmarks/compare_browser.py REF [--size 100000] [--rounds 4] \\
        [--postgres-url postgresql://postgres@127.0.0.1:55432/postgres]

REF (a commit, tag or branch) is checked out into a temporary git worktree. It must have the same migrations
as the working tree, since both apps run on the same database. A script, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_data import PostgresTarget, fill, machine_facts
from benchmarks.browser_benchmark import filter_changes
from benchmarks.live_app import (
    CHROMIUM,
    DASHBOARD_OUTPUTS,
    ROOT,
    AppProcess,
    browser_facts,
    chromium,
    free_port,
    in_page,
    install_probe,
    open_dashboard,
    settle_options,
)

PREFIX = "bench_compare"
MIGRATIONS = Path("data/migrations/versions")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Version:
    """One source tree under comparison and what was measured on it."""

    label: str
    root: Path
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    browser_cpu_ms: list[float] = field(default_factory=list)  # per warm change, one value per round
    app_cpu_ms: list[float] = field(default_factory=list)


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


def chromium_pids() -> list[int]:
    """Every running Chromium process: the browser, its renderers, GPU and utility processes."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # A child process rewrites its command line as one string: "/usr/lib/chromium/chromium --type=…"
                command = (entry / "cmdline").read_bytes().split(b"\0")[0].split(b" ")[0].decode()
            except OSError:
                continue
            if Path(command).name == Path(CHROMIUM).name:  # /usr/bin/chromium starts /usr/lib/chromium/chromium
                pids.append(int(entry.name))
    return pids


def run_version(version: Version, database_url: str, workdir: Path) -> str:
    """One round of one version: start it, a cold pass, then a warm pass with its CPU time; answers the
    browser's version."""
    driver = chromium()
    try:
        install_probe(driver, DASHBOARD_OUTPUTS)
        with AppProcess(database_url, free_port(), workdir / f"{version.label}.log", root=version.root) as app:
            open_dashboard(driver, app.url)
            changes = filter_changes()
            for change in changes:
                result = in_page(driver, "change", change.action, settle_options(first_render=False))
                version.cold_ms.append(result["shownAt"] - result["since"])
            browser_pids = chromium_pids()
            browser_before, app_before = cpu_ms(browser_pids), cpu_ms([app.pid])
            for change in changes:
                result = in_page(driver, "change", change.action, settle_options(first_render=False))
                version.warm_ms.append(result["shownAt"] - result["since"])
            version.browser_cpu_ms.append((cpu_ms(browser_pids) - browser_before) / len(changes))
            version.app_cpu_ms.append((cpu_ms([app.pid]) - app_before) / len(changes))
        return browser_facts(driver)[0]
    finally:
        driver.quit()


def checkout(ref: str, folder: Path) -> Path:
    """A detached worktree of `ref` in `folder`; refuses a ref whose migrations differ from the working tree's."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(folder), ref], check=True)
    if sorted(p.name for p in (folder / MIGRATIONS).glob("*.py")) != sorted(
            p.name for p in (ROOT / MIGRATIONS).glob("*.py")):
        remove_worktree(folder)
        sys.exit(f"{ref} has other migrations than the working tree: the two apps cannot share one database.")
    return folder


def remove_worktree(folder: Path) -> None:
    """Forget the temporary worktree."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)], check=True)


def summary_line(version: Version) -> str:
    """The version's figures as one markdown table row."""
    return (f"| {version.label} | {statistics.median(version.cold_ms):.0f} | {statistics.median(version.warm_ms):.0f} "
            f"| {statistics.mean(version.browser_cpu_ms):.0f} | {statistics.mean(version.app_cpu_ms):.1f} |")


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the commit to compare the working tree with")
    parser.add_argument("--size", type=int, default=100_000, help="deals in the database")
    parser.add_argument("--rounds", type=int, default=4, help="rounds; each version runs once per round")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:55432/postgres",
                        help="a server URL; a bench_compare_<N> database is created there and dropped after")
    return parser.parse_args()


def main() -> None:
    """Load the database, alternate the versions for the rounds (the first to run swaps each round), print."""
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="crm-compare-"))
    target = PostgresTarget(args.postgres_url, args.size, prefix=PREFIX)
    other = Version(args.ref, checkout(args.ref, workdir / "ref"))
    current = Version("working tree", ROOT)
    browser = "Chromium"
    try:
        fill(target, args.size)
        print("\n".join(machine_facts(args.postgres_url)), flush=True)
        for round_number in range(args.rounds):
            order = (other, current) if round_number % 2 == 0 else (current, other)
            for version in order:
                browser = run_version(version, target.url, workdir)
            print(f"medians after round {round_number + 1}: " + "; ".join(
                f"{v.label} cold {statistics.median(v.cold_ms):.0f} ms, warm {statistics.median(v.warm_ms):.0f} ms, "
                f"browser CPU {v.browser_cpu_ms[-1]:.0f} ms per warm change this round"
                for v in (other, current)), flush=True)
    finally:
        target.drop()
        remove_worktree(other.root)
    print(f"\n{args.size:,} deals on PostgreSQL, {args.rounds} rounds, {len(filter_changes())} actions per pass; "
          f"{browser}")
    print("\n| Version | Change median, cold (ms) | Change median, warm (ms) | Browser CPU per warm change (ms) "
          "| App CPU per warm change (ms) |")
    print("|---|---|---|---|---|")
    print(summary_line(other))
    print(summary_line(current))


if __name__ == "__main__":
    main()
