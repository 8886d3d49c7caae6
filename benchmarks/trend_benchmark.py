"""Time the weekly trend (`graph-trend`) over N deals with a history, on PostgreSQL, cold and warm.

Why: issue 16 asks for the trend at 1 000 000 deals with about 3 history rows each, cold and warm. For each
size this script creates a fresh `trend_<N>` database, loads the service benchmark's generated deals, gives them
the digest benchmark's history (each deal created on one of the last 90 days, an amount change and a stage move
later, some yesterday: `digest_benchmark.add_history`, which rebuilds `pipeline_changes` from it), then times
`PerformanceReads.trend` for the service benchmark's 25 selections: cold (a fresh data version: the SQL runs)
then warm (cached), `--rounds` times. It also times one rebuild of `pipeline_changes` from the whole history
(what migration 0014 does once on an existing database) and a stage change of 1 000 deals in one statement, with
and without the table's triggers (what every write pays for the trend).

    .venv/bin/python benchmarks/trend_benchmark.py --postgres-url postgresql://postgres@127.0.0.1:55432/postgres \\
        [--sizes 100000 1000000] [--rounds 3] [--keep]

A benchmark script, not a test.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.digest_benchmark import database_with_history, history_arguments
from benchmarks.service_benchmark import benchmark_filters
from data import pipeline_changes
from data.db import make_engine
from services.cache import VersionedCache
from services.performance import PerformanceReads
from settings import Settings
from wiring import make_cache_backend

TRIGGERS = ("insert", "update", "delete", "truncate")
MOVED = 1_000


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"


def time_reads(url: str, rounds: int) -> tuple[list[float], list[float], dict[str, float]]:
    """Cold and warm milliseconds of the trend over every selection and round; the slowest cold per selection."""
    engine = make_engine(url)
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    reads = PerformanceReads(engine, cache)
    cold, warm, slowest = [], [], {}
    try:
        for _label, chosen in benchmark_filters():  # warm-up: pool, compiled statements
            cache.bump()
            reads.trend(chosen)
        for _round in range(rounds):
            for label, chosen in benchmark_filters():
                cache.bump()
                for phase in (cold, warm):
                    started = time.perf_counter()
                    reads.trend(chosen)
                    phase.append((time.perf_counter() - started) * 1000)
                slowest[label] = max(slowest.get(label, 0.0), cold[-1])
    finally:
        engine.dispose()
    return cold, warm, slowest


def time_rebuild(url: str) -> tuple[float, int]:
    """Seconds to rebuild `pipeline_changes` from the whole history, and its row count."""
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        with engine.begin() as connection:
            rows = pipeline_changes.rebuild(connection)
        return time.perf_counter() - started, rows
    finally:
        engine.dispose()


def time_stage_change(url: str, with_trend: bool) -> float:
    """Milliseconds of one UPDATE moving `MOVED` open deals to the next stage, rolled back; without the trend's
    triggers when `with_trend` is false (every other trigger stays)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            if not with_trend:
                for event in TRIGGERS:
                    connection.exec_driver_sql(f"ALTER TABLE deals DISABLE TRIGGER pipeline_changes_after_{event}")
            started = time.perf_counter()
            connection.exec_driver_sql(
                "UPDATE deals SET statut = 'Qualifié' WHERE id IN (SELECT id FROM deals WHERE statut = 'Prospect' "
                f"ORDER BY id LIMIT {MOVED})")
            seconds = time.perf_counter() - started
            transaction.rollback()
        return seconds * 1000
    finally:
        engine.dispose()


def main() -> None:
    args = history_arguments(__doc__.split("\n\n")[0], "trend")
    for size in args.sizes:
        with database_with_history(args, size, "trend") as url:
            seconds, rows = time_rebuild(url)
            print(f"  rebuild of pipeline_changes from the history: {seconds:.1f} s, {rows:,} rows")
            cold, warm, slowest = time_reads(url, args.rounds)
            print(f"  trend, {len(benchmark_filters())} selections x {args.rounds} rounds: cold {_ms(cold)}; "
                  f"warm {_ms(warm)}")
            worst = sorted(slowest.items(), key=lambda item: -item[1])[:3]
            print(f"  slowest cold: {'; '.join(f'{label} {value:.1f} ms' for label, value in worst)}")
            pairs = [(time_stage_change(url, True), time_stage_change(url, False)) for _ in range(5)]
            print(f"  UPDATE of {MOVED:,} deals' stage: median {statistics.median(p[0] for p in pairs):.1f} ms "
                  f"with the trend's triggers, {statistics.median(p[1] for p in pairs):.1f} ms without (5 each)")
            print(f"  load average after: {os.getloadavg()[0]:.2f}")

if __name__ == "__main__":
    main()
