"""Roles enforced on the server, through real HTTP with a signed-in session: every write path of the page (the
grid edit, the deal form's save, new deal, delete and undo, the import confirm, the demo removal), forged with
the page's own callback request (what the browser's dev tools allow), for every role and for the deal's own
commercial or another, checked in the database afterwards. A hidden control is not a permission: the
requests here need no control at all. (The API's writes: tests/api/test_api_roles.py.)"""

from __future__ import annotations

import base64
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
from tests.security.test_malformed_callbacks import _outputs, _payload

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


SEEN = {"client": "Acme", "statut": "Qualifié", "montant_brut": "1000.00", "secteur": None, "date_echeance": None,
        "assignee": OWNER, "notes": None, "ref_externe": None, "motif_perte": None}
ROLES = ("admin", "lea", "hugo", "lecteur")
MAY_CHANGE = {"admin", "lea"}  # Léa is the deal's commercial; Hugo another one


def _send(browser: Browser, input_key: str, values: dict[str, object],
          shown: dict[str, list[object]] | None = None) -> dict:
    """The page's callback request whose inputs include `input_key` ("id.property"), with `values` by
    "id.property" (a pattern-matching one takes {key: value}, one component per key); a pattern-matching output
    names the components `shown` lists by type (none by default, as if they were not on the page). Returns the
    answer's updates by component."""
    dependencies = json.loads(browser.send("/_dash-dependencies").body)
    dependency = next(dep for dep in dependencies
                      if any(f"{item['id']}.{item['property']}" == input_key for item in dep["inputs"]))

    def sent(item: dict) -> object:
        value = values.get(f"{item['id']}.{item['property']}")
        if not item["id"].startswith("{"):
            return {"id": item["id"], "property": item["property"], "value": value}
        pattern = json.loads(item["id"])
        wildcard = next(name for name, part in pattern.items() if part == ["ALL"])
        return [{"id": {**pattern, wildcard: key}, "property": item["property"], "value": one}
                for key, one in (value or {}).items()]

    def named(output: dict) -> object:
        if not output["id"].startswith("{"):
            return output
        pattern = json.loads(output["id"])
        wildcard = next(name for name, part in pattern.items() if part == ["ALL"])
        return [{"id": {**pattern, wildcard: key}, "property": output["property"]}
                for key in (shown or {}).get(pattern["type"], [])]

    outputs = [named(output) for output in _outputs(dependency["output"])]
    payload = {"output": dependency["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
               "inputs": [sent(item) for item in dependency["inputs"]],
               "state": [sent(item) for item in dependency.get("state", [])], "changedPropIds": [input_key]}
    answer = browser.send("/_dash-update-component", body=json.dumps(payload).encode(),
                          headers={"Content-Type": "application/json"})
    assert answer.status in (200, 204), answer.body[:500]
    body = json.loads(answer.body) if answer.body else {}
    return {**body.get("response", {}), **body.get("sideUpdate", {})}


def _signed_in(team: Served, login: str) -> Browser:
    browser = Browser(team.url)
    assert browser.sign_in(login, PASSWORD).status == 302
    return browser


def _deal(engine: Engine) -> tuple | None:
    with engine.connect() as connection:
        return connection.execute(text("SELECT statut, version FROM deals WHERE id = 1")).one_or_none()


def _refusal_shown(updates: dict) -> str:
    return updates["app-alert-text"]["children"]


@pytest.mark.parametrize("login", ROLES)
def test_a_forged_form_save_changes_the_deal_only_for_its_commercial_or_an_admin(team: Served, engine: Engine,
                                                                                  login: str) -> None:
    updates = _send(_signed_in(team, login), "deal-save.n_clicks", {
        "deal-save.n_clicks": 1, "deal-form-record.data": {"id": 1, "version": 1, "values": SEEN},
        '{"key":["ALL"],"type":"deal-field"}.value': {**SEEN, "statut": "Gagné", "montant_brut": "1000"}})
    assert _deal(engine) == (("Gagné", 2) if login in MAY_CHANGE else ("Qualifié", 1))
    if login not in MAY_CHANGE:
        assert _refusal_shown(updates).startswith(("Ce deal est suivi par Léa Dubois", "Votre compte est en lecture"))


@pytest.mark.parametrize("login", ROLES)
def test_a_forged_new_deal_is_created_for_every_role_but_read_only(team: Served, engine: Engine, login: str) -> None:
    new = {"client": "Nouveau", "statut": "Prospect"}
    _send(_signed_in(team, login), "deal-save.n_clicks",
          {"deal-save.n_clicks": 1, '{"key":["ALL"],"type":"deal-field"}.value': new})
    with engine.connect() as connection:
        created = connection.execute(text("SELECT count(*) FROM deals WHERE client = 'Nouveau'")).scalar_one()
    assert created == (0 if login == "lecteur" else 1)


def _delete(browser: Browser) -> dict:
    """The confirmation's request as the browser sends it (the confirm button's click passed on by the page)."""
    return _send(browser, "deal-delete-confirmed.data", {
        "deal-delete-confirmed.data": 1_765_000_000_000,
        "deal-form-record.data": {"id": 1, "version": 1, "values": SEEN}})


@pytest.mark.parametrize("login", ROLES)
def test_a_forged_delete_removes_the_deal_only_for_its_commercial_or_an_admin(team: Served, engine: Engine,
                                                                               login: str) -> None:
    updates = _delete(_signed_in(team, login))
    assert (_deal(engine) is None) == (login in MAY_CHANGE)
    if login not in MAY_CHANGE:
        assert "deal-undo-token" not in updates


@pytest.mark.parametrize("login", ROLES)
def test_a_forged_undo_brings_the_deal_back_only_for_its_commercial_or_an_admin(team: Served, engine: Engine,
                                                                                 login: str) -> None:
    token = _delete(_signed_in(team, "admin"))["deal-undo-token"]["data"]
    assert _deal(engine) is None

    updates = _send(_signed_in(team, login), "deal-undo.n_clicks",
                    {"deal-undo.n_clicks": 1, "deal-undo-token.data": token})

    assert (_deal(engine) is not None) == (login in MAY_CHANGE)
    if login not in MAY_CHANGE:
        assert _refusal_shown(updates).startswith(("Ce deal est suivi par Léa Dubois", "Votre compte est en lecture"))
        _send(_signed_in(team, "lea"), "deal-undo.n_clicks", {"deal-undo.n_clicks": 1, "deal-undo-token.data": token})
        assert _deal(engine) is not None  # the refusal left the undo to its rightful user


@pytest.mark.parametrize("login", ROLES)
def test_a_forged_import_confirm_imports_only_for_a_role_that_may_add(team: Served, engine: Engine,
                                                                       login: str) -> None:
    browser = _signed_in(team, login)
    contents = ["data:text/csv;base64," + base64.b64encode(b"client;statut\nImport SA;Prospect\n").decode()]
    preview = _send(browser, "upload-csv.contents", {"upload-csv.contents": contents,
                                                      "upload-csv.filename": ["deals.csv"]})
    seal = preview["import-seal"]["data"]
    _send(browser, "import-confirm.n_clicks", {"import-confirm.n_clicks": 1, "import-seal.data": seal,
                                               "upload-csv.contents": contents, "upload-csv.filename": ["deals.csv"]},
          shown={"import-summary": [0]})
    with engine.connect() as connection:
        imported = connection.execute(text("SELECT count(*) FROM deals WHERE client = 'Import SA'")).scalar_one()
        runs = connection.execute(text("SELECT user_name FROM import_runs")).scalars().all()
    assert imported == (0 if login == "lecteur" else 1)
    assert runs == ([] if login == "lecteur" else [ACCOUNTS[login][0]])
