"""Only a live token opens the API: none, a made-up one, a revoked one or a disabled user's is a 401 in French,
on every operation of the OpenAPI document; the dashboard's session cookie is not a token."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import text

from services.accounts import Accounts
from services.tokens import ApiTokens
from settings import Settings
from tests.api.conftest import Api
from tests.auth.test_sign_in import PASSWORD, Browser
from tests.security.conftest import serve

HTTP_METHODS = {"get", "post", "patch", "put", "delete"}


def _operations(api: Api) -> list[tuple[str, str]]:
    document = requests.get(f"{api.served.url}/api/v1/openapi.json", timeout=10).json()
    return [(method.upper(), re.sub(r"\{[^}]+\}", "1", path.removeprefix("/api/v1")))
            for path, methods in document["paths"].items() for method in methods if method in HTTP_METHODS]


def _no_token(api: Api, method: str, path: str, headers: dict[str, str]) -> requests.Response:
    return requests.request(method, f"{api.served.url}/api/v1{path}", headers=headers, timeout=10)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer crm_inventé"}, {"Authorization": "Basic YTpi"},
                                     {"Authorization": "Bearer "}], ids=["none", "made-up", "basic", "empty"])
def test_every_operation_refuses_a_request_without_a_live_token(api: Api, headers: dict[str, str]) -> None:
    operations = _operations(api)
    assert len(operations) == 10
    for method, path in operations:
        answer = _no_token(api, method, path, headers)
        assert answer.status_code == 401, (method, path)
        assert answer.json()["code"] == "non_authentifie"
        assert "Authorization: Bearer" in answer.json()["message"]
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    with api.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 0


def test_a_revoked_token_and_a_disabled_user_s_token_are_refused(api: Api) -> None:
    assert api.call("GET", "/kpis", "lea").status_code == 200
    tokens = ApiTokens(api.engine)
    for token in tokens.all("lea"):
        tokens.revoke(token.id)
    assert api.call("GET", "/kpis", "lea").status_code == 401

    assert api.call("GET", "/kpis", "hugo").status_code == 200
    Accounts(api.engine).disable("hugo")
    assert api.call("GET", "/kpis", "hugo").status_code == 401


def test_a_signed_in_browser_session_does_not_open_the_api(api: Api) -> None:
    browser = Browser(api.served.url)
    assert browser.sign_in("admin", PASSWORD).status == 302
    assert browser.send("/").status == 200
    assert browser.send("/api/v1/kpis").status == 401


def test_the_document_and_its_docs_page_need_no_token_and_work_offline(api: Api) -> None:
    document = requests.get(f"{api.served.url}/api/v1/openapi.json", timeout=10)
    assert document.status_code == 200 and document.json()["openapi"] == "3.0.3"
    assert document.json()["components"]["securitySchemes"] == {"jeton": {"type": "http", "scheme": "bearer"}}
    page = requests.get(f"{api.served.url}/api/v1/docs", timeout=10).text
    scripts = re.findall(r'src="([^"]+)"', page)
    assert scripts and all(src.startswith("/api/v1/docs/assets/") for src in scripts)
    for src in scripts:
        assert requests.get(f"{api.served.url}{src}", timeout=10).status_code == 200


def test_with_auth_off_the_api_still_asks_for_a_token(database_url: str, engine) -> None:
    Accounts(engine).add("solo", "Fondateur", "admin", PASSWORD)
    secret = ApiTokens(engine).create("solo", "script")[1]
    for served in serve(Settings(database_url=database_url, demo_data=False, cache_type="simple")):
        assert requests.get(f"{served.url}/api/v1/kpis", timeout=10).status_code == 401
        answer = requests.get(f"{served.url}/api/v1/kpis", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["nombre_deals"] == 0


