"""Time each statement of the performance page alone, in-process and cold, over the service benchmark's 25
selections, on a PostgreSQL database with a history.

Why: the page's browser benchmark (benchmarks/performance_benchmark.py) gives the time to every output; this one
says which statement that time is spent in, and lets two versions of the queries be run in turns against the
same loaded database (run it from each version's tree) without reloading a million deals each time. Each call
runs on a fresh connection with no application cache: what the first request of a new selection costs.

    .venv/bin/python benchmarks/performance_statements.py [--size 1000000] [--rounds 2] \\
        [--postgres-url postgresql://postgres@127.0.0.1:55432/postgres] [--reuse] [--keep] [--only stages]

The database is `bench_perf_<N>`, the one performance_benchmark.py loads (deals, then about 3 history rows per
deal); `--reuse` measures an existing one as it is instead of loading it again. A script, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_data import TODAY, PostgresTarget, machine_facts
from benchmarks.performance_benchmark import PREFIX, fill_with_history
from benchmarks.service_benchmark import benchmark_filters
from data.db import make_engine
from domain.deal_filter import DealFilter
from services import performance_queries, trend_queries
from services.performance import default_period
from services.queries import resolved

Statement = Callable[[Connection, DealFilter], object]
STATEMENTS: dict[str, Statement] = {
    "per salesperson": lambda connection, chosen: performance_queries.assignee_figures(connection, chosen, TODAY),
    "forecast": lambda connection, chosen: performance_queries.forecast_cells(connection, chosen, TODAY),
    "won per month": lambda connection, chosen: performance_queries.won_by_month(connection, chosen, TODAY),
    "stage movement": lambda connection, chosen: performance_queries.stage_movement(
        connection, chosen, *default_period(TODAY)),
    "stage movement, 365 days": lambda connection, chosen: performance_queries.stage_movement(
        connection, chosen, TODAY - timedelta(days=365), TODAY),
    "trend": lambda connection, chosen: trend_queries.pipeline_trend(connection, chosen, TODAY),
}


def time_statement(url: str, statement: Statement, chosen: DealFilter) -> float:
    """Milliseconds of one call on a fresh connection."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            started = time.perf_counter()
            statement(connection, resolved(chosen, TODAY))
            return (time.perf_counter() - started) * 1000
    finally:
        engine.dispose()


def main() -> None:
    """Load (or reuse) the database, then each statement over every selection, `--rounds` times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:55432/postgres")
    parser.add_argument("--reuse", action="store_true", help="measure the kept bench_perf_<N> as it is")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--only", nargs="+", choices=list(STATEMENTS), default=list(STATEMENTS))
    args = parser.parse_args()
    target = PostgresTarget(args.postgres_url, args.size, prefix=PREFIX)
    print("\n".join([*machine_facts(args.postgres_url), f"command: {' '.join(['.venv/bin/python', *sys.argv])}"]))
    if not (args.reuse and target.holds_deals()):
        print(f"loaded in {fill_with_history(target, args.size):.0f} s")
    try:
        print(f"{args.size:,} deals, {len(benchmark_filters())} selections, {args.rounds} rounds; ms per call")
        print("| Statement | median | p95 | max |\n|---|---|---|---|")
        for name in args.only:
            timings = [time_statement(target.url, STATEMENTS[name], chosen)
                       for _round in range(args.rounds) for _label, chosen in benchmark_filters()]
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"| {name} | {statistics.median(timings):.0f} | {p95:.0f} | {max(timings):.0f} |", flush=True)
    finally:
        if not (args.keep or args.reuse):
            target.drop()


if __name__ == "__main__":
    main()
