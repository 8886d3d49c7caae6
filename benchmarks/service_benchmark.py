"""Time one dashboard refresh, cold and warm, over N generated deals on PostgreSQL and SQLite.

Why: issue 3 sets targets for the data service (PostgreSQL, 1 000 000 deals: cold refresh under 250 ms
median, warm under 5 ms; 100 000 deals: cold under 50 ms). This script measures them the way the page
works: for each size and database it creates a fresh database, migrates it, bulk-loads deals (COPY on
PostgreSQL, so the rollup's statement trigger runs once; batched executemany in one transaction on
SQLite, where the rollup triggers run per row), then, for each of 25 filters, times exactly the service
calls a refresh makes, first with a fresh data version (every cache key misses) and then again at once
(every key hits). It prints median and p95 per call and per refresh, the SQL statements a refresh runs,
the slowest filters, the process memory, the machine, and one markdown table for the README.

    .venv/bin/python benchmarks/service_benchmark.py --sizes 10000 100000 1000000 \\
        --postgres-url postgresql://postgres@127.0.0.1:55432/postgres [--sqlite-dir DIR] [--rounds 5]

A benchmark script, not a test. The databases it creates (`bench_<N>` on the PostgreSQL server given,
`bench_<N>.sqlite3` in the SQLite directory) are dropped at the end of each run unless `--keep`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_data import TODAY, DealRow, PostgresTarget, SqliteTarget, Target, generate_deals, machine_facts
from benchmarks.digest_benchmark import add_history
from data import clock, migrate
from domain.deal_filter import NO_ASSIGNEE, NO_SECTOR, DealFilter
from domain.pipeline_results import DeadlineScope
from domain.stages import OPEN_STAGES
from services.cache import VersionedCache
from services.reads import DealReads
from settings import Settings
from wiring import make_cache_backend

PAGE_SIZE = 20
COLD, WARM = "cold", "warm"
REFRESH = "whole refresh"
SEARCH_PREFIX = "search: "

PageCall = Callable[[DealReads, DealFilter], object]

# What one refresh of the page calls, in the page's order.
PAGE_CALLS: tuple[tuple[str, PageCall], ...] = (
    ("kpis", lambda service, chosen: service.kpis(chosen)),
    ("funnel", lambda service, chosen: service.funnel(chosen)),
    ("sectors", lambda service, chosen: service.sectors(chosen)),
    ("deadline_counts", lambda service, chosen: service.deadline_counts(chosen)),
    ("deadlines", lambda service, chosen: service.deadlines(chosen, DeadlineScope.ALL, offset=0, limit=PAGE_SIZE)),
    ("filter_options", lambda service, _chosen: service.filter_options()),
)
STEPS = (*(name for name, _call in PAGE_CALLS), REFRESH)


def benchmark_filters() -> tuple[tuple[str, DealFilter], ...]:
    """25 different selections: each dimension alone and combined, every shape of due-date range, text searches
    (one the generated data never holds, a client name in 1 deal of 25, a note in 1 of 8), and none."""
    build = DealFilter.build
    return (
        ("no filter", build()),
        ("one stage", build(stages=["Négociation"])),
        ("open stages", build(stages=OPEN_STAGES)),
        ("closed stages", build(stages=["Gagné", "Perdu"])),
        ("largest sector", build(sectors=["Logiciel"])),
        ("three sectors", build(sectors=["Banque", "Énergie", "Immobilier"])),
        ("no sector", build(sectors=[NO_SECTOR])),
        ("no sector + small sector", build(sectors=[NO_SECTOR, "Tourisme"])),
        ("one salesperson", build(assignees=["Camille Martin"])),
        ("salespeople + unassigned", build(assignees=["Hugo Bernard", "Léa Dubois", NO_ASSIGNEE])),
        ("inside one month", build(due_from="2026-12-03", due_to="2026-12-17")),
        ("one day (today)", build(due_from=TODAY, due_to=TODAY)),
        ("partial months at both ends", build(due_from="2026-10-15", due_to="2027-02-10")),
        ("whole months", build(due_from="2027-01-01", due_to="2027-03-31")),
        ("from today, open-ended", build(due_from=TODAY)),
        ("until a month end, open-ended", build(due_to="2025-06-30")),
        ("until yesterday, open-ended", build(due_to=TODAY - timedelta(days=1))),
        ("whole data span, partial edges", build(due_from="2024-11-05", due_to="2028-11-28")),
        ("stage + sector + salesperson + dates", build(
            stages=["Négociation"], sectors=["Logiciel"], assignees=["Camille Martin"],
            due_from="2026-10-15", due_to="2027-02-10")),
        ("open stages + sectors + quarter", build(
            stages=OPEN_STAGES, sectors=["Industrie", "Santé"], due_from="2027-01-01", due_to="2027-03-31")),
        ("won + no sector + one month", build(stages=["Gagné"], sectors=[NO_SECTOR], due_from="2026-11-01",
                                             due_to="2026-11-30")),
        ("selects nothing", build(sectors=["'; DROP TABLE deals;--"])),
        (f"{SEARCH_PREFIX}societe", build(search="societe")),
        (f"{SEARCH_PREFIX}vendome (1 deal in 25)", build(search="vendome")),
        (f"{SEARCH_PREFIX}budget valide (1 in 8)", build(search="budget valide")),
    )


class TimedRows:
    """Yields rows while adding up the time spent producing them, so load time can be told apart from
    the Python generator's own cost (rows are streamed, never all held in memory)."""

    def __init__(self, rows: Iterable[DealRow]) -> None:
        self._rows = iter(rows)
        self.seconds = 0.0

    def __iter__(self) -> TimedRows:
        return self

    def __next__(self) -> DealRow:
        started = time.perf_counter()
        try:
            return next(self._rows)
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class Run:
    """Everything measured for one database at one size."""

    database: str
    size: int
    load_seconds: float = 0.0
    generate_seconds: float = 0.0
    analyze_seconds: float = 0.0
    samples: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: {phase: {step: [] for step in STEPS} for phase in (COLD, WARM)}
    )
    statements: dict[str, list[int]] = field(default_factory=lambda: {COLD: [], WARM: []})
    cold_by_filter: dict[str, list[float]] = field(default_factory=dict)
    peak_rss_mib: float = 0.0
    current_rss_mib: float = 0.0
    load_average: float = 0.0

    @property
    def rows_per_second(self) -> float:
        """Load throughput end to end: row generation, transfer, triggers and commit."""
        return self.size / self.load_seconds


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine runs: shows a warm refresh touches no database."""

    count: int = 0

    def attach(self, engine: Engine) -> None:
        """Listen on the engine for the rest of its life."""
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *_args: object) -> None:
        self.count += 1


def refresh(service: DealReads, chosen: DealFilter) -> dict[str, float]:
    """Milliseconds per page call, and for the whole refresh, for one filter."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for name, call in PAGE_CALLS:
        call_started = time.perf_counter()
        call(service, chosen)
        timings[name] = (time.perf_counter() - call_started) * 1000
    timings[REFRESH] = (time.perf_counter() - started) * 1000
    return timings


def measure(run: Run, service: DealReads, cache: VersionedCache, counter: StatementCounter, rounds: int) -> None:
    """A warm-up pass (pool, compiled-statement cache), then `rounds` passes of cold + warm per filter."""
    filters = benchmark_filters()
    for _label, chosen in filters:
        cache.bump()
        refresh(service, chosen)
    for _round in range(rounds):
        for label, chosen in filters:
            cache.bump()
            for phase in (COLD, WARM):
                before = counter.count
                timings = refresh(service, chosen)
                run.statements[phase].append(counter.count - before)
                for step, value in timings.items():
                    run.samples[phase][step].append(value)
            run.cold_by_filter.setdefault(label, []).append(run.samples[COLD][REFRESH][-1])


def rss_mib() -> tuple[float, float]:
    """Peak RSS of this process (ru_maxrss, KiB on Linux) and current RSS (VmRSS), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = Path("/proc/self/status").read_text().splitlines()
    current = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    return peak, current


def benchmark(target: Target, size: int, rounds: int, keep: bool, history: bool = False) -> Run:
    """Create, migrate, load, analyze and measure one database at one size; with `history` (PostgreSQL), the deals
    get about 3 history rows each over the last 90 days first (`digest_benchmark.add_history`), so that the
    cold-deal count has cold deals to count."""
    run = Run(target.label, size)
    engine = target.create()
    try:
        migrate.upgrade(engine)
        rows = TimedRows(generate_deals(size))
        started = time.perf_counter()
        target.load(engine, rows)
        run.load_seconds = time.perf_counter() - started
        run.generate_seconds = rows.seconds
        if history and isinstance(target, PostgresTarget):
            add_history(target.url)
        started = time.perf_counter()
        target.analyze(engine)
        run.analyze_seconds = time.perf_counter() - started
        counter = StatementCounter()
        counter.attach(engine)
        cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
        measure(run, DealReads(engine, cache), cache, counter, rounds)
        run.peak_rss_mib, run.current_rss_mib = rss_mib()
        run.load_average = os.getloadavg()[0]
    finally:
        engine.dispose()
        if not keep:
            target.drop()
    return run


def median(values: list[float]) -> float:
    """Median, the figure the targets are set on."""
    return statistics.median(values)


def p95(values: list[float]) -> float:
    """95th percentile (inclusive method: stays within the observed values)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def ms(value: float) -> str:
    """Milliseconds with the precision that matters at that scale."""
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def print_run(run: Run, filter_count: int, rounds: int) -> None:
    """The detailed table for one database and size, as soon as it is measured."""
    print(f"\n## {run.database} · {run.size:,} deals")
    print(f"load {run.load_seconds:.1f} s ({run.rows_per_second:,.0f} rows/s, triggers included), "
          f"of which {run.generate_seconds:.1f} s generating the rows in Python; "
          f"{'VACUUM ANALYZE' if run.database == 'PostgreSQL' else 'ANALYZE'} {run.analyze_seconds:.1f} s")
    print(f"{filter_count} filters × {rounds} rounds = {len(run.samples[COLD][REFRESH])} refreshes per column (ms)")
    print(f"{'step':<18}{'cold median':>13}{'cold p95':>11}{'warm median':>13}{'warm p95':>11}")
    for step in STEPS:
        cold, warm = run.samples[COLD][step], run.samples[WARM][step]
        print(f"{step:<18}{ms(median(cold)):>13}{ms(p95(cold)):>11}{ms(median(warm)):>13}{ms(p95(warm)):>11}")
    print(f"SQL statements per refresh: cold {min(run.statements[COLD])}-{max(run.statements[COLD])}, "
          f"warm {min(run.statements[WARM])}-{max(run.statements[WARM])}")
    slowest = sorted(run.cold_by_filter.items(), key=lambda item: -median(item[1]))[:3]
    print("slowest filters (cold refresh median): "
          + "; ".join(f"{label} {ms(median(values))} ms" for label, values in slowest))
    searches = [(label, values) for label, values in run.cold_by_filter.items() if label.startswith(SEARCH_PREFIX)]
    print("text searches (cold refresh median / max): "
          + "; ".join(f"{label} {ms(median(values))} / {ms(max(values))} ms" for label, values in searches))
    print(f"memory: peak RSS {run.peak_rss_mib:.0f} MiB, current RSS {run.current_rss_mib:.0f} MiB")
    print(f"machine load average (1 min) at the end: {run.load_average:.2f} on {os.cpu_count()} cores")


def print_summary(runs: list[Run], facts: list[str], command: str) -> None:
    """One markdown table over every database and size, with the command and the machine, for the README."""
    per_call = " | ".join(name for name, _call in PAGE_CALLS)
    print("\n## Summary (markdown)\n")
    print(f"`{command}`\n")
    print("Times in ms over every filter and round; query columns: cold median / p95 (warm median).\n")
    print(f"| Database | Deals | Load | Cold refresh median / p95 | Warm refresh median / p95 | {per_call} "
          "| Peak / current RSS |")
    print("|" + "---|" * (6 + len(PAGE_CALLS)))
    for run in runs:
        cold, warm = run.samples[COLD], run.samples[WARM]
        calls = " | ".join(
            f"{ms(median(cold[name]))} / {ms(p95(cold[name]))} ({ms(median(warm[name]))})" for name, _c in PAGE_CALLS
        )
        print(f"| {run.database} | {run.size:,} | {run.load_seconds:.1f} s ({run.rows_per_second:,.0f}/s; "
              f"{run.generate_seconds:.1f} s gen.) "
              f"| **{ms(median(cold[REFRESH]))}** / {ms(p95(cold[REFRESH]))} "
              f"| **{ms(median(warm[REFRESH]))}** / {ms(p95(warm[REFRESH]))} | {calls} "
              f"| {run.peak_rss_mib:.0f} / {run.current_rss_mib:.0f} MiB |")
    loads = ", ".join(f"{run.database} {run.size:,}: {run.load_average:.2f}" for run in runs)
    print("\n" + "\n".join(f"- {fact}" for fact in [*facts, f"1-min load average after each run: {loads}"]))


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--postgres-url", required=True, help="a server URL; bench_<N> databases are created there")
    parser.add_argument("--sqlite-dir", type=Path, help="where bench_<N>.sqlite3 files go (default: a temp dir)")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the filters per database and size")
    parser.add_argument("--databases", nargs="+", choices=["postgresql", "sqlite"], default=["postgresql", "sqlite"])
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards (to EXPLAIN by hand)")
    parser.add_argument("--history", action="store_true",
                        help="PostgreSQL: about 3 history rows per deal over 90 days, most open deals cold")
    return parser.parse_args()


def main() -> None:
    """Run every database at every size, printing as it goes, then the summary."""
    args = parse_args()
    clock.fix_today(TODAY)
    sqlite_dir = args.sqlite_dir or Path(tempfile.mkdtemp(prefix="crm-bench-"))
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    facts = machine_facts(args.postgres_url)
    print("\n".join(facts))
    filter_count = len(benchmark_filters())
    runs = []
    for size in args.sizes:
        for database in args.databases:
            target: Target = (
                PostgresTarget(args.postgres_url, size) if database == "postgresql" else SqliteTarget(sqlite_dir, size)
            )
            runs.append(benchmark(target, size, args.rounds, args.keep, args.history))
            print_run(runs[-1], filter_count, args.rounds)
    print_summary(runs, facts, " ".join([".venv/bin/python", *sys.argv]))


if __name__ == "__main__":
    main()
