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
    """Refuse a sign-in once its account or its address has failed FAILURES_ALLOWED."""

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

    def blocked(self, login: str, address: str) -> bool:
        return not (self._ask(lambda limiter: limiter.test(self._window, "account", login.strip().lower()))
                    and self._ask(lambda limiter: limiter.test(self._window, "address", address)))

    def failed(self, login: str, address: str) -> None:
        self._ask(lambda limiter: limiter.hit(self._window, "account", login.strip().lower()))
        self._ask(lambda limiter: limiter.hit(self._window, "address", address))
