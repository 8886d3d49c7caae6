"""A first import into an empty `deals` table on PostgreSQL builds the secondary indexes and the unique reference
once, after the rows.

Why: keeping the secondary indexes (seven when measured, a trigram GIN among them) up to date row by row is most of
a large first import's time (about 22 of 40 s for 1 000 000 deals with the default 128 MB of shared buffers);
building them from the finished table sorts each once (about 9 s in all). The unique reference is the same case:
a B-tree insertion per row at a random place costs more than one sort of the finished column, and the importer
already refuses a reference repeated in the file (`duplicates.py`), so the constraint, checked again when it is
added back, only confirms it. Indexes and constraint are dropped and created again inside the import's own
transaction, from the definitions PostgreSQL holds (`pg_get_indexdef`, `pg_get_constraintdef`), so the schema comes
back exactly as the migrations made it, and a failed import rolls the drop back with everything else. The primary
key stays: the ids are handed out in order, so its upkeep is an append. The price: until the import commits, other
sessions wait to read `deals` (the drop locks the table). The table being empty, they had nothing to show yet; a
later import into a filled table never takes this path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

# Sorting for the rebuild in memory rather than in temporary files; reserved only as used, for this transaction.
BUILD_MEMORY = "512MB"
_SECONDARY_INDEXES = (
    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE i.indrelid = 'deals'::regclass "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname"
)
_UNIQUE_CONSTRAINTS = (
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'deals'::regclass "
    "AND contype = 'u' ORDER BY conname"
)


@contextmanager
def indexes_built_after(connection: Connection) -> Iterator[None]:
    """Drop the secondary indexes and unique constraints of `deals` now, and create them again when the block ends
    without error."""
    indexes = connection.exec_driver_sql(_SECONDARY_INDEXES).all()
    uniques = connection.exec_driver_sql(_UNIQUE_CONSTRAINTS).all()
    for name, _definition in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    for name, _definition in uniques:
        connection.exec_driver_sql(f'ALTER TABLE deals DROP CONSTRAINT "{name}"')
    yield
    connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for name, definition in uniques:
        connection.exec_driver_sql(f'ALTER TABLE deals ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in indexes:
        connection.exec_driver_sql(definition)
