"""The MCP endpoint (MCP=on) over real HTTP: one read-only tool whose figures are the REST API's, no callback
(none of the writing ones), no layout, and no answer without an API token. Off by default."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests
from sqlalchemy import Engine

from callbacks.mcp_tools import TOOL_NAME
from services.accounts import Accounts
from services.tokens import ApiTokens
from settings import Settings
from tests.api.conftest import add_deal
from tests.auth.test_sign_in import PASSWORD, TEAM
from tests.security.conftest import Served, serve

HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def _rpc(url: str, method: str, params: dict | None = None, token: str | None = None) -> requests.Response:
    headers = {**HEADERS, **({"Authorization": f"Bearer {token}"} if token else {})}
    return requests.post(f"{url}/_mcp", json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}},
                         headers=headers, timeout=30)


@pytest.fixture
def with_mcp(database_url: str, engine: Engine) -> Iterator[tuple[Served, str]]:
    Accounts(engine).add("lecteur", "Lou Lecteur", "lecture", PASSWORD)
    token = ApiTokens(engine).create("lecteur", "assistant")[1]
    add_deal(engine, "Acme", "Léa Dubois", stage="Gagné", amount=12000)
    add_deal(engine, "Beta", "Hugo Bernard", stage="Négociation", amount=5000)
    for served in serve(replace(TEAM, database_url=database_url, mcp=True)):
        yield served, token


def test_the_only_tool_is_the_read_only_figures_and_nothing_of_the_page_is_listed(with_mcp) -> None:
    served, token = with_mcp
    assert _rpc(served.url, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                           "clientInfo": {"name": "test", "version": "1"}}, token).status_code == 200
    tools = _rpc(served.url, "tools/list", token=token).json()["result"]["tools"]
    assert [tool["name"] for tool in tools] == [TOOL_NAME]
    assert "lecture seule" in tools[0]["description"]
    assert _rpc(served.url, "resources/list", token=token).json()["result"]["resources"] == []
    for writer in ("save", "delete", "undo", "edit_in_grid", "confirm_import", "remove_demo", "get_dash_component"):
        called = _rpc(served.url, "tools/call", {"name": writer, "arguments": {}}, token).json()
        assert "error" in called or called["result"].get("isError"), writer


def test_the_tool_answers_the_figures_the_rest_api_gives(with_mcp) -> None:
    served, token = with_mcp
    called = _rpc(served.url, "tools/call", {"name": TOOL_NAME, "arguments": {"statut": ["Gagné", "negociation"]}},
                  token).json()["result"]
    figures = called["structuredContent"]["result"]
    api = requests.get(f"{served.url}/api/v1/kpis", params={"statut": ["gagne", "negociation"]},
                       headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    assert {key: figures[key] for key in api} == api
    assert (figures["nombre_deals"], figures["pipeline_pondere"]) == (2, "15500.00")
    assert [step["etape"] for step in figures["entonnoir"]] == ["Prospect", "Qualifié", "Négociation", "Gagné"]


@pytest.mark.parametrize(("arguments", "sentence"), [
    ({"du": "31/12/2026"}, "du : date attendue au format AAAA-MM-JJ"),
    ({"au": 20261231}, "au : texte attendu."),
    ({"statut": 5}, "statut : liste de textes attendue"),
    ({"secteur": [["Tech"]]}, "secteur : liste de textes attendue"),
    ({"q": ["x"]}, "q : texte attendu."),
])
def test_an_argument_of_the_wrong_kind_gets_a_french_sentence(with_mcp, arguments: dict, sentence: str) -> None:
    """What an assistant sends is not checked against the tool's types by the MCP server: Python's own words
    ("'int' object is not iterable") must not be the answer."""
    served, token = with_mcp
    bad = _rpc(served.url, "tools/call", {"name": TOOL_NAME, "arguments": arguments}, token).json()["result"]
    assert bad["isError"] and sentence in bad["content"][0]["text"]
    assert "object" not in bad["content"][0]["text"]


@pytest.mark.parametrize("token", [None, "crm_inventé"])
def test_no_answer_without_a_live_token(with_mcp, token: str | None) -> None:
    served, _ = with_mcp
    answer = _rpc(served.url, "tools/list", token=token)
    assert answer.status_code == 401 and answer.json()["code"] == "non_authentifie"


def test_off_by_default_there_is_no_endpoint(database_url: str) -> None:
    assert Settings().mcp is False
    for served in serve(Settings(database_url=database_url, demo_data=False, cache_type="simple")):
        answer = _rpc(served.url, "tools/list")
        assert answer.status_code in (404, 405)
        assert "jsonrpc" not in answer.text
