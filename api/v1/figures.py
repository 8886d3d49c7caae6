"""`GET /kpis`, `/funnel`, `/sectors`: the dashboard's figures for the same filters, from the same cached reads."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.v1 import schemas
from api.v1.selection import selection
from domain.figure_payloads import funnel_payload, kpis_payload, sectors_payload
from services.reads import DealReads


def figures_blueprint(reads: DealReads) -> Blueprint:
    blueprint = Blueprint("chiffres", __name__, url_prefix="/api/v1", description="Les chiffres du tableau de bord")

    @blueprint.get("/kpis")
    @blueprint.arguments(schemas.SelectionQuery, location="query", as_kwargs=True)
    @blueprint.response(200, schemas.Kpis)
    def kpis(**query: object) -> dict[str, object]:
        """Les cartes KPI de la sélection."""
        return kpis_payload(reads.kpis(selection(query)))

    @blueprint.get("/funnel")
    @blueprint.arguments(schemas.SelectionQuery, location="query", as_kwargs=True)
    @blueprint.response(200, schemas.FunnelStep(many=True))
    def funnel(**query: object) -> list[dict[str, object]]:
        """L'entonnoir pondéré de la sélection, étape par étape."""
        return funnel_payload(reads.funnel(selection(query)))

    @blueprint.get("/sectors")
    @blueprint.arguments(schemas.SelectionQuery, location="query", as_kwargs=True)
    @blueprint.response(200, schemas.Sectors)
    def sectors(**query: object) -> dict[str, object]:
        """Les montants par secteur, du plus gros au plus petit, et les cinq plus gros deals moyens."""
        return sectors_payload(reads.sectors(selection(query)))

    return blueprint
