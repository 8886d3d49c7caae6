"""Failed sign-ins, counted per account and per address, so that guessing passwords stops after a few tries.

A moving window from the `limits` library (Flask-Limiter's engine) in a storage every worker shares: Redis
when the cache is Redis (several gunicorn workers), the process's memory otherwise (one worker).
"""

from __future__ import annotations

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

FAILURES_ALLOWED = "5 per 15 minutes"


class SignInAttempts:
    """Refuse a sign-in once its account or its address has failed FAILURES_ALLOWED."""

    def __init__(self, storage_uri: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._window = parse(FAILURES_ALLOWED)

    def blocked(self, login: str, address: str) -> bool:
        return not (self._limiter.test(self._window, "account", login.strip().lower())
                    and self._limiter.test(self._window, "address", address))

    def failed(self, login: str, address: str) -> None:
        self._limiter.hit(self._window, "account", login.strip().lower())
        self._limiter.hit(self._window, "address", address)
