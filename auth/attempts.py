"""Failed sign-ins, counted per account and per address, so that guessing passwords stops after a few tries.

A moving window from the `limits` library (Flask-Limiter's engine) in a storage every worker shares: Redis
when the cache is Redis (several gunicorn workers), the process's memory otherwise (one worker). While the shared
storage does not answer, each process counts in its own memory (one warning in the log): the sign-in page keeps
working, and guessing is still stopped, per worker, instead of every sign-in failing with a server error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

FAILURES_ALLOWED = "5 per 15 minutes"
IN_MEMORY = "memory://"
# A Redis that does not answer costs a sign-in this long, then the process's own counts take over.
REDIS_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
log = logging.getLogger(__name__)


def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    options = REDIS_OPTIONS if storage_uri.startswith("redis") else {}
    return MovingWindowRateLimiter(storage_from_string(storage_uri, **options))


class SignInAttempts:
    """Refuse a sign-in once its account or its address has had FAILURES_ALLOWED tries without a right password."""

    def __init__(self, storage_uri: str) -> None:
        self._shared = _limiter(storage_uri)
        self._own = _limiter(IN_MEMORY)
        self._shared_down = False
        self._window = parse(FAILURES_ALLOWED)

    def _ask(self, use: Callable[[MovingWindowRateLimiter], bool]) -> bool:
        """`use` on the shared storage, or on this process's own while the shared one fails."""
        try:
            answer = use(self._shared)
        except Exception as error:  # whatever the storage's driver raises (refused, timeout, reset) means down
            if not self._shared_down:
                log.warning("compteur des connexions partagé injoignable, compté par processus (%s: %s)",
                            type(error).__name__, error)
            self._shared_down = True
            return use(self._own)
        self._shared_down = False
        return answer

    def admit(self, login: str, address: str) -> bool:
        """Count a sign-in try against its account and its address before the password is checked; False once
        either has had FAILURES_ALLOWED tries in the window. Each count is one atomic step of the storage, so
        guesses sent at the same moment cannot all pass a check made before any of them was counted."""
        account = self._ask(lambda limiter: limiter.hit(self._window, "account", _account_key(login)))
        from_address = self._ask(lambda limiter: limiter.hit(self._window, "address", address))
        return account and from_address

    def succeeded(self, login: str, address: str) -> None:
        """A right password: its account and its address count afresh (a team behind one address signs in all
        day, and only failures should add up)."""
        self._ask(lambda limiter: limiter.clear(self._window, "account", _account_key(login)) or True)
        self._ask(lambda limiter: limiter.clear(self._window, "address", address) or True)


def _account_key(login: str) -> str:
    return login.strip().lower()
