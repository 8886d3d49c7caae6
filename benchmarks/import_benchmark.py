"""Import benchmark: CSV files of 10 000, 100 000 and 1 000 000 deals through the command line, into
PostgreSQL and SQLite, each into a fresh migrated database. Prints rows per second and the import
process's peak memory, with the machine's facts and its load average when each run started (other work
on the machine slows the database down: read the figures beside it).
A script, not a test: `python benchmarks/import_benchmark.py [--sizes N ...] [--backends ...]`.

The files look like a French Excel export (Windows-1252, `;`, `12 500,50` amounts with no-break spaces,
`31/12/2026` dates, a reference column), so the timing includes encoding detection, per-file conventions,
validation, duplicate checks and the database triggers, like a real import.

Amounts follow the optional-amount rule: about 5 % of the rows have an empty amount cell (imported as NULL,
"à estimer"), about 2 % are `0,00` (a lost deal), the rest lie between 300 € and 950 000 €. Which rows are
empty or 0 comes from a second generator with its own seed, so every other column is the same as in the
files generated before; the files are deterministic (same size, same bytes, on every run).

After each import the script checks, from the database, that the deal count equals the file's rows, that
the deals with an amount (`count(montant_brut)`) and `n_montant` in `deal_rollup` and `deal_totals` equal
the file's rows with an amount, and that the amounts summed on `deals` and on `deal_totals` equal the
file's sum to the cent. A failed check (or a failed import) is printed on its line and in a final `ÉCHEC`
line, and the script exits with 1.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.db import make_engine, normalise_url  # noqa: E402
from data.migrate import upgrade  # noqa: E402

STAGES = ("Prospect", "Qualifié", "Négociation", "Gagné", "Perdu")
SECTORS = ("Logiciel", "Industrie", "Santé", "Banque", "Énergie", "Télécoms", "Éducation", "BTP", None)
PEOPLE = ("Camille Martin", "Hugo Bernard", "Léa Dubois", "Thomas Petit", "Chloé Moreau", "Nathan Roux")
HEADER = ("Client", "Statut", "Montant brut (€)", "Secteur", "Date d'échéance", "Commercial", "Notes", "Réf.")
AMOUNT_COLUMN = HEADER.index("Montant brut (€)")
EMPTY_AMOUNT_SHARE, ZERO_AMOUNT_SHARE = 0.05, 0.02
AMOUNT_SEED = 21  # the empty / 0 € draws only; the other columns keep `write_csv`'s seed


@dataclass
class FileFacts:
    """What a generated file holds, for checking the database after the import."""

    rows: int = 0
    with_amount: int = 0
    zero_amount: int = 0
    cents: int = 0

    def add(self, amount: str) -> None:
        """Count one row by its amount cell (`12\xa0500,50`, `0,00` or empty)."""
        self.rows += 1
        if amount:
            cents = int(amount.replace("\xa0", "").replace(",", ""))
            self.with_amount += 1
            self.zero_amount += cents == 0
            self.cents += cents

    @classmethod
    def of_file(cls, path: Path) -> FileFacts:
        """The facts of a file already written (a `--workdir` reused from an earlier run)."""
        facts = cls()
        with path.open(encoding="cp1252", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            next(reader)
            for row in reader:
                facts.add(row[AMOUNT_COLUMN])
        return facts


def write_csv(path: Path, rows: int, seed: int = 7) -> FileFacts:
    """A French Excel-style export of `rows` distinct deals, some without an amount or at 0 €; returns its facts."""
    rng = random.Random(seed)
    amount_rng = random.Random(AMOUNT_SEED)
    facts = FileFacts()
    start = date(2026, 1, 1)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            cents = rng.randint(30_000, 95_000_000)
            draw = amount_rng.random()
            if draw < EMPTY_AMOUNT_SHARE:
                amount = ""
            else:
                cents = 0 if draw < EMPTY_AMOUNT_SHARE + ZERO_AMOUNT_SHARE else cents
                amount = f"{cents // 100:,}".replace(",", "\xa0") + f",{cents % 100:02d}"
            facts.add(amount)
            due = start + timedelta(days=rng.randint(0, 540))
            writer.writerow((
                f"Société {rng.randint(1, 50_000)} SAS", rng.choice(STAGES), amount, rng.choice(SECTORS) or "",
                due.strftime("%d/%m/%Y") if rng.random() > 0.05 else "", rng.choice(PEOPLE),
                "Relancer après la démo" if rng.random() < 0.2 else "", f"BENCH-{number:07d}",
            ))
    return facts


def machine_facts(postgres_url: str | None) -> list[str]:
    """CPU, memory, Python and database versions, for reading the figures in context."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    facts = [f"CPU: {cpu}, nproc {os.cpu_count()}", f"RAM: {mem_kb / 1024 / 1024:.1f} GiB",
             f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"]
    if postgres_url:
        engine = make_engine(postgres_url)
        with engine.connect() as connection:
            facts.append(connection.scalar(text("SELECT version()")))
        engine.dispose()
    return facts


class FreshDatabase:
    """A new, migrated database for one run; dropped (PostgreSQL) or deleted (SQLite) afterwards."""

    def __init__(self, backend: str, postgres_url: str | None, workdir: Path) -> None:
        self.backend = backend
        if backend == "sqlite":
            self.url = f"sqlite:///{workdir / f'bench_{uuid.uuid4().hex[:8]}.sqlite3'}"
        else:
            assert postgres_url
            self._admin = normalise_url(postgres_url)
            self._name = f"crm_bench_{uuid.uuid4().hex[:10]}"
            self._admin_sql(f'CREATE DATABASE "{self._name}"')
            self.url = make_url(self._admin).set(database=self._name).render_as_string(hide_password=False)
        engine = make_engine(self.url)
        upgrade(engine)
        engine.dispose()

    def _admin_sql(self, statement: str) -> None:
        engine = make_engine(self._admin).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def check(self, expected: FileFacts) -> list[str]:
        """What disagrees with the file (empty: the import and the triggers did their job). Amounts are
        compared in cents, summed as integers (SQLite holds them as floating point)."""
        cents = "coalesce(sum(CAST(round({} * 100) AS BIGINT)), 0)"
        engine = make_engine(self.url)
        with engine.connect() as connection:
            deals, deals_amount, deals_cents = connection.execute(text(
                f"SELECT count(*), count(montant_brut), {cents.format('montant_brut')} FROM deals")).one()
            rollup, rollup_amount = connection.execute(text(
                "SELECT coalesce(sum(n), 0), coalesce(sum(n_montant), 0) FROM deal_rollup")).one()
            totals, totals_amount, totals_cents = connection.execute(text(
                f"SELECT coalesce(sum(n), 0), coalesce(sum(n_montant), 0), {cents.format('montant')} "
                "FROM deal_totals")).one()
        engine.dispose()
        figures = (("deals", deals, expected.rows), ("rollup.n", rollup, expected.rows),
                   ("totals.n", totals, expected.rows), ("count(montant_brut)", deals_amount, expected.with_amount),
                   ("rollup.n_montant", rollup_amount, expected.with_amount),
                   ("totals.n_montant", totals_amount, expected.with_amount),
                   ("sum(montant_brut) centimes", deals_cents, expected.cents),
                   ("totals.montant centimes", totals_cents, expected.cents))
        return [f"{name}={int(got)} attendu {want}" for name, got, want in figures if int(got) != want]

    def drop(self) -> None:
        """Remove the database."""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(make_url(self.url).database + suffix).unlink(missing_ok=True)
        else:
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')


def run_cli(path: Path, url: str) -> tuple[float, float, int, str]:
    """(seconds, peak RSS in MiB, exit code, last line) of one `python cli.py import` child process."""
    code = "import sys; from cli import main; sys.exit(main([\"import\", *sys.argv[1:]]))"
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(path), "--database-url", url],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, child.returncode, output.strip().splitlines()[-1]


def main() -> int:
    """Generate, import, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", choices=["postgresql", "sqlite"], default=["postgresql", "sqlite"])
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", os.environ.get(
        "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/postgres")),
        help="a PostgreSQL server where the script may create and drop databases")
    parser.add_argument("--workdir", type=Path, help="where to write the CSV files (default: a temp dir)")
    parser.add_argument("--reimport", action="store_true",
                        help="also time a second import of the same file (every row already present)")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="import_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    print("\n".join(machine_facts(args.postgres_url if "postgresql" in args.backends else None)))
    print(f"{'base':<22}{'lignes':>10}{'fichier':>10}{'durée':>9}{'lignes/s':>11}{'mém. max':>10}{'charge':>8}"
          "  contrôle")
    failures = []
    for size in args.sizes:
        path = workdir / f"deals_{size}.csv"
        facts = FileFacts.of_file(path) if path.exists() else write_csv(path, size)
        print(f"{path.name} : {facts.rows:,} lignes, {facts.rows - facts.with_amount:,} sans montant, "
              f"{facts.zero_amount:,} à 0 €, total {facts.cents / 100:,.2f} €", flush=True)
        megabytes = path.stat().st_size / 1024 / 1024
        for backend in args.backends:
            database = FreshDatabase(backend, args.postgres_url, workdir)
            try:
                for label in (backend, f"{backend} (réimport)")[: 2 if args.reimport else 1]:
                    load = os.getloadavg()[0]
                    seconds, peak, code, last = run_cli(path, database.url)
                    problems = database.check(facts) if code == 0 else [f"exit {code}: {last}"]
                    verdict = "ok" if not problems else "ÉCHEC " + "; ".join(problems)
                    failures += [f"{label}, {size:,} lignes : {problem}" for problem in problems]
                    print(f"{label:<22}{size:>10,}{megabytes:>8.1f}Mo{seconds:>8.1f}s{size / seconds:>11,.0f}"
                          f"{peak:>7.0f}Mio{load:>8.1f}  {verdict}", flush=True)
            finally:
                database.drop()
    for failure in failures:
        print(f"ÉCHEC {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
