"""API tokens: what the app shows of one (never its secret), the label rule and the secret's shape.

A token belongs to one account and acts with its role; the API reads it from `Authorization: Bearer <secret>`.
The secret is shown once, at creation: the database keeps only its SHA-256 (services/tokens.py says why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from domain.accounts import AccountInputError

LABEL_MAX_LENGTH = 100
SECRET_PREFIX = "crm_"  # tells a leaked secret apart at a glance (logs, secret scanners)
SECRET_BYTES = 32
# "crm_" and `secrets.token_urlsafe(SECRET_BYTES)`: unpadded URL-safe base64, 43 characters for 32 bytes.
SECRET_PATTERN = re.compile(rf"{SECRET_PREFIX}[A-Za-z0-9_-]{{{(SECRET_BYTES * 4 + 2) // 3}}}")


@dataclass(frozen=True)
class ApiToken:
    """A token as the app lists it: its owner's login, label, times (naive UTC, as stored) and state."""

    id: int
    login: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def clean_label(label: str) -> str:
    """The label as stored (spaces folded): what the token is for, so an admin knows which one to revoke."""
    cleaned = " ".join(label.split())
    if not cleaned or len(cleaned) > LABEL_MAX_LENGTH:
        raise AccountInputError(f"Libellé refusé : entre 1 et {LABEL_MAX_LENGTH} caractères.")
    return cleaned


def well_formed_secret(secret: object) -> TypeGuard[str]:
    """Whether `secret` has the shape of a secret we hand out; anything else (another type, any length, other
    characters) is refused before it is hashed or sent to the database."""
    return isinstance(secret, str) and SECRET_PATTERN.fullmatch(secret) is not None
