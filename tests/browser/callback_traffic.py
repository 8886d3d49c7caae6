"""What a running page's callback requests ask for and what their answers send, noted by the server as they come:
how the call-count tests tell one request from several and a redrawn output from one left alone."""

from __future__ import annotations

from dash import Dash
from flask import Response, request

UPDATE_PATH = "/_dash-update-component"


def record_callback_requests(app: Dash, requests: list[str], sent: list[set[str]]) -> None:
    """Append each callback request's outputs (as Dash writes them: `id.prop...id.prop`) to `requests`, and the
    `id.prop` each answer updates to `sent`."""
    @app.server.before_request
    def note_request() -> None:
        if request.path.endswith(UPDATE_PATH):
            requests.append(request.get_json()["output"])

    @app.server.after_request
    def note_answer(response: Response) -> Response:
        if request.path.endswith(UPDATE_PATH) and response.is_json:
            answered = response.get_json()["response"]
            sent.append({f"{component}.{prop}" for component, props in answered.items() for prop in props})
        return response
