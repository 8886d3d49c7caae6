"""Team accounts: the roles, what an account holds, and the rules a login, a name, an e-mail address and a
password follow.

The roles (issue 14's table): `admin` does everything; `commercial` sees every figure, creates deals and
imports files, and edits, closes or deletes only the deals whose salesperson (`assignee`) is their display
name; `lecture` only reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    COMMERCIAL = "commercial"
    LECTURE = "lecture"


LOGIN_MAX_LENGTH = 100
NAME_MAX_LENGTH = 100  # the same as a deal's salesperson, whom a commercial's display name must match
EMAIL_MAX_LENGTH = 254  # the longest address SMTP carries (RFC 5321's path limit, less its angle brackets)
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256  # argon2 hashes anything, but a megabyte "password" is an attack on the CPU
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]*$")


class AccountInputError(ValueError):
    """A login, name, e-mail address, role or password that breaks a rule; the message is French, for the command
    line and the admin page."""


@dataclass(frozen=True)
class Account:
    """An account as the app uses it (never its password hash)."""

    id: int
    login: str
    display_name: str
    role: Role
    active: bool
    # A short digest of the stored password hash: a session remembers it at sign-in, and ends when it changes
    # (a password reset). Not the hash itself, and not compared: it says nothing about who the account is.
    password_stamp: str = field(default="", compare=False, repr=False)
    # Where the daily digest goes by default (`crm digest` without --to nor DIGEST_TO); None: no address.
    email: str | None = None


def clean_login(login: str) -> str:
    """The login as stored: trimmed, lower case (`Camille@Exemple.fr` and `camille@exemple.fr` are one)."""
    cleaned = login.strip().lower()
    if not cleaned or len(cleaned) > LOGIN_MAX_LENGTH or not LOGIN_PATTERN.match(cleaned):
        raise AccountInputError(
            f"Identifiant refusé : {LOGIN_MAX_LENGTH} caractères au plus, lettres sans accent, chiffres et . _ @ + -, "
            "en commençant par une lettre ou un chiffre.")
    return cleaned


def clean_display_name(name: str) -> str:
    """The display name as stored (trimmed); a commercial's must equal the salesperson of their deals."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX_LENGTH:
        raise AccountInputError(f"Nom affiché refusé : entre 1 et {NAME_MAX_LENGTH} caractères.")
    return cleaned


def clean_email(email: str) -> str:
    """The address as stored: trimmed, its domain in lower case (domains ignore case, the part before @ may
    not). One address, never a list or a display name: it goes as is into the digest's To header."""
    cleaned = email.strip()
    local, _at, domain = cleaned.rpartition("@")
    if (len(cleaned) > EMAIL_MAX_LENGTH or cleaned.count("@") != 1 or not local or not domain
            or any(character.isspace() or character in ",;<>" for character in cleaned)):
        raise AccountInputError(
            f"Adresse e-mail refusée : une seule adresse (nom@domaine.fr), {EMAIL_MAX_LENGTH} caractères au plus, "
            "sans espace, virgule, point-virgule ni chevron.")
    return f"{local}@{domain.lower()}"


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        raise AccountInputError(
            f"Rôle inconnu : « {role} ». Rôles possibles : {', '.join(r.value for r in Role)}.") from None


def check_password(password: str) -> str:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise AccountInputError(
            f"Mot de passe refusé : entre {PASSWORD_MIN_LENGTH} et {PASSWORD_MAX_LENGTH} caractères.")
    return password


@dataclass(frozen=True)
class Actor:
    """Who asks for a write: their display name (recorded in the deal history) and role. Solo mode (AUTH=off)
    and the command line act as None: the owner of the data, with every right."""

    name: str
    role: Role


class PermissionDeniedError(PermissionError):
    """A write the actor's role does not allow; `message` says why, in French. Nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_may_add(actor: Actor | None, what: str) -> None:
    """Creating a deal or importing a file: admin and commercial."""
    if actor is not None and actor.role is Role.LECTURE:
        raise PermissionDeniedError(f"Votre compte est en lecture seule : {what} vous est impossible.")


def check_may_change(actor: Actor | None, assignee: str | None) -> None:
    """Editing, closing, deleting or restoring a deal: admin, or the commercial whose deal it is."""
    check_may_add(actor, "modifier un deal")
    if actor is not None and actor.role is Role.COMMERCIAL and assignee != actor.name:
        owner = f"suivi par {assignee}" if assignee else "sans commercial"
        raise PermissionDeniedError(f"Ce deal est {owner} : seul son commercial ou un admin peut le modifier.")


def own_deals_only(actor: Actor | None) -> str | None:
    """The salesperson whose deals alone this actor may change: a commercial's own name; None (any) for an admin
    and for the data owner (solo mode, the command line)."""
    return actor.name if actor is not None and actor.role is Role.COMMERCIAL else None


def check_may_administer(actor: Actor | None, what: str) -> None:
    """Removing the demo data, managing accounts: admin only."""
    if actor is not None and actor.role is not Role.ADMIN:
        raise PermissionDeniedError(f"Seul un admin peut {what}.")


def may_add(actor: Actor | None) -> bool:
    """Whether the page offers this actor the controls that create deals and import files."""
    return actor is None or actor.role is not Role.LECTURE


def may_change(actor: Actor | None, assignee: str | None) -> bool:
    """Whether the deal form offers this actor its save and quick actions on a deal of `assignee`."""
    try:
        check_may_change(actor, assignee)
    except PermissionDeniedError:
        return False
    return True


def may_administer(actor: Actor | None) -> bool:
    return actor is None or actor.role is Role.ADMIN
