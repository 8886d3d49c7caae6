"""The app served over real HTTP with AUTH=on, a team of four (one per role, two commercials) and an API token
each, and a client that sends `Authorization: Bearer` as a script would."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
import requests
from sqlalchemy import Engine, text

from services.accounts import Accounts
from services.tokens import ApiTokens
from tests.auth.test_sign_in import PASSWORD, TEAM
from tests.security.conftest import Served, serve

OWNER, OTHER = "Léa Dubois", "Hugo Bernard"
ACCOUNTS = {"admin": ("Alice Admin", "admin"), "lea": (OWNER, "commercial"), "hugo": (OTHER, "commercial"),
            "lecteur": ("Lou Lecteur", "lecture")}


@dataclass(frozen=True)
class Api:
    """The served app, its database, and one token per login of `ACCOUNTS`."""

    served: Served
    tokens: dict[str, str]

    @property
    def engine(self) -> Engine:
        return self.served.engine

    def call(self, method: str, path: str, login: str | None = "admin", **options: object) -> requests.Response:
        """`method` on `/api/v1{path}` with the token of `login` (none when None)."""
        headers = {"Authorization": f"Bearer {self.tokens[login]}"} if login else {}
        return requests.request(method, f"{self.served.url}/api/v1{path}", headers=headers, timeout=30, **options)


def add_deal(engine: Engine, client: str, assignee: str | None, stage: str = "Qualifié", amount: int = 1000) -> int:
    with engine.begin() as connection:
        return connection.execute(text(
            "INSERT INTO deals (client, statut, montant_brut, assignee) VALUES (:client, :stage, :amount, :assignee) "
            "RETURNING id"), {"client": client, "stage": stage, "amount": amount, "assignee": assignee}).scalar_one()


@pytest.fixture
def api(database_url: str, engine: Engine) -> Iterator[Api]:
    """AUTH=on, no deal yet; each test adds the deals it needs."""
    accounts, tokens = Accounts(engine), ApiTokens(engine)
    secrets = {}
    for login, (name, role) in ACCOUNTS.items():
        accounts.add(login, name, role, PASSWORD)
        secrets[login] = tokens.create(login, "tests")[1]
    for served in serve(replace(TEAM, database_url=database_url)):
        yield Api(served, secrets)
