"""Download benchmark: the export links served by the real app (`python app.py`, its own process), N generated
deals on PostgreSQL, the whole book; time to the first byte, total time, bytes, and the server's peak memory.

Why the real app in a process of its own: the figure that matters is what serving the file costs the web
process (issue 17: "the export of 1 000 000 deals never holds them all in Python at once"), read from its
/proc status, with nothing of the client mixed in. The link is signed as the export callback signs it (same
secret, solo mode: no account).

    .venv/bin/python benchmarks/download_benchmark.py --postgres-url postgresql://postgres@127.0.0.1:55432/postgres \\
        --sizes 1000000 [--formats csv xlsx pdf] [--keep]

A script, not a test; the `download_<N>` database is dropped at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_data import MIB, PostgresTarget, fill, machine_facts  # noqa: E402
from benchmarks.live_app import AppProcess, free_port  # noqa: E402
from services.exports import ExportView  # noqa: E402
from services.exports.download_token import DownloadRequest, DownloadTokens  # noqa: E402


def download(url: str) -> tuple[float, float, int]:
    """Follow the link as the browser does: seconds to the first chunk, seconds in all, bytes received."""
    started = time.perf_counter()
    first = None
    received = 0
    with requests.get(url, stream=True, timeout=600) as answer:
        answer.raise_for_status()
        for chunk in answer.iter_content(chunk_size=256 * 1024):
            first = first or time.perf_counter() - started
            received += len(chunk)
    return first or 0.0, time.perf_counter() - started, received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", required=True, help="a server URL; download_<N> databases are created there")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--formats", nargs="+", choices=["csv", "xlsx", "pdf"], default=["csv"])
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    print("\n".join(machine_facts(args.postgres_url)))
    secret = secrets.token_urlsafe(32)
    os.environ["SECRET_KEY"] = secret  # the app signs and checks links with it; this script signs with it too
    tokens = DownloadTokens(secret)
    for size in args.sizes:
        target = PostgresTarget(args.postgres_url, size, prefix="download")
        fill(target, size)
        print(f"\n{size:,} deals; load average {os.getloadavg()[0]:.2f}")
        try:
            with tempfile.TemporaryDirectory(prefix="download-bench-") as folder, \
                    AppProcess(target.url, free_port(), Path(folder) / "app.log") as app:
                before = app.memory()
                print(f"  server before any download: {before.current_mib:.1f} MiB resident, peak "
                      f"{before.peak_mib:.1f} MiB (start-up)")
                for file_format in args.formats:
                    token = tokens.issue(DownloadRequest(file_format, ExportView(), None))
                    first, total, received = download(f"{app.url}exports/{token}")
                    memory = app.memory()
                    print(f"  {file_format:4}: first byte after {first:6.2f} s, all {received / MIB:7.1f} MiB after "
                          f"{total:6.2f} s; server peak so far {memory.peak_mib:.1f} MiB "
                          f"(now {memory.current_mib:.1f} MiB); load average {os.getloadavg()[0]:.2f}")
        finally:
            if not args.keep:
                target.drop()


if __name__ == "__main__":
    main()
