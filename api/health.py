"""`GET /health`: 200 when the database, its migrations and the cache are fine, 503 naming the part that is
not. For a load balancer or a monitor: no login, and the body tells nothing beyond the three states."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from services.health import HealthReport


def health_blueprint(check: Callable[[], HealthReport]) -> Blueprint:
    """The `/health` route over `check` (the caller binds it to the app's engine and cache)."""
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/health")
    def health() -> tuple[Response, int]:
        report = check()
        answer = jsonify(asdict(report))
        answer.headers["Cache-Control"] = "no-store"
        return answer, 200 if report.healthy else 503

    return blueprint
