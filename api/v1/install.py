"""Puts the REST API on the dashboard's Flask server: `/api/v1/...`, its OpenAPI document
(`/api/v1/openapi.json`) and a docs page (`/api/v1/docs`).

Why flask-smorest: it plugs into an existing Flask app (Dash's server), so the API shares the host check, the
body limit and the services of the page; the document is written from the marshmallow schemas that also check
each request, so it cannot drift from the code; and it is kept by the marshmallow-code maintainers. The docs
page's Swagger UI is served from the swagger-ui-bundle package, not a CDN: the app must work on a network that
reaches nothing outside.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException

from api.v1 import schemas
from api.v1.deals import deals_blueprint
from api.v1.errors import SERVICE_ERRORS, api_error, http_error, service_error
from api.v1.figures import figures_blueprint
from api.v1.imports import imports_blueprint
from api.v1.token_auth import require_token
from domain.accounts import Account
from services.imports import ImportService
from services.reads import DealReads
from services.writes import DealWrites

PREFIX = "/api/v1"
DOCS_ASSETS = f"{PREFIX}/docs/assets/"
SECURITY_SCHEME = "jeton"


class _DashboardApi(Api):
    """flask-smorest's `Api`, whose HTTP errors are the API's French JSON on API routes only (and documented as
    such: the default answer of every operation)."""

    ERROR_SCHEMA = schemas.Error

    def handle_http_exception(self, error: HTTPException) -> object:
        return http_error(error)


def _docs_assets_and_unknown_paths() -> Blueprint:
    """The docs page's scripts and styles; and a JSON 404 for any other path under /api/v1 (the dashboard's
    catch-all route would otherwise answer it with the page)."""
    blueprint = Blueprint("api_docs_assets", __name__)

    @blueprint.get(f"{DOCS_ASSETS}<path:name>")
    def asset(name: str) -> Response:
        return send_from_directory(swagger_ui_path, name, max_age=86400)

    @blueprint.get(f"{PREFIX}/<path:unknown>")
    def not_found(unknown: str) -> tuple[Response, int]:
        return api_error(404)

    return blueprint


def install_api(server: Flask, reads: DealReads, writes: DealWrites, imports: ImportService,
                account_for: Callable[[str], Account | None]) -> None:
    """The API's routes on `server`; every one of them but the document and its docs page asks for a token."""
    server.config.update(
        API_TITLE="CRM — API des deals", API_VERSION="1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=PREFIX, OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs", OPENAPI_SWAGGER_UI_URL=DOCS_ASSETS,
    )
    api = _DashboardApi(server, spec_kwargs={"info": {"description": (
        "Les deals et les chiffres du tableau de bord. Chaque requête envoie un jeton "
        "(`Authorization: Bearer <jeton>`, créé par `crm tokens create`) ; les rôles du tableau de bord s'appliquent."
    )}})
    api.register_field(schemas.DecimalText, "string", "decimal")
    api.spec.components.security_scheme(SECURITY_SCHEME, {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{SECURITY_SCHEME: []}]
    for blueprint in (figures_blueprint(reads), deals_blueprint(reads, writes), imports_blueprint(imports)):
        require_token(blueprint, account_for)
        for error in SERVICE_ERRORS:
            blueprint.register_error_handler(error, service_error)
        api.register_blueprint(blueprint)
    server.register_blueprint(_docs_assets_and_unknown_paths())
