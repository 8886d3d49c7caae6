"""Team accounts: create, list, disable, change a role or an e-mail address, reset a password, check a login,
and the digest's default recipients.

Passwords are hashed with argon2id (argon2-cffi's defaults) and never stored, returned or logged in clear. A
login for an unknown account still verifies a password against a fixed hash, so the answer takes as long as
for a known one and does not tell which logins exist.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from data.models import EndedSession, User
from domain.accounts import (
    Account,
    AccountInputError,
    Role,
    check_password,
    clean_display_name,
    clean_email,
    clean_login,
    parse_role,
)
from services.reachability import database_reachable

LAST_ADMIN = ("C'est le dernier admin actif : nommez d'abord un autre admin (crm users set-role … admin), pour que "
              "l'équipe garde quelqu'un qui gère les comptes.")
HASHER = PasswordHasher()
# Verified against when the login is unknown, so that both answers cost one argon2 verification. Written out
# rather than hashed at import (130 ms of every command and start-up); it has HASHER's parameters, which
# tests/test_accounts.py checks, so verifying against it costs what verifying a real account's hash does.
UNKNOWN_ACCOUNT_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$mUGsu18Z6xB3TssbgnEEdg$"
                        "9cuNyAvTIfFr2Ej2/P7gMxFJ7y+hTrUFOYJfaHcki8c")


def _account(row: User) -> Account:
    stamp = hashlib.sha256(row.password_hash.encode()).hexdigest()[:16]
    return Account(row.id, row.login, row.display_name, Role(row.role), row.active, stamp, row.email)


def _optional_email(email: str | None) -> str | None:
    """An address to store, or None for none: a blank field (the admin page's, `set-email ""`) means none."""
    return clean_email(email) if email and email.strip() else None


class Accounts:
    """The accounts of one database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, login: str, display_name: str, role: str, password: str, email: str | None = None) -> Account:
        """A new active account; refused (French message) when the login exists or a rule is broken."""
        values = {"login": clean_login(login), "display_name": clean_display_name(display_name),
                  "role": parse_role(role).value, "email": _optional_email(email),
                  "password_hash": HASHER.hash(check_password(password))}
        try:
            with database_reachable(), self._engine.begin() as connection:
                new_id = connection.execute(insert(User).values(**values).returning(User.id)).scalar_one()
        except IntegrityError:
            raise AccountInputError(f"L'identifiant « {values['login']} » existe déjà.") from None
        return self.get(new_id)

    def get(self, account_id: int) -> Account:
        with database_reachable(), self._engine.connect() as connection:
            row = connection.execute(select(User).where(User.id == account_id)).one_or_none()
        if row is None:
            raise AccountInputError("Ce compte n'existe pas.")
        return _account(row)

    def end_session(self, session_id: str, kept_for: timedelta) -> None:
        """Record that `session_id` was signed out of, and forget the sessions ended more than `kept_for` ago
        (the idle timeout: their cookies open nothing any more anyway)."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with database_reachable(), self._engine.begin() as connection:
            connection.execute(delete(EndedSession).where(EndedSession.ended_at < now - kept_for))
            connection.execute(insert(EndedSession).values(session_id=session_id, ended_at=now))

    def session_ended(self, session_id: str) -> bool:
        """Whether `session_id` was signed out of."""
        with database_reachable(), self._engine.connect() as connection:
            return connection.execute(select(EndedSession.session_id).where(
                EndedSession.session_id == session_id)).first() is not None

    def all(self) -> list[Account]:
        """Every account, by login."""
        with database_reachable(), self._engine.connect() as connection:
            return [_account(row) for row in connection.execute(select(User).order_by(User.login))]

    def _change(self, login: str, leaves_admins: bool = False, **values: object) -> Account:
        """Write `values` on the account; with `leaves_admins` (it may stop being an active admin), refused when
        it is the last one. The active admins are locked first (PostgreSQL; SQLite has one writer at a time), so
        two admins demoting each other at once cannot leave the team without one."""
        cleaned = clean_login(login)
        with database_reachable(), self._engine.begin() as connection:
            if leaves_admins:
                admins = connection.execute(select(User.login).where(User.role == Role.ADMIN.value, User.active)
                                            .with_for_update()).scalars().all()
                if admins == [cleaned]:
                    raise AccountInputError(LAST_ADMIN)
            changed = connection.execute(update(User).where(User.login == cleaned).values(**values)).rowcount
        if not changed:
            raise AccountInputError(f"Aucun compte « {cleaned} ».")
        return self.by_login(cleaned)

    def by_login(self, login: str) -> Account:
        with database_reachable(), self._engine.connect() as connection:
            row = connection.execute(select(User).where(User.login == clean_login(login))).one_or_none()
        if row is None:
            raise AccountInputError(f"Aucun compte « {login.strip().lower()} ».")
        return _account(row)

    def disable(self, login: str) -> Account:
        """The account can no longer sign in (it is kept: the history names its user)."""
        return self._change(login, leaves_admins=True, active=False)

    def enable(self, login: str) -> Account:
        """A disabled account may sign in again, with its role and password as they were."""
        return self._change(login, active=True)

    def set_role(self, login: str, role: str) -> Account:
        chosen = parse_role(role)
        return self._change(login, leaves_admins=chosen is not Role.ADMIN, role=chosen.value)

    def set_email(self, login: str, email: str) -> Account:
        """The account's address for the digest; an empty one (spaces alone too) removes it."""
        return self._change(login, email=_optional_email(email))

    def recipients(self) -> list[str]:
        """Where the digest goes without --to nor DIGEST_TO: the active accounts' addresses, by login, each once
        (two accounts of one person may share one)."""
        query = select(User.email).where(User.active, User.email.is_not(None)).order_by(User.login)
        with database_reachable(), self._engine.connect() as connection:
            return list(dict.fromkeys(connection.execute(query).scalars()))

    def swap_last_visit(self, account_id: int, now: datetime) -> datetime | None:
        """Store `now` (naive UTC) as the account's last visit and return the one it replaces (None: a first
        visit). The row is locked meanwhile (PostgreSQL; SQLite has one writer), so two tabs opened at once do not
        both get the old time."""
        with database_reachable(), self._engine.begin() as connection:
            previous = connection.execute(select(User.last_visit_at).where(User.id == account_id)
                                          .with_for_update()).scalar_one_or_none()
            connection.execute(update(User).where(User.id == account_id).values(last_visit_at=now))
        return previous

    def reset_password(self, login: str, password: str) -> Account:
        return self._change(login, password_hash=HASHER.hash(check_password(password)))

    def authenticate(self, login: str, password: str) -> Account | None:
        """The active account these credentials open, or None (unknown login, wrong password, disabled)."""
        try:
            cleaned = clean_login(login)
        except AccountInputError:
            cleaned = ""
        with database_reachable(), self._engine.connect() as connection:
            row = connection.execute(select(User).where(User.login == cleaned)).one_or_none() if cleaned else None
        try:
            HASHER.verify(row.password_hash if row else UNKNOWN_ACCOUNT_HASH, password[:1024])
        except (VerificationError, InvalidHashError):
            return None
        return _account(row) if row is not None and row.active else None
