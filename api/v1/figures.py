"""`GET /kpis`, `/funnel`, `/sectors`: the dashboard's figures for the same filters, from the same cached reads."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.v1 import schemas
from api.v1.selection import selection
from domain.pipeline_results import SectorTotal
from services.reads import DealReads


def _sector(total: SectorTotal) -> dict[str, object]:
    return {"secteur": total.sector, "total": total.total, "nombre": total.count,
            "sans_montant": total.without_amount, "moyenne": total.average}


def figures_blueprint(reads: DealReads) -> Blueprint:
    blueprint = Blueprint("chiffres", __name__, url_prefix="/api/v1", description="Les chiffres du tableau de bord")

    @blueprint.get("/kpis")
    @blueprint.arguments(schemas.SelectionQuery, location="query", as_kwargs=True)
    @blueprint.response(200, schemas.Kpis)
    def kpis(**query: object) -> dict[str, object]:
        """Les cartes KPI de la sélection."""
        found = reads.kpis(selection(query))
        return {"nombre_deals": found.deal_count, "pipeline_pondere": found.weighted_pipeline,
                "deal_moyen": found.average_deal, "taux_conversion": found.conversion_rate,
                "taux_gain": found.win_rate, "deals_par_etape": found.count_per_stage,
                "sans_montant": found.without_amount}

    @blueprint.get("/funnel")
    @blueprint.arguments(schemas.SelectionQuery, location="query", as_kwargs=True)
    @blueprint.response(200, schemas.FunnelStep(many=True))
    def funnel(**query: object) -> list[dict[str, object]]:
        """L'entonnoir pondéré de la sélection, étape par étape."""
        return [{"etape": step.stage, "pondere": step.weighted, "brut": step.gross, "nombre": step.count,
                 "sans_montant": step.without_amount} for step in reads.funnel(selection(query))]

    @blueprint.get("/sectors")
    @blueprint.arguments(schemas.SelectionQuery, location="query", as_kwargs=True)
    @blueprint.response(200, schemas.Sectors)
    def sectors(**query: object) -> dict[str, object]:
        """Les montants par secteur, du plus gros au plus petit, et les cinq plus gros deals moyens."""
        found = reads.sectors(selection(query))
        return {"secteurs": [_sector(total) for total in found.totals],
                "top_moyenne": [_sector(total) for total in found.top_by_average]}

    return blueprint
