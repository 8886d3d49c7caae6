"""The benchmarks' shared data: deterministic deals, and fresh databases bulk-loaded with them.

Why one module: the service, browser and upload benchmarks must measure the same book of deals (same
seed, same skew, same dates around the fixed today), loaded the same way (COPY on PostgreSQL, batched
executemany in one transaction on SQLite), so their figures can be read side by side.
"""

from __future__ import annotations

import os
import platform
import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import accumulate, islice, pairwise
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from data import migrate
from data.db import make_engine, normalise_url
from data.demo import COMPANY_FORMS, COMPANY_STEMS, NOTES, SALESPEOPLE, SECTORS, STAGE_WEIGHTS
from domain.stages import STAGE_NAMES

TODAY = date(2026, 11, 21)
SEED = 20261121
DUE_SPREAD_DAYS = 730
NO_DUE_DATE_SHARE = 0.06
NO_SECTOR_SHARE = 0.04
NO_ASSIGNEE_SHARE = 0.03
MIN_AMOUNT, MAX_AMOUNT = 120.0, 950_000.0
SQLITE_BATCH = 50_000
COLUMNS = ("client", "statut", "montant_brut", "secteur", "date_echeance", "assignee", "notes", "ref_externe")
POSTGRES_COPY = f"COPY deals ({', '.join(COLUMNS)}) FROM STDIN"
SQLITE_INSERT = f"INSERT INTO deals ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
MIB = 1024 * 1024
HISTORY_DAYS = 700  # deals created over the 700 days before TODAY
HISTORY_COPY = "COPY deal_events (deal_id, at, action, field, old_value, new_value, source) FROM STDIN"
# A deal's creation date from its id alone, the same in SQL (placing `created_at`) and in Python (the moves).
CREATED_DAYS_AGO = f"((id::bigint * 7919) % {HISTORY_DAYS})"  # bigint: past 271 000 deals the product leaves int4
FUNNEL_PATH = ("Prospect", "Qualifié", "Négociation", "Gagné")
DETOUR_SHARE = 0.3  # with the `created` row, about 3 history rows per deal

DealRow = tuple[str | None, ...]


def generate_deals(count: int, seed: int = SEED) -> Iterator[DealRow]:
    """Deterministic deals shaped like a B2B book: skewed sectors and sizes, a few without sector,
    salesperson or due date. Amounts and dates are text, which both COPY and SQLite's NUMERIC and the
    app's DATE storage read as is (SQLite's sqlite3 has no Decimal adapter)."""
    rng = random.Random(seed)
    names, weights, sizes = zip(*SECTORS, strict=True)
    sector_weights = list(accumulate(weights))
    stage_weights = list(accumulate(STAGE_WEIGHTS))
    for number in range(1, count + 1):
        sector = rng.choices(range(len(names)), cum_weights=sector_weights)[0]
        amount = min(max(sizes[sector] * rng.lognormvariate(0, 1.1), MIN_AMOUNT), MAX_AMOUNT)
        due = TODAY + timedelta(days=rng.randint(-DUE_SPREAD_DAYS, DUE_SPREAD_DAYS))
        yield (
            f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_FORMS)} {number}",
            rng.choices(STAGE_NAMES, cum_weights=stage_weights)[0],
            f"{amount:.2f}",
            None if rng.random() < NO_SECTOR_SHARE else names[sector],
            None if rng.random() < NO_DUE_DATE_SHARE else due.isoformat(),
            None if rng.random() < NO_ASSIGNEE_SHARE else rng.choice(SALESPEOPLE),
            rng.choice(NOTES),
            f"CRM-{number:07d}",
        )


def batched(rows: Iterable[DealRow], size: int) -> Iterator[list[DealRow]]:
    """Fixed-size lists from an iterator, so a million generated rows never sit in memory at once."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class PostgresTarget:
    """A fresh `<prefix>_<N>` database on the server, created with CREATE DATABASE and loaded with COPY."""

    label = "PostgreSQL"

    def __init__(self, admin_url: str, size: int, prefix: str = "bench") -> None:
        self.admin_url = admin_url
        self.name = f"{prefix}_{size}"
        self.url = make_url(normalise_url(admin_url)).set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        """CREATE and DROP DATABASE cannot run in a transaction, nor while connected to that database."""
        engine = make_engine(self.admin_url)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def create(self) -> Engine:
        """Drop any leftover of an earlier run, then create the database empty."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return make_engine(self.url)

    def copy_of(self, source: PostgresTarget) -> None:
        """Replace this database by a copy of `source` (CREATE DATABASE … TEMPLATE: nobody may be connected to it)."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{source.name}"')

    def load(self, engine: Engine, rows: Iterable[DealRow]) -> None:
        """One COPY in one transaction: the rollup's statement trigger aggregates the whole batch once."""
        raw = engine.raw_connection()
        try:
            with raw.driver_connection.cursor() as cursor, cursor.copy(POSTGRES_COPY) as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()

    def analyze(self, engine: Engine) -> None:
        """Fresh statistics and visibility map, so the planner and index-only scans see the loaded table."""
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")

    def drop(self) -> None:
        """Remove the database (the engine using it is disposed first)."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def holds_deals(self) -> bool:
        """Whether the database exists and holds deals: one kept by an earlier run, to measure as it is."""
        engine = make_engine(self.url)
        try:
            with engine.connect() as connection:
                return bool(connection.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM deals)").scalar())
        except DBAPIError:  # no such database or table yet
            return False
        finally:
            engine.dispose()


class SqliteTarget:
    """A fresh `<prefix>_<N>.sqlite3` file, loaded with executemany in batches inside one transaction."""

    label = "SQLite"

    def __init__(self, directory: Path, size: int, prefix: str = "bench") -> None:
        self.path = directory / f"{prefix}_{size}.sqlite3"

    @property
    def url(self) -> str:
        """The file's SQLAlchemy URL, for an app started on it."""
        return f"sqlite:///{self.path}"

    def _files(self) -> list[Path]:
        return [self.path, *(self.path.with_name(self.path.name + suffix) for suffix in ("-wal", "-shm"))]

    def create(self) -> Engine:
        """Start from no file at all (WAL and shared-memory files included)."""
        self.drop()
        return make_engine(self.url)

    def load(self, engine: Engine, rows: Iterable[DealRow]) -> None:
        """One transaction; each row still runs the probability and rollup triggers, as any SQLite writer."""
        with engine.begin() as connection:
            for batch in batched(rows, SQLITE_BATCH):
                connection.exec_driver_sql(SQLITE_INSERT, batch)

    def analyze(self, engine: Engine) -> None:
        """Statistics for SQLite's planner (sqlite_stat1)."""
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")

    def drop(self) -> None:
        """Delete the database files."""
        for path in self._files():
            path.unlink(missing_ok=True)


Target = PostgresTarget | SqliteTarget


def fill(target: Target, size: int, migrate_schema: Callable[[Engine], None] = migrate.upgrade) -> None:
    """Create, migrate, load `size` generated deals and analyze: a database ready for a started app.

    `migrate_schema` brings the empty database to its schema: this source tree's migrations by default; another
    version's own migrations when two versions of the app are compared on databases of their own."""
    engine = target.create()
    try:
        migrate_schema(engine)
        target.load(engine, generate_deals(size))
        target.analyze(engine)
    finally:
        engine.dispose()


def machine_facts(postgres_url: str) -> list[str]:
    """What the figures depend on: cores, memory, CPU, database and Python versions, key PG settings."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:"))
    engine = make_engine(postgres_url)
    settings = ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
    with engine.connect() as connection:
        server = connection.exec_driver_sql("SHOW server_version").scalar()
        tuned = ", ".join(f"{name}={connection.exec_driver_sql(f'SHOW {name}').scalar()}" for name in settings)
    engine.dispose()
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))})",
        f"RAM: {memory_kib / MIB:.1f} GiB",
        f"PostgreSQL {server} ({tuned})",
        f"SQLite {sqlite3.sqlite_version}",
        f"Python {platform.python_version()}",
    ]


def created_on(deal_id: int) -> datetime:
    """When deal `deal_id` was created, as `place_creations` sets it (09:00 UTC)."""
    return datetime.combine(TODAY - timedelta(days=(deal_id * 7919) % HISTORY_DAYS), time(9))


def _stage_path(stage: str, rng: random.Random) -> list[str]:
    """The stages a deal went through to reach `stage`: up the funnel from Prospect (lost on the way for
    Perdu), and for DETOUR_SHARE of the deals one step back and forth on an open stage."""
    path = ([*FUNNEL_PATH[:rng.randint(1, 3)], "Perdu"] if stage == "Perdu"
            else list(FUNNEL_PATH[:FUNNEL_PATH.index(stage) + 1]))
    open_steps = [index for index, name in enumerate(path) if name in FUNNEL_PATH[:3]]
    if rng.random() < DETOUR_SHARE and open_steps:
        at = rng.choice(open_steps)
        aside = FUNNEL_PATH[1] if path[at] == FUNNEL_PATH[0] else FUNNEL_PATH[FUNNEL_PATH.index(path[at]) - 1]
        path[at + 1:at + 1] = [aside, path[at]]
    return path


def generate_history(count: int, seed: int = SEED) -> Iterator[tuple[object, ...]]:
    """Stage changes for the deals `generate_deals(count, seed)` gives (ids 1..count, as loaded in a fresh
    database): each deal created in the first stage of its path and moved, evenly over its life, to its stage."""
    rng = random.Random(seed + 1)
    for deal_id, deal in enumerate(generate_deals(count, seed), start=1):
        path = _stage_path(str(deal[1]), rng)
        created = created_on(deal_id)
        life = datetime.combine(TODAY, time(9)) - created
        for step, (old, new) in enumerate(pairwise(path), start=1):
            at = created + life * step / len(path)
            yield deal_id, at.isoformat(sep=" "), "updated", "statut", old, new, "import"


def load_history(engine: Engine, count: int) -> None:
    """PostgreSQL: COPY the stage changes into `deal_events`, then place each deal's creation (`created_on`) and
    last change (its last move), with the deals' update triggers off so they stay as placed."""
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            with cursor.copy(HISTORY_COPY) as copy:
                for row in generate_history(count):
                    copy.write_row(row)
            cursor.execute("ALTER TABLE deals DISABLE TRIGGER USER")
            cursor.execute(f"UPDATE deals SET created_at = TIMESTAMP '{TODAY.isoformat()} 09:00' - "
                           f"{CREATED_DAYS_AGO} * INTERVAL '1 day', updated_at = TIMESTAMP "
                           f"'{TODAY.isoformat()} 09:00' - {CREATED_DAYS_AGO} * INTERVAL '1 day'")
            cursor.execute("UPDATE deals SET updated_at = moved.last_at FROM (SELECT deal_id, max(at) AS last_at "
                           "FROM deal_events WHERE action = 'updated' GROUP BY deal_id) AS moved "
                           "WHERE moved.deal_id = deals.id")
            cursor.execute("ALTER TABLE deals ENABLE TRIGGER USER")
            cursor.execute("UPDATE deal_events SET at = deals.created_at FROM deals "
                           "WHERE deal_events.deal_id = deals.id AND deal_events.action = 'created'")
        raw.commit()
    finally:
        raw.close()
