"""A first import into an empty `deals` table on PostgreSQL builds the secondary indexes once, after the rows.

Why: keeping the secondary indexes (seven when measured, a trigram GIN among them) up to date row by row is most of
a large first import's time (about 22 of 40 s for 1 000 000 deals with the default 128 MB of shared buffers);
building them from the finished table sorts each once (about 9 s in all). The indexes are dropped and created again
inside the import's own transaction, from the definitions PostgreSQL holds (`pg_get_indexdef`), so the schema comes
back exactly as the migrations made it, and a failed import rolls the drop back with everything else. The indexes
that back a constraint (primary key, unique reference) stay: they are cheap to keep and they check the rows as they
come. The price: until the import commits, other sessions wait to read `deals` (the drop locks the table). The table
being empty, they had nothing to show yet; a later import into a filled table never takes this path.
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


@contextmanager
def indexes_built_after(connection: Connection) -> Iterator[None]:
    """Drop the secondary indexes of `deals` now and create them again when the block ends without error."""
    definitions = connection.exec_driver_sql(_SECONDARY_INDEXES).all()
    for name, _definition in definitions:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for _name, definition in definitions:
        connection.exec_driver_sql(definition)
