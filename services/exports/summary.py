"""The figures an export carries beside its rows: the view in words, when, and the dashboard's own numbers.

They come from the read service (`services.reads`), the same cached figures as the KPI cards, the funnel
and the sector bars, so the file and the page cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.pipeline_results import Kpis, SectorTotal, StageTotal
from domain.view_description import SCOPE_WORDS, filter_words, sort_words
from services.exports.view import ExportView
from services.reads import DealReads


@dataclass(frozen=True)
class ExportSummary:
    """What the "Synthèse" sheet shows: plain values, written as numbers."""

    filters: str
    scope: str
    sort: str
    exported_at: datetime  # Paris wall-clock time, naive (Excel has no time zones)
    row_count: int
    kpis: Kpis
    stages: tuple[StageTotal, ...]
    sectors: tuple[SectorTotal, ...]


def export_summary(reads: DealReads, view: ExportView, exported_at: datetime, row_count: int) -> ExportSummary:
    """The summary of `view`: the figures are the selection's, as the KPI cards show them."""
    return ExportSummary(
        filters=filter_words(view.deal_filter),
        scope=SCOPE_WORDS[view.scope],
        sort=sort_words(view.sort),
        exported_at=exported_at.replace(tzinfo=None),
        row_count=row_count,
        kpis=reads.kpis(view.deal_filter),
        stages=reads.stage_totals(view.deal_filter),
        sectors=reads.sectors(view.deal_filter).totals,
    )
