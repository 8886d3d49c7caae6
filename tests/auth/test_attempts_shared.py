"""Failed sign-ins counted in Redis are seen by every process on it: several gunicorn workers agree; without Redis,
each process counts its own."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from auth.attempts import SignInAttempts

ROOT = Path(__file__).resolve().parents[2]
FAIL_FIVE_TIMES = ("import sys; from auth.attempts import SignInAttempts; attempts = SignInAttempts(sys.argv[1]); "
                   "assert all(attempts.admit('camille@exemple.fr', '10.0.0.7') for _ in range(5))")


def _fail_five_times_in_another_process(storage_uri: str) -> None:
    subprocess.run([sys.executable, "-c", FAIL_FIVE_TIMES, storage_uri], cwd=ROOT, check=True, timeout=60)


def test_failures_in_one_process_block_the_account_in_another(redis_url: str) -> None:
    here = SignInAttempts(redis_url)

    _fail_five_times_in_another_process(redis_url)

    assert not here.admit("Camille@exemple.fr ", "10.0.0.8")
    assert not here.admit("lea@exemple.fr", "10.0.0.7")
    assert here.admit("lea@exemple.fr", "10.0.0.8")



def test_without_redis_the_failures_are_counted_in_the_process_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    attempts = SignInAttempts(f"redis://127.0.0.1:{closed}/0")

    with caplog.at_level(logging.WARNING):
        admitted = [attempts.admit("camille@exemple.fr", "10.0.0.7") for _ in range(5)]
        sixth = attempts.admit("camille@exemple.fr", "10.0.0.9")

    assert admitted == [True] * 5 and not sixth
    assert attempts.admit("lea@exemple.fr", "10.0.0.9")
    assert [record.levelno for record in caplog.records] == [logging.WARNING]
