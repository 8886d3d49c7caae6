"""Roles enforced on the server, through real HTTP with a signed-in session: a grid edit forged with the page's
own callback request (what the browser's dev tools allow) changes the deal only for an admin or the deal's
commercial. A hidden control is not a permission: the request here needs no control at all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from domain.accounts import PermissionDeniedError
from services.accounts import Accounts
from tests.auth.test_sign_in import PASSWORD, TEAM, Browser
from tests.security.conftest import Served, serve
from tests.security.test_malformed_callbacks import _payload

OWNER = "Léa Dubois"
ACCOUNTS = {"admin": ("Alice Admin", "admin"), "lea": (OWNER, "commercial"), "hugo": ("Hugo Bernard", "commercial"),
            "lecteur": ("Lou Lecteur", "lecture")}


@pytest.fixture
def team(database_url: str, engine: Engine) -> Iterator[Served]:
    accounts = Accounts(engine)
    for login, (name, role) in ACCOUNTS.items():
        accounts.add(login, name, role, PASSWORD)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut, assignee) "
                                "VALUES ('Acme', 'Qualifié', 1000, :owner)"), {"owner": OWNER})
    yield from serve(replace(TEAM, database_url=database_url))


def _grid_edit(browser: Browser, amount: str) -> tuple[int, dict]:
    """The grid's in-place edit callback, as the page sends it, for deal 1's amount."""
    return _forged(browser, "table-deadlines", "cellValueChanged",
                   [{"colId": "montant_brut", "value": amount, "data": {"id": 1, "version": 1}}])


def _forged(browser: Browser, input_id: str, input_property: str, value: object) -> tuple[int, dict]:
    """The page's own callback request for the callback with that input, sent with `value`."""
    dependencies = json.loads(browser.send("/_dash-dependencies").body)
    dependency = next(dep for dep in dependencies if any(
        item == {"id": input_id, "property": input_property} for item in dep["inputs"]))
    payload = _payload(dependency, None)
    payload["inputs"][0]["value"] = value
    if not dependency["output"].startswith(".."):  # the renderer sends a single output as one object
        payload["outputs"] = payload["outputs"][0]
    answer = browser.send("/_dash-update-component", body=json.dumps(payload).encode(),
                          headers={"Content-Type": "application/json"})
    return answer.status, json.loads(answer.body) if answer.body else {}


def _amount(engine: Engine) -> Decimal:
    with engine.connect() as connection:
        return Decimal(str(connection.execute(text("SELECT montant_brut FROM deals WHERE id = 1")).scalar_one()))


@pytest.mark.parametrize(("login", "allowed"), [("admin", True), ("lea", True), ("hugo", False), ("lecteur", False)])
def test_a_forged_grid_edit_changes_the_deal_only_for_its_commercial_or_an_admin(
    team: Served, engine: Engine, login: str, allowed: bool
) -> None:
    browser = Browser(team.url)
    assert browser.sign_in(login, PASSWORD).status == 302

    status, answer = _grid_edit(browser, "4 242")

    assert status == 200
    assert _amount(engine) == (Decimal("4242") if allowed else Decimal("1000"))
    if not allowed:
        shown = answer["sideUpdate"]["app-alert-text"]["children"]
        assert shown.startswith(("Ce deal est suivi par Léa Dubois", "Votre compte est en lecture seule"))
    assert PermissionDeniedError.__name__ not in json.dumps(answer)


@pytest.mark.parametrize(("login", "allowed"), [("admin", True), ("lea", False), ("lecteur", False)])
def test_a_forged_demo_removal_removes_the_demo_deals_only_for_an_admin(
    team: Served, engine: Engine, login: str, allowed: bool
) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, est_demo) VALUES ('Démo SA', 'Prospect', TRUE)"))
    browser = Browser(team.url)
    assert browser.sign_in(login, PASSWORD).status == 302

    status, answer = _forged(browser, "demo-remove", "n_clicks", 1)

    assert status == 200
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM deals WHERE est_demo")).scalar_one()
    assert left == (0 if allowed else 1)
    if not allowed:
        assert answer["sideUpdate"]["app-alert-text"]["children"] == "Seul un admin peut retirer les données de " \
                                                                    "démonstration."
