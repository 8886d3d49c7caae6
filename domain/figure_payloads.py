"""The dashboard's figures as plain dicts with French keys: what the REST API and the MCP tool answer, named
once so that both say the same thing. Amounts stay `Decimal` (each caller writes them as exact text)."""

from __future__ import annotations

from domain.pipeline_results import FunnelStage, Kpis, SectorSummary, SectorTotal


def kpis_payload(kpis: Kpis) -> dict[str, object]:
    return {"nombre_deals": kpis.deal_count, "pipeline_pondere": kpis.weighted_pipeline,
            "deal_moyen": kpis.average_deal, "taux_conversion": kpis.conversion_rate, "taux_gain": kpis.win_rate,
            "deals_par_etape": kpis.count_per_stage, "sans_montant": kpis.without_amount}


def funnel_payload(funnel: tuple[FunnelStage, ...]) -> list[dict[str, object]]:
    return [{"etape": step.stage, "pondere": step.weighted, "brut": step.gross, "nombre": step.count,
             "sans_montant": step.without_amount} for step in funnel]


def _sector(total: SectorTotal) -> dict[str, object]:
    return {"secteur": total.sector, "total": total.total, "nombre": total.count,
            "sans_montant": total.without_amount, "moyenne": total.average}


def sectors_payload(summary: SectorSummary) -> dict[str, object]:
    return {"secteurs": [_sector(total) for total in summary.totals],
            "top_moyenne": [_sector(total) for total in summary.top_by_average]}
