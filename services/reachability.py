"""The one translation of a lost or refused database connection into the domain's French error.

Every service (reads, writes, the import history) goes through it, so the page, the command line and the
API say the same sentence for the same outage, and a driver exception never reaches a user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import InterfaceError, OperationalError

from domain.errors import DatabaseUnavailableError

CONNECTION_ERRORS = (OperationalError, InterfaceError)


@contextmanager
def database_reachable() -> Iterator[None]:
    """Raise `DatabaseUnavailableError` (its French message) for a connection the database refused or lost."""
    try:
        yield
    except CONNECTION_ERRORS as error:
        raise DatabaseUnavailableError(DatabaseUnavailableError.message) from error
