"""Write checked rows in one transaction, set-based: batches are staged (COPY on PostgreSQL, batched
`executemany` on SQLite), classified against `deals` in SQL, and written with one INSERT ... SELECT per
batch and one UPDATE at the end.

Why this shape:
- PostgreSQL keeps `deal_rollup` with statement-level triggers, so a batch of 50 000 rows updates the
  rollup once; no deal ever becomes an ORM object, and memory does not grow with the file.
- Rows are matched only against the deals that existed before the import, and updates are applied after
  all inserts, so classifying batch by batch gives exactly what classifying the whole file gives: the
  preview (which classifies without writing) and the import always agree.
- When the table held no deal at all, no row can match: batches then go straight into `deals`.
- Imports are serialized: on PostgreSQL a transaction-level advisory lock makes a second import wait until the
  first commits (or rolls back), then classify against what it wrote. Without it, two overlapping files at the
  same moment would both see a deal as new: a unique-reference violation failed the second whole, and a deal
  without a reference was written twice. SQLite gets the same from its single writer (`write_source` writes first).
- Each row is written with its stage's probability (`domain.stages`), so the database's probability trigger, which
  only corrects a row whose probability is not its stage's, has nothing to do: on SQLite that is one UPDATE (and
  its triggers) less per row.
- A thread parses the next batch while the database writes the previous one (the drivers release the GIL
  while they wait), which is what lets a million rows through in the time the database needs anyway.
The caller owns the transaction: rolling it back (a preview, or any error) leaves the database unchanged.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from contextlib import closing, nullcontext
from dataclasses import dataclass

from sqlalchemy import Connection, text

from domain.fields import (
    AMOUNT_DIGITS,
    AMOUNT_SCALE,
    ASSIGNEE,
    CLIENT,
    DEAL_COLUMNS,
    ECHEANCE,
    FIELD_BY_KEY,
    MONTANT,
    NOTES,
    REF,
    SECTEUR,
    STATUT,
    DealRow,
)
from domain.stages import PROBABILITY
from services.importing.bulk_indexes import indexes_built_after

STAGING, MATCHES, CHANGES = "import_staging", "import_matches", "import_changes"
BATCH_ROWS = 50_000
IMPORT_LOCK = 0x63726D5F696D70  # "crm_imp": the advisory lock key only imports take
# SQLite's default page cache (2 MiB) makes every index update of a large import a disk read; the import
# connection gets 128 MiB (allocated only as used) and the pooled connection gets its setting back after.
SQLITE_IMPORT_CACHE_KIB = 128 * 1024
PROBABILITE = "probabilite"
INSERTED_COLUMNS = (*DEAL_COLUMNS, PROBABILITE)
STAGING_COLUMNS = ("line", *INSERTED_COLUMNS)
COLUMN_TYPES = {
    "line": "integer", MONTANT: f"numeric({AMOUNT_DIGITS}, {AMOUNT_SCALE})", ECHEANCE: "date", NOTES: "text",
    PROBABILITE: "numeric(3, 2)",
    **{key: f"varchar({FIELD_BY_KEY[key].max_length})" for key in (CLIENT, STATUT, SECTEUR, ASSIGNEE, REF)},
}
_PROBABILITY_TEXT = {stage: str(probability) for stage, probability in PROBABILITY.items()}
_DONE = object()


def _inserted_values(row: DealRow) -> tuple[object, ...]:
    """The row's `INSERTED_COLUMNS` values: its deal columns, then its stage's probability as exact text."""
    return (*row[1:], _PROBABILITY_TEXT[row.statut])


class OthersDealsError(Exception):
    """A commercial's file would change deals that other salespeople follow: the whole file is refused (a row
    left out of an update would be written as a new deal with the same reference)."""

    def __init__(self, count: int, line: int, assignee: str | None) -> None:
        owner = f"suivi par {assignee}" if assignee else "sans commercial"
        super().__init__(
            f"Rien n'a été importé : {count} ligne(s) de ce fichier modifieraient des deals d'autres commerciaux "
            f"(ligne {line} : deal {owner}). Un compte commercial ne modifie que ses propres deals : retirez ces "
            "lignes, ou demandez à un admin d'importer le fichier.")


@dataclass(frozen=True)
class Classification:
    """How the file's rows relate to `deals`: staged, matched to an existing deal, and changed by the file."""

    staged: int
    matched: int
    changed: int

    @property
    def to_create(self) -> int:
        """Rows with no existing deal."""
        return self.staged - self.matched


def _batches(rows: Iterable[DealRow], size: int) -> Generator[list[DealRow], None, None]:
    """Lists of up to `size` rows, parsed in a background thread while the caller writes the previous one.

    An error while parsing is raised in the caller; if the caller stops (a database error), the thread is
    told to stop too and is joined before returning.
    """
    handoff: queue.Queue[object] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            batch: list[DealRow] = []
            for row in rows:
                batch.append(row)
                if len(batch) == size:
                    if not hand(batch):
                        return
                    batch = []
            if batch and not hand(batch):
                return
            hand(_DONE)
        except BaseException as error:  # handed to the caller, which re-raises it
            hand(error)

    worker = threading.Thread(target=produce, name="import-parser", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


class ImportWriter:
    """Stages, classifies and (when `write`) writes the rows of one import on the caller's transaction."""

    def __init__(self, connection: Connection, mapped_fields: Iterable[str], write: bool,
                 owner: str | None = None) -> None:
        self._connection = connection
        self._owner = owner  # a commercial's name: the deals the file changes must be theirs
        self._postgres = connection.dialect.name == "postgresql"
        self._write = write
        mapped = set(mapped_fields) | {CLIENT, STATUT}
        # Only the columns the file provides are compared and updated: an unmapped column keeps its value.
        self._update_columns = [column for column in DEAL_COLUMNS if column in mapped and column != REF]
        self._sqlite_cache: int | None = None
        self._others: tuple[int, int, str | None] | None = None  # (count, first line, its deal's salesperson)

    def _sql(self, statement: str, parameters: dict[str, object] | None = None) -> int:
        if parameters:
            return self._connection.execute(text(statement), parameters).rowcount
        return self._connection.exec_driver_sql(statement).rowcount

    def _scalar(self, statement: str) -> int:
        return int(self._connection.exec_driver_sql(statement).scalar() or 0)

    def run(self, rows: Iterable[DealRow]) -> Classification:
        """Process every row; returns the classification (what was, or would be, written)."""
        if self._write and self._postgres:
            self._sql("SELECT pg_advisory_xact_lock(:key)", {"key": IMPORT_LOCK})
        baseline = self._scalar("SELECT max(id) FROM deals")
        if baseline:
            self._create_tables()
        if self._postgres:
            self._sql("SET LOCAL work_mem = '64MB'")
        else:
            self._sqlite_cache = self._scalar("PRAGMA cache_size")
            self._sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        bulk = self._write and self._postgres and not baseline
        with indexes_built_after(self._connection) if bulk else nullcontext():
            staged, matched, changed = self._stream(rows, baseline)
        if self._others:
            raise OthersDealsError(*self._others)
        if self._write and changed:
            assignments = ", ".join(f"{column} = c.{column}" for column in self._update_columns)
            updated = self._sql(f"UPDATE deals SET {assignments} FROM {CHANGES} c WHERE deals.id = c.deal_id")
            if updated != changed:
                raise RuntimeError(f"import: {changed} deals to update, {updated} updated")
        return Classification(staged, matched, changed)

    def _stream(self, rows: Iterable[DealRow], baseline: int) -> tuple[int, int, int]:
        """Stage (and when writing, insert) the rows batch by batch; returns (staged, matched, changed)."""
        staged = matched = changed = 0
        with closing(_batches(rows, BATCH_ROWS)) as batches:
            for batch in batches:
                staged += len(batch)
                if not baseline:
                    if self._write:
                        self._load("deals", INSERTED_COLUMNS, (_inserted_values(row) for row in batch))
                    continue
                batch_matched, batch_changed = self._classify(batch, baseline)
                matched, changed = matched + batch_matched, changed + batch_changed
                if self._write and len(batch) > batch_matched and not self._others:
                    columns = ", ".join(INSERTED_COLUMNS)
                    self._sql(f"INSERT INTO deals ({columns}) SELECT {columns} FROM {STAGING} s "
                              f"WHERE NOT EXISTS (SELECT 1 FROM {MATCHES} m WHERE m.line = s.line)")
        return staged, matched, changed

    def _count_others_deals(self) -> None:
        """Add up the lines of this batch that change a deal whose salesperson is not the owner: the file is
        refused once every batch is classified, with the count over the whole file and its first such line."""
        others = self._connection.execute(text(
            f"SELECT m.line, d.assignee FROM {MATCHES} m JOIN deals d ON d.id = m.deal_id "
            "WHERE m.changed = 1 AND (d.assignee IS NULL OR d.assignee <> :owner) ORDER BY m.line"),
            {"owner": self._owner}).all()
        if others:
            count, line, assignee = self._others or (0, *others[0])
            self._others = (count + len(others), line, assignee)

    def _create_tables(self) -> None:
        """Temporary tables: on PostgreSQL they vanish with the transaction, on SQLite in `_drop_tables`."""
        suffix = " ON COMMIT DROP" if self._postgres else ""
        self.drop_tables()
        staging = ", ".join(f"{column} {COLUMN_TYPES[column]}" for column in STAGING_COLUMNS)
        changes = ", ".join(f"{column} {COLUMN_TYPES[column]}" for column in self._update_columns)
        self._sql(f"CREATE TEMPORARY TABLE {STAGING} ({staging}){suffix}")
        self._sql(f"CREATE TEMPORARY TABLE {MATCHES} (line integer PRIMARY KEY, deal_id integer, changed integer)"
                  f"{suffix}")
        self._sql(f"CREATE TEMPORARY TABLE {CHANGES} (deal_id integer PRIMARY KEY, {changes}){suffix}")

    def drop_tables(self) -> None:
        """On SQLite, once the transaction is over, drop the temporary tables and give the connection its
        cache size back (PostgreSQL drops its tables and settings itself)."""
        if not self._postgres and not self._connection.invalidated:
            for table in (CHANGES, MATCHES, STAGING):
                self._sql(f"DROP TABLE IF EXISTS temp.{table}")
            if self._sqlite_cache is not None:
                self._sql(f"PRAGMA cache_size = {self._sqlite_cache}")

    def _load(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> None:
        """Write `rows` into `table`. On PostgreSQL they are made while COPY sends them, so the server is already
        at work on the first ones (made before the statement, they kept it waiting about 100 ms per batch)."""
        listed = ", ".join(columns)
        if self._postgres:
            driver = self._connection.connection.driver_connection
            with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join("?" * len(columns))
            self._connection.exec_driver_sql(f"INSERT INTO {table} ({listed}) VALUES ({placeholders})", list(rows))

    def _classify(self, batch: list[DealRow], baseline: int) -> tuple[int, int]:
        """Stage one batch and match it to the deals that existed before the import.

        By reference when the row has one, else by client, amount, due date and stage. A reference match
        whose values differ is a change, kept for the final UPDATE; every other match is a duplicate.
        Returns (matched, changed) for the batch.
        """
        self._sql(f"DELETE FROM {MATCHES}")
        self._sql(f"TRUNCATE {STAGING}" if self._postgres else f"DELETE FROM {STAGING}")
        self._load(STAGING, STAGING_COLUMNS, ((row.line, *_inserted_values(row)) for row in batch))
        if self._postgres:
            self._sql(f"ANALYZE {STAGING}")
        differs, same = ("IS DISTINCT FROM", "IS NOT DISTINCT FROM") if self._postgres else ("IS NOT", "IS")
        existing = {"baseline": baseline}
        if any(row.ref_externe is not None for row in batch):
            changed = " OR ".join(f"d.{column} {differs} s.{column}" for column in self._update_columns)
            self._sql(f"INSERT INTO {MATCHES} (line, deal_id, changed) "
                      f"SELECT s.line, d.id, CASE WHEN {changed} THEN 1 ELSE 0 END FROM {STAGING} s "
                      f"JOIN deals d ON d.ref_externe = s.ref_externe WHERE d.id <= :baseline", existing)
        if any(row.ref_externe is None for row in batch):
            self._sql(f"INSERT INTO {MATCHES} (line, deal_id, changed) "
                      f"SELECT s.line, min(d.id), 0 FROM {STAGING} s JOIN deals d ON d.client = s.client "
                      f"AND d.statut = s.statut AND d.montant_brut {same} s.montant_brut "
                      f"AND d.date_echeance {same} s.date_echeance "
                      f"WHERE s.ref_externe IS NULL AND d.id <= :baseline GROUP BY s.line", existing)
        if self._owner is not None:
            self._count_others_deals()
        columns = ", ".join(self._update_columns)
        changed_rows = self._sql(f"INSERT INTO {CHANGES} (deal_id, {columns}) SELECT m.deal_id, "
                                 f"{', '.join(f's.{column}' for column in self._update_columns)} "
                                 f"FROM {STAGING} s JOIN {MATCHES} m ON m.line = s.line WHERE m.changed = 1")
        return self._scalar(f"SELECT count(*) FROM {MATCHES}"), changed_rows
