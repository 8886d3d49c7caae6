"""Errors the service raises in the domain's words, so callers never see driver exceptions."""


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be reached right now; the next call tries again (the pool pre-pings)."""

    message = "La base de données est injoignable pour le moment. Les chiffres reviendront dès qu'elle répondra."


class DealInputError(ValueError):
    """A typed deal (form, grid, API) broke a field rule; `problems` maps each field key to its French reason."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ; ".join(problems.values()))
        self.problems = problems


class DuplicateReferenceError(DealInputError):
    """The external reference is another deal's: a conflict with that deal rather than a malformed value (the
    API answers 409; the form shows it on the field, as any other refusal)."""


class DealConflictError(RuntimeError):
    """The deal changed since it was read (another tab, another person, an import): nothing was written.
    `message` says, in French, what changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DealGoneError(LookupError):
    """The deal no longer exists (deleted meanwhile)."""

    message = "Ce deal n'existe plus : il a été supprimé entre-temps."


class BackupError(RuntimeError):
    """A backup could not be written, or a file could not be restored: nothing was changed. `message` says why,
    in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
