"""Where a change of the deals comes from, for the history triggers of migration 0008 (`deal_events`).

The triggers record every write, whoever makes it; the app says who it is for the writes it makes, inside
its transaction, with `write_source`. A write with no context (psql, a script) is `hors application`.

- PostgreSQL: transaction-local settings `crm.source`, `crm.user_name`, `crm.action` (`set_config(...,
  true)`), which vanish with the transaction and are never seen by another session.
- SQLite has no session variables, and a trigger of the main schema may not read a TEMP table: the one-row
  table `write_context` is filled at the start and emptied at the end of the block. SQLite lets one
  connection write at a time and the row never outlives the block, so no other connection sees it.

Commit after the block, not inside it: on SQLite a row committed inside it would be read by later writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Connection, delete, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from data.models import WriteContext

FORMULAIRE = "formulaire"
GRILLE = "grille"
IMPORT = "import"
API = "api"
DEMO = "démo"
HORS_APPLICATION = "hors application"
SOURCES: tuple[str, ...] = (FORMULAIRE, GRILLE, IMPORT, API, DEMO, HORS_APPLICATION)
RESTORED = "restored"
USER_MAX_LENGTH = 100
SETTINGS = ("crm.source", "crm.user_name", "crm.action")

Context = tuple[str | None, str | None, str | None]  # (source, user name, action), None where unset


def _read(connection: Connection, postgres: bool) -> Context:
    if postgres:
        values = connection.execute(text(
            "SELECT current_setting('crm.source', true), current_setting('crm.user_name', true), "
            "current_setting('crm.action', true)")).one()
        return tuple(value or None for value in values)  # type: ignore[return-value]
    row = connection.execute(select(WriteContext.source, WriteContext.user_name, WriteContext.action)).first()
    return (row.source, row.user_name, row.action) if row else (None, None, None)


def _write(connection: Connection, postgres: bool, context: Context) -> None:
    source, user, action = context
    if postgres:
        connection.execute(text(
            "SELECT set_config('crm.source', :source, true), set_config('crm.user_name', :user, true), "
            "set_config('crm.action', :action, true)"),
            {"source": source or "", "user": user or "", "action": action or ""})
        return
    connection.execute(delete(WriteContext))
    if source is not None:
        connection.execute(insert(WriteContext).values(id=1, source=source, user_name=user, action=action))


@contextmanager
def write_source(connection: Connection, source: str, user: str | None = None,
                 restoring: bool = False) -> Iterator[None]:
    """Within the block, the deals written on `connection` (in its open transaction) are recorded as coming
    from `source` (one of `SOURCES`), by `user`; with `restoring`, an inserted deal is `restored`, not
    `created`. The context before the block (usually none) is back after it."""
    if source not in SOURCES:
        raise ValueError(f"Source d'écriture inconnue : {source!r} (sources possibles : {', '.join(SOURCES)}).")
    if user is not None and len(user) > USER_MAX_LENGTH:
        raise ValueError(f"Nom d'utilisateur trop long pour l'historique : {len(user)} caractères "
                         f"(au plus {USER_MAX_LENGTH}).")
    postgres = connection.dialect.name == "postgresql"
    previous = _read(connection, postgres)
    _write(connection, postgres, (source, user or None, RESTORED if restoring else None))
    try:
        yield
    except BaseException:
        # The caller rolls the transaction back, which undoes the context too; a failed transaction
        # (PostgreSQL) refuses any statement, so putting it back is only attempted.
        with suppress(SQLAlchemyError):
            _write(connection, postgres, previous)
        raise
    _write(connection, postgres, previous)
