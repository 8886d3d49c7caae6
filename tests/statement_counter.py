"""Count the SQL statements an engine runs: how tests prove that a cache hit or a click costs no query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    """Yield a list that collects every statement `engine` executes inside the block."""
    statements: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
