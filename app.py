"""The CRM dashboard's entry point.

`create_app(settings)` builds the Dash app on the configured database (migrated on start, demo deals on a
brand-new one); `python app.py` serves it; `gunicorn app:server` serves it in production. `server` is
built lazily on first access so that importing this module never touches a database.
"""

from __future__ import annotations

import gc
import secrets
import sys
from functools import cache, partial

from dash import Dash, page_container
from dash.development.base_component import Component
from dash.types import RendererHooks
from flask import Flask

from api.export_download import export_download_blueprint
from api.health import health_blueprint
from api.v1.install import install_api
from api.v1.token_auth import require_token_on_path
from auth.admin_page import install_admin_page
from auth.guard import MCP_PATH, acting_user, install_auth, signed_in_id
from callbacks import register_callbacks
from callbacks.import_seal import PreviewSeal
from callbacks.mcp_tools import expose_figures
from data.clock import today
from data.setup import upgrade_schema
from domain.accounts import may_add, may_administer
from http_guards import protect
from layouts.page import page_frame
from pages import ROUTING_INPUTS
from pages import dashboard as dashboard_page
from pages import performance as performance_page
from security_headers import BannerlessRequestHandler, install_headers
from services.exports import DealExports, ExportView
from services.exports.download_token import DownloadRequest, DownloadTokens
from settings import Settings, load_settings
from wiring import build_services

SLOW_ANSWER_HOOKS: RendererHooks = {
    "request_pre": "function (payload) { window.crmSlowAnswers.sent(payload); }",
    "request_post": "function (payload) { window.crmSlowAnswers.answered(payload); }",
}


def create_app(settings: Settings | None = None) -> Dash:
    """The dashboard on the database and cache that `settings` name."""
    settings = settings or load_settings()
    services = build_services(settings)
    if upgrade_schema(services.engine) and settings.demo_data:
        services.writes.seed_demo(today())
    # No connection opened here may outlive a fork (`gunicorn --preload`): each worker opens its own.
    services.engine.dispose()
    # Bootstrap's CSS, Plotly.js and date-fns' French locale (the date picker's month and day names) are served
    # from assets/ (00-*, loaded first), not a CDN: the dashboard must work on a network that reaches nothing
    # outside. Plotly's "finance" build (bar, funnel) is a quarter of the full bundle dcc.Graph would otherwise
    # load, which matters for the first render.
    # Responses are compressed (flask-compress): figures are repetitive JSON. The renderer hooks tell
    # assets/01-slow-answers.js when a callback request leaves and when its answer comes back, so that only a
    # late answer shows a loading state.
    # Dash pages (`/` and `/performance`), registered below rather than found in a folder (pages/__init__.py).
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        routing_callback_inputs=ROUTING_INPUTS,
        compress=True,
        title="Tableau de bord CRM",
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        hooks=SLOW_ANSWER_HOOKS,
        enable_mcp=settings.mcp,  # a bool: Dash would read any text in DASH_MCP_ENABLED ("off" too) as on
        mcp_path=MCP_PATH.lstrip("/"),
    )
    protect(app.server, settings)
    install_auth(app.server, settings, services.accounts)
    install_admin_page(app.server, settings, services.accounts)
    app.server.register_blueprint(health_blueprint(services.health))
    install_api(app.server, services.reads, services.writes, services.imports, services.tokens.account_for)
    if settings.mcp:
        expose_figures(services.reads)
        require_token_on_path(app.server, MCP_PATH, services.tokens.account_for)
    actor = partial(acting_user, settings.auth)

    dashboard_page.register(settings.upload_max_bytes, lambda: not may_add(actor()), settings.stale_days)
    performance_page.register(services.performance.default_period)

    def layout() -> Component:
        """Per page load, for the account asking: a read-only one gets no control that writes. The frame (header,
        filters, navigation) is shared; the page itself comes into Dash's page container."""
        account = actor()
        return page_frame(page_container, sign_out=settings.auth, read_only=not may_add(account),
                          admin=settings.auth and may_administer(account))

    app.layout = layout
    secret = settings.secret_key or secrets.token_urlsafe(32)
    seal = PreviewSeal(secret)
    deal_exports, download_tokens = DealExports(services.engine, services.reads), DownloadTokens(secret)
    signed_in = partial(signed_in_id, settings.auth)
    app.server.register_blueprint(export_download_blueprint(deal_exports, download_tokens, signed_in))

    def export_link(file_format: str, view: ExportView) -> str:
        """The download path of `view` in `file_format`, signed for the account asking."""
        return f"/exports/{download_tokens.issue(DownloadRequest(file_format, view, signed_in()))}"

    register_callbacks(app, services.reads, services.writes, services.imports, seal, settings.upload_max_files, actor,
                       deal_exports, export_link, services.performance, services.accounts, signed_in)
    install_headers(app.server, app.csp_hashes)
    return app


def _start_up_done(app: Dash) -> Dash:
    """Keep what start-up built (imports, layouts, callbacks: about 200 000 objects) out of the garbage collector's
    full passes. Without it, the first full pass after start walked them all in the middle of a callback: a
    150 to 190 ms pause on one of the first filter changes (at f8df009, 100 000 deals, measured on this
    machine), where e1ff3b0, lighter, finished its full passes during start-up."""
    gc.freeze()
    return app


@cache
def _default_server() -> Flask:
    return _start_up_done(create_app()).server


def __getattr__(name: str) -> Flask:
    """`app.server` for gunicorn (`gunicorn app:server`), created on first access and then reused."""
    if name == "server":
        return _default_server()
    raise AttributeError(name)


if __name__ == "__main__":
    try:
        current = load_settings()
    except ValueError as refused:
        sys.exit(f"Erreur : {refused}")
    _start_up_done(create_app(current)).run(
        host=current.host, port=current.port, debug=current.debug, dev_tools_disable_version_check=True,
        request_handler=BannerlessRequestHandler,
    )
