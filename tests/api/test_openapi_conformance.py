"""Schemathesis against the served app, over its own OpenAPI document: generated requests (valid and
invalid) on every operation, with an admin's token, on a database of demo deals.

Checked: no 500; every answer as documented (status, content type, headers, body schema); requests that break
the schema refused; the operations refuse a request without the token. Left out: "positive data acceptance"
(every schema-valid request accepted), because some refusals are the service's and no schema can say them: an
external reference another deal uses (409), a file whose bytes are no CSV or workbook (422), a client name of
characters that Python strips as spaces.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from data.clock import today
from services.accounts import Accounts
from services.cache import VersionedCache
from services.tokens import ApiTokens
from services.writes import DealWrites
from settings import Settings
from tests.auth.test_sign_in import PASSWORD, TEAM
from tests.security.conftest import serve
from wiring import make_cache_backend

EXAMPLES_PER_OPERATION = 25


def _schemathesis() -> list[str]:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found, "schemathesis n'est pas installé (requirements-dev.txt)"
    return [found]


def test_every_answer_matches_the_openapi_document(database_url: str, engine: Engine, tmp_path: Path) -> None:
    DealWrites(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple")))).seed_demo(today())
    Accounts(engine).add("admin", "Alice Admin", "admin", PASSWORD)
    secret = ApiTokens(engine).create("admin", "schemathesis")[1]
    for served in serve(replace(TEAM, database_url=database_url)):
        run = subprocess.run(
            [*_schemathesis(), "run", f"{served.url}/api/v1/openapi.json", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "--header", f"Authorization: Bearer {secret}",
             "--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", "14", "--no-color"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path)
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
