"""API tokens: create one for an account (its secret shown once), list them, revoke one, and find the account
a secret opens, for the REST API's `Authorization: Bearer <secret>`.

Only the SHA-256 of a secret is stored. A fast hash is right here, unlike for passwords (argon2): a secret is
32 random bytes, so there is no guess list to try and nothing for a slow hash to slow down, while every API
request pays for the hash. The stored table alone opens nothing, and the lookup is one indexed equality on
the hash (a timing difference tells about the hash, never about the secret).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Row, insert, or_, select, update

from data.models import ApiTokenRow, User
from domain.accounts import Account, AccountInputError, Role, clean_login
from domain.api_tokens import SECRET_BYTES, SECRET_PREFIX, ApiToken, clean_label, well_formed_secret
from services.reachability import database_reachable

# `last_used_at` moves at most this often: a client calling many times a second does not write each time.
USE_RECORDED_EVERY = timedelta(minutes=1)
ID_LIMIT = 2**31  # ids are INTEGER: a larger number names no token (and SQLite cannot even bind one past 2**63)

_LISTED = (select(ApiTokenRow.id, User.login, ApiTokenRow.label, ApiTokenRow.created_at, ApiTokenRow.last_used_at,
                  ApiTokenRow.revoked_at)
           .join(User, User.id == ApiTokenRow.user_id))


def _utc_now() -> datetime:
    """Naive UTC, as the database keeps its timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _token(row: Row) -> ApiToken:
    return ApiToken(row.id, row.login, row.label, row.created_at, row.last_used_at, row.revoked_at is not None)


class ApiTokens:
    """The API tokens of one database; `now` is the clock (naive UTC) of the times it writes."""

    def __init__(self, engine: Engine, now: Callable[[], datetime] = _utc_now) -> None:
        self._engine = engine
        self._now = now

    def create(self, login: str, label: str) -> tuple[ApiToken, str]:
        """A new token for the active account `login`, and its secret: shown this once, stored only hashed."""
        cleaned_label, cleaned_login = clean_label(label), clean_login(login)
        secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
        with database_reachable(), self._engine.begin() as connection:
            owner = connection.execute(select(User.id, User.active).where(User.login == cleaned_login)).one_or_none()
            if owner is None:
                raise AccountInputError(f"Aucun compte « {cleaned_login} ».")
            if not owner.active:
                raise AccountInputError(f"Le compte « {cleaned_login} » est désactivé : il ne peut pas recevoir "
                                        "de jeton.")
            token_id = connection.execute(insert(ApiTokenRow).values(
                user_id=owner.id, label=cleaned_label, token_hash=_hash(secret), created_at=self._now(),
            ).returning(ApiTokenRow.id)).scalar_one()
            token = _token(connection.execute(_LISTED.where(ApiTokenRow.id == token_id)).one())
        return token, secret

    def all(self, login: str | None = None) -> list[ApiToken]:
        """Every token, revoked ones included, by owner then creation; only those of `login` when given (an
        unknown account is refused, rather than listed as having none)."""
        query = _LISTED.order_by(User.login, ApiTokenRow.id)
        with database_reachable(), self._engine.connect() as connection:
            if login is not None:
                cleaned = clean_login(login)
                if connection.execute(select(User.id).where(User.login == cleaned)).first() is None:
                    raise AccountInputError(f"Aucun compte « {cleaned} ».")
                query = query.where(User.login == cleaned)
            return [_token(row) for row in connection.execute(query)]

    def revoke(self, token_id: int) -> ApiToken:
        """The token opens nothing from now on; it stays listed. Revoking it again changes nothing."""
        row = None
        if 0 < token_id < ID_LIMIT:
            with database_reachable(), self._engine.begin() as connection:
                connection.execute(update(ApiTokenRow)
                                   .where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
                                   .values(revoked_at=self._now()))
                row = connection.execute(_LISTED.where(ApiTokenRow.id == token_id)).one_or_none()
        if row is None:
            raise AccountInputError(f"Aucun jeton n° {token_id}.")
        return _token(row)

    def account_for(self, secret: object) -> Account | None:
        """The active account whose un-revoked token this secret is, or None: unknown or revoked token, disabled
        owner, or anything that is not a secret of ours (any type, any length). Records the use, at most once
        per `USE_RECORDED_EVERY`."""
        if not well_formed_secret(secret):
            return None
        query = (select(ApiTokenRow.id.label("token_id"), ApiTokenRow.last_used_at, User.id, User.login,
                        User.display_name, User.role)
                 .join(User, User.id == ApiTokenRow.user_id)
                 .where(ApiTokenRow.token_hash == _hash(secret), ApiTokenRow.revoked_at.is_(None), User.active))
        with database_reachable(), self._engine.begin() as connection:
            row = connection.execute(query).one_or_none()
            if row is None:
                return None
            now = self._now()
            if row.last_used_at is None or row.last_used_at <= now - USE_RECORDED_EVERY:
                # The condition again in SQL: of two requests racing, one writes.
                connection.execute(update(ApiTokenRow).where(
                    ApiTokenRow.id == row.token_id,
                    or_(ApiTokenRow.last_used_at.is_(None), ApiTokenRow.last_used_at <= now - USE_RECORDED_EVERY),
                ).values(last_used_at=now))
        return Account(row.id, row.login, row.display_name, Role(row.role), True)
