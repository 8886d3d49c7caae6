"""Digest benchmark: `crm digest --dry-run` over N generated deals with about 3 history rows each, on PostgreSQL.

Why: issue 16 asks for the daily digest of 1 000 000 deals in under 5 s. The digest reads three pages of the
deadline grid (next 7 days, overdue, cold), their counts and yesterday's history; the cold scope and the history
are the parts that grow with the book. This script builds that book: the benchmarks' deterministic deals
(`bench_data`, COPY), then a history spread over the 90 days before today (each deal created on one of them,
two later changes each, a share of them yesterday), dated against the real today so that the installed command
runs unpatched. It then times, each `--rounds` times:
- the command as cron runs it (`crm digest --dry-run`, a new process: interpreter, imports, schema check, reads);
- the digest alone in this process (`services.digest.build_digest` and both renderings), with a fresh cache.

    .venv/bin/python benchmarks/digest_benchmark.py --postgres-url postgresql://postgres@127.0.0.1:55432/postgres \\
        --sizes 100000 1000000 [--rounds 3] [--keep]

A fresh `digest_<N>` database per size is dropped at the end unless `--keep`. A script, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_data import PostgresTarget, fill, machine_facts  # noqa: E402
from data import clock, pipeline_changes  # noqa: E402
from data.db import make_engine  # noqa: E402
from domain.digest_render import html_part, text_part  # noqa: E402
from domain.staleness import start_of_paris_day  # noqa: E402
from services.cache import VersionedCache  # noqa: E402
from services.digest import build_digest  # noqa: E402
from services.reads import DealReads  # noqa: E402
from settings import Settings  # noqa: E402
from wiring import make_cache_backend  # noqa: E402

HISTORY_DAYS = 90
YESTERDAY_SHARE = 200  # one deal in 200 changed yesterday
CRM = Path(sys.executable).with_name("crm")


def add_history(url: str) -> None:
    """Date each deal's creation (and its `created` row) on one of the last 90 Paris days, add two later changes
    per deal (an amount, then a stage move between open stages), move a share of those to yesterday, and set each
    deal's last change (`last_change_at`) to its last history row."""
    today = clock.today()
    start = start_of_paris_day(today - timedelta(days=HISTORY_DAYS))
    yesterday = start_of_paris_day(today - timedelta(days=1))
    engine = make_engine(url)
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("ALTER TABLE deals DISABLE TRIGGER USER")  # created_at is kept by a trigger; the rollups do not move
        run(f"UPDATE deals SET created_at = '{start}'::timestamp + mod(id, {HISTORY_DAYS}) * interval '1 day' "
            "+ mod(id, 36000) * interval '1 second'")
        run("ALTER TABLE deals ENABLE TRIGGER USER")
        run("UPDATE deal_events e SET at = d.created_at FROM deals d WHERE d.id = e.deal_id")
        run("INSERT INTO deal_events (deal_id, at, action, field, old_value, new_value, source) "
            "SELECT id, created_at + (1 + mod(id, 40)) * interval '1 day', 'updated', 'montant_brut', "
            "montant_brut::text, (montant_brut * 1.1)::numeric(12, 2)::text, 'import' FROM deals "
            f"WHERE created_at + (1 + mod(id, 40)) * interval '1 day' < '{yesterday}'")
        run("INSERT INTO deal_events (deal_id, at, action, field, old_value, new_value, source) "
            f"SELECT id, CASE WHEN mod(id, {YESTERDAY_SHARE}) = 0 THEN '{yesterday}'::timestamp + mod(id, 80000) * "
            "interval '1 second' ELSE created_at + (2 + mod(id, 60)) * interval '1 day' END, 'updated', 'statut', "
            "'Prospect', 'Qualifié', 'formulaire' FROM deals "
            f"WHERE mod(id, {YESTERDAY_SHARE}) = 0 "
            f"OR created_at + (2 + mod(id, 60)) * interval '1 day' < '{yesterday}'")
        # Each deal's last change, as the database keeps it; with the triggers on, so `deal_activity` follows.
        run("UPDATE deals SET last_change_at = latest.at FROM (SELECT deal_id, max(at) AS at FROM deal_events "
            "GROUP BY deal_id) AS latest WHERE latest.deal_id = deals.id")
        pipeline_changes.rebuild(connection)  # the trend's daily moves, on the days the history says
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def facts(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        deals, events, size = connection.exec_driver_sql(
            "SELECT (SELECT count(*) FROM deals), (SELECT count(*) FROM deal_events), "
            "pg_size_pretty(pg_total_relation_size('deals') + pg_total_relation_size('deal_events'))").one()
    engine.dispose()
    return f"{deals:,} deals, {events:,} history rows, {size} on disk (deals + deal_events with their indexes)"


def command_seconds(url: str) -> tuple[float, str]:
    """`crm digest --dry-run` in a new process, as cron starts it: wall time and its output."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": url, "CACHE_TYPE": "simple"}
    started = time.perf_counter()
    done = subprocess.run([str(CRM), "digest", "--dry-run"], capture_output=True, text=True, env=environment,
                          cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"crm digest failed:\n{done.stderr}")
    return seconds, done.stdout


def in_process_seconds(url: str) -> float:
    """The digest alone: its reads on a fresh cache, and both renderings."""
    engine = make_engine(url)
    reads = DealReads(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple"))))
    with engine.connect() as connection:  # the pool's first connection is not the digest's cost
        connection.exec_driver_sql("SELECT 1")
    started = time.perf_counter()
    digest = build_digest(reads, engine, clock.today(), "http://127.0.0.1:8050")
    text_part(digest), html_part(digest)
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def history_arguments(description: str, prefix: str) -> argparse.Namespace:
    """The options of a benchmark over generated deals with a history: server, sizes, rounds, keep; prints the
    machine's facts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--postgres-url", required=True,
                        help=f"a server URL; {prefix}_<N> databases are created there")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    print("\n".join(machine_facts(args.postgres_url)))
    print(f"load average at start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}; today {clock.today()}")
    return args


@contextmanager
def database_with_history(args: argparse.Namespace, size: int, prefix: str) -> Iterator[str]:
    """A fresh `<prefix>_<size>` database of generated deals with their history (`add_history`), its URL; dropped
    afterwards unless `--keep`."""
    target = PostgresTarget(args.postgres_url, size, prefix=prefix)
    started = time.perf_counter()
    fill(target, size)
    add_history(target.url)
    print(f"\n{facts(target.url)}; loaded in {time.perf_counter() - started:.1f} s; "
          f"load average {os.getloadavg()[0]:.2f}")
    try:
        yield target.url
    finally:
        if not args.keep:
            target.drop()


def main() -> None:
    args = history_arguments(__doc__.split("\n\n")[0], "digest")
    for size in args.sizes:
        with database_with_history(args, size, "digest") as url:
            commands, outputs = zip(*(command_seconds(url) for _ in range(args.rounds)), strict=True)
            alone = [in_process_seconds(url) for _ in range(args.rounds)]
            print(f"  crm digest --dry-run (new process): median {statistics.median(commands):.2f} s, "
                  f"max {max(commands):.2f} s over {args.rounds} runs")
            print(f"  digest reads + rendering (in process, fresh cache): median {statistics.median(alone):.2f} s, "
                  f"max {max(alone):.2f} s")
            print(f"  the message: {outputs[0].splitlines()[1]}")
            print(f"  its sections: {' | '.join(line for line in outputs[0].splitlines() if line.isupper())}")
            print(f"  load average after: {os.getloadavg()[0]:.2f}")

if __name__ == "__main__":
    main()
