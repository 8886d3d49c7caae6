"""Errors the service raises in the domain's words, so callers never see driver exceptions."""


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be reached right now; the next call tries again (the pool pre-pings)."""

    message = "La base de données est injoignable pour le moment. Les chiffres reviendront dès qu'elle répondra."
