"""Export benchmark: the whole book of N generated deals from PostgreSQL to .xlsx, .csv and the PDF report, as
the export buttons build them (`services.exports`), with the time and the peak memory of the exporting process.

Why a child process per export: its peak resident memory (`VmHWM` in /proc) is then the export's alone,
the interpreter and imports included (the resident memory before the export is printed beside it), not
the loader's. Issue 17's targets:
100 000 rows to xlsx under 10 s and 300 MB; 1 000 000 rows to CSV under 15 s and 300 MB; the PDF of the whole
demo base (240 deals) under 3 s. The PDF holds aggregates and 20 rows whatever the size; "rows" is the view's
deal count there. Beside the wall time, the exporting process's own CPU time (the database server's is not in
it): on a shared machine the wall time of the same export varies by a third from run to run, the CPU time less.

    .venv/bin/python benchmarks/export_benchmark.py --postgres-url postgresql://postgres@127.0.0.1:55432/postgres \\
        --sizes 100000 1000000 [--formats xlsx csv pdf] [--keep]

For each size a fresh `export_<N>` database is created on the server, migrated, loaded with the benchmarks'
deterministic deals (COPY) and analysed; it is dropped at the end unless `--keep`. A script, not a test.
An xlsx past Excel's 1 048 575 rows is not attempted (the app refuses it and offers the CSV).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_data import MIB, TODAY, PostgresTarget, fill, machine_facts  # noqa: E402
from data.db import make_engine  # noqa: E402
from services.exports import MAX_DEAL_ROWS  # noqa: E402


def _memory_kib(field: str) -> int:
    """This process's resident memory now (`VmRSS`) or its peak so far (`VmHWM`), in KiB."""
    return next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith(f"{field}:"))


def child(file_format: str, url: str, out_path: Path) -> None:
    """In a fresh process: export the whole book to `out_path`, print time, rows and peak memory as JSON."""
    from cachelib import SimpleCache  # the app's in-process cache backend ("simple"), without Flask

    from data import clock
    from services.cache import VersionedCache
    from services.exports import DealExports, ExportView
    from services.reads import DealReads

    clock.fix_today(TODAY)
    engine = make_engine(url)
    exports = DealExports(engine, DealReads(engine, VersionedCache(SimpleCache())))
    at_start = _memory_kib("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    with out_path.open("wb") as out:
        rows = exports.write(file_format, ExportView(), out)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_kib": _memory_kib("VmHWM"),
                      "start_kib": at_start}))


def measure(file_format: str, url: str, folder: Path) -> dict:
    """One export in a child process; its JSON line, with the file's size."""
    out_path = folder / f"deals.{file_format}"
    done = subprocess.run([sys.executable, __file__, "--postgres-url", url, "--child", file_format, url, str(out_path)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"the {file_format} export failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["bytes"] = out_path.stat().st_size
    out_path.unlink()
    return result


def table_size(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        size = connection.exec_driver_sql("SELECT pg_size_pretty(pg_total_relation_size('deals'))").scalar()
    engine.dispose()
    return size


def _size(size: int) -> str:
    """A file's size in MiB, or in KiB under one MiB (a report is a few dozen KiB)."""
    return f"{size / 1024:7.1f} KiB" if size < MIB else f"{size / MIB:7.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", required=True, help="a server URL; export_<N> databases are created there")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--formats", nargs="+", choices=["xlsx", "csv", "pdf"], default=["xlsx", "csv", "pdf"])
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return
    print("\n".join(machine_facts(args.postgres_url)))
    print(f"load average at start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
        for size in args.sizes:
            target = PostgresTarget(args.postgres_url, size, prefix="export")
            started = time.perf_counter()
            fill(target, size)
            print(f"\n{size:,} deals loaded in {time.perf_counter() - started:.1f} s; table deals: "
                  f"{table_size(target.url)} on disk; load average {os.getloadavg()[0]:.2f}")
            try:
                for file_format in args.formats:
                    if file_format == "xlsx" and size > MAX_DEAL_ROWS:
                        print(f"  xlsx: not attempted ({size:,} rows > {MAX_DEAL_ROWS:,}, the app offers the CSV)")
                        continue
                    result = measure(file_format, target.url, Path(folder))
                    # The report holds aggregates and 20 rows: a rate per deal would mean nothing there.
                    rate = "" if file_format == "pdf" else f"({result['rows'] / result['seconds']:>9,.0f} rows/s), "
                    print(f"  {file_format:4}: {result['rows']:>9,} deals in {result['seconds']:6.2f} s "
                          f"(CPU {result['cpu_seconds']:6.2f} s) {rate}"
                          f"file {_size(result['bytes'])}, peak memory {result['peak_kib'] / 1024:6.1f} MiB "
                          f"(before the export {result['start_kib'] / 1024:.1f} MiB)")
            finally:
                if not args.keep:
                    target.drop()


if __name__ == "__main__":
    main()
