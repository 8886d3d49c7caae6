"""The page's pure functions: components and figures from service answers, grid rows and requests, import history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pytest

from domain.import_results import ImportPreview, ImportRunSummary, RejectedRow
from domain.pipeline_results import DataHealth, DeadlineCounts, DeadlineRow, FunnelStage, Kpis, SectorTotal
from layouts import deadlines, figures
from layouts.data_health import CHOSEN_CLASS, LINK_CLASS, health_links
from layouts.filter_panel import dropdown_options
from layouts.import_panel import HISTORY_COLUMNS, history_rows, preview_summary
from layouts.kpis import (
    NO_DEAL_AT_ALL,
    NO_DEAL_SELECTED,
    VALUE_IDS,
    kpi_texts,
    selection_message,
    without_amount_note,
)
from layouts.page import page_layout

NNBSP, NBSP = "\u202f", "\u00a0"
CONTRACT_IDS = {
    "filter-status", "filter-sector", "filter-assignee", "filter-due-dates", "filter-reset",
    "kpi-weighted-pipeline", "kpi-average-deal", "kpi-conversion-rate", "kpi-deal-count",
    "kpi-count-prospect", "kpi-count-qualifie", "kpi-count-negociation", "kpi-count-gagne", "kpi-count-perdu",
    "graph-funnel", "graph-sectors", "graph-top-sectors", "table-deadlines", "deadlines-scope",
    "upload-csv", "import-preview", "import-confirm", "import-result", "app-alert", "data-health", "filter-search",
    "deal-new", "deal-form", "deal-save", "deal-form-error", "deal-history", "deal-won", "deal-lost", "deal-delete",
    "deal-undo",
}
# 142 today: 93 before the data-health card, its filter and the two "sans montant" notes (104), then the deal
# form's frame, its stores and the undo button (the form's fields are built when it opens), and the search box
# (127), then the stores of the one-request filter change (the grid's page 1 and the shown outputs' digests,
# less the grid-refresh store they replace) (128), then the export's PDF button (129), the cold-deal card and its
# legend item (133), the closed "since your last visit" panel with its two stores (136) and the navigation between
# the pages (139; Dash's page container adds its own few), the two stores that pass the deal form's step
# confirmations on, so that opening the form sends one request instead of three (141), the store of the due date as
# typed, which the date picker drops when it cannot read it (142); 150 before the cards became plain elements.
MAX_PAGE_COMPONENTS = 142
STAGES = {"Prospect": 3, "Qualifié": 2, "Négociation": 1, "Gagné": 4, "Perdu": 0}


def _ids(component: Any) -> set[str]:
    found = {component.id} if isinstance(getattr(component, "id", None), str) else set()
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "_prop_names"):
            found |= _ids(child)
    return found


def _components(component: Any) -> int:
    children = getattr(component, "children", None)
    return 1 + sum(_components(child) for child in (children if isinstance(children, list) else [children])
                   if hasattr(child, "_prop_names"))


def test_page_has_every_contract_id() -> None:
    assert _ids(page_layout(upload_max_bytes=10 * 1024 * 1024)) >= CONTRACT_IDS


def test_the_page_stays_lean() -> None:
    """Every Dash component costs the renderer work on each store update of every filter change (README,
    "What was cut"): a card made of plain elements and CSS, not of a dozen components."""
    assert _components(page_layout(upload_max_bytes=10 * 1024 * 1024)) <= MAX_PAGE_COMPONENTS


def test_kpi_texts_are_french_and_in_value_id_order() -> None:
    kpis = Kpis(deal_count=1234, weighted_pipeline=Decimal("1234567.49"), average_deal=Decimal("999.50"),
                conversion_rate=Decimal("0.4250"), win_rate=Decimal("0.6667"), count_per_stage=STAGES,
                without_amount=0)

    texts = dict(zip(VALUE_IDS, kpi_texts(kpis), strict=True))

    assert texts == {
        "kpi-weighted-pipeline": f"1{NNBSP}234{NNBSP}567{NBSP}€",
        "kpi-average-deal": f"1{NNBSP}000{NBSP}€",
        "kpi-conversion-rate": f"42,5{NBSP}%",
        "kpi-deal-count": f"1{NNBSP}234",
        "kpi-win-rate": f"66,7{NBSP}%",
        "kpi-count-prospect": "3", "kpi-count-qualifie": "2", "kpi-count-negociation": "1",
        "kpi-count-gagne": "4", "kpi-count-perdu": "0",
    }


def test_kpis_of_no_deal_are_dashes_with_an_explanation() -> None:
    nothing = Kpis(0, None, None, None, None, dict.fromkeys(STAGES, 0), 0)

    assert kpi_texts(nothing)[:5] == ("—", "—", "—", "0", "—")
    assert selection_message(nothing, filtered=False) == NO_DEAL_AT_ALL
    assert selection_message(nothing, filtered=True) == NO_DEAL_SELECTED
    assert selection_message(Kpis(1, Decimal(1), Decimal(1), Decimal(0), None, STAGES, 0), filtered=True) is None


def test_cards_that_leave_out_deals_without_an_amount_say_how_many() -> None:
    def note(without_amount: int) -> str:
        return without_amount_note(Kpis(1500, None, None, None, None, STAGES, without_amount))

    assert (note(0), note(1), note(1234)) == ("", "hors 1 deal sans montant", f"hors 1{NNBSP}234 deals sans montant")


def test_a_selection_of_deals_without_amounts_shows_dashes_not_zero_euros() -> None:
    only_to_estimate = Kpis(3, None, None, Decimal("0"), None, STAGES, 3)

    assert kpi_texts(only_to_estimate)[:4] == ("—", "—", f"0,0{NBSP}%", "3")


def test_highlight_keeps_chosen_bars_and_dims_the_others() -> None:
    assert figures.highlight(["A", "B"], [], ["#2563eb", "#16a34a"]) == ["#2563eb", "#16a34a"]
    assert figures.highlight(["A", "B"], ["B"], ["#2563eb", "#16a34a"]) == ["rgba(37, 99, 235, 0.25)", "#16a34a"]


def test_funnel_shows_weighted_values_in_stage_order_with_count_and_gross_in_hover() -> None:
    stages = [FunnelStage("Prospect", Decimal("100.00"), Decimal("1000.00"), 3, 1),
              FunnelStage("Qualifié", Decimal("300.00"), Decimal("1000.00"), 1, 0),
              FunnelStage("Négociation", Decimal("0.00"), Decimal("0.00"), 0, 0),
              FunnelStage("Gagné", Decimal("2500.00"), Decimal("2500.00"), 2, 0)]

    trace = _validated(figures.funnel_figure(stages, ["Gagné"])).data[0]

    assert trace.type == "funnel"
    assert list(trace.y) == ["Prospect", "Qualifié", "Négociation", "Gagné"]
    assert list(trace.x) == [100.0, 300.0, 0.0, 2500.0]
    assert list(trace.text) == [f"100{NBSP}€", f"300{NBSP}€", f"0{NBSP}€", f"2{NNBSP}500{NBSP}€"]
    assert [list(row) for row in trace.customdata] == [
        ["3", f"1{NNBSP}000{NBSP}€", "<br>Sans montant (non comptés) : 1"], ["1", f"1{NNBSP}000{NBSP}€", ""],
        ["0", f"0{NBSP}€", ""], ["2", f"2{NNBSP}500{NBSP}€", ""]]
    assert "%{customdata[2]}" in trace.hovertemplate
    assert list(trace.marker.color) == ["rgba(147, 197, 253, 0.25)", "rgba(96, 165, 250, 0.25)",
                                        "rgba(37, 99, 235, 0.25)", "#16a34a"]


def _validated(figure: figures.Figure) -> go.Figure:
    """The figure as plotly.py reads it: raises on any property plotly.js does not know."""
    return go.Figure(figure)


def _is_message_only(figure: Any, message: str) -> bool:
    figure = _validated(figure)
    layout = figure.layout
    return (not figure.data and layout.xaxis.visible is False and layout.yaxis.visible is False
            and layout.annotations[0].text == message)


def test_empty_funnel_and_sector_charts_show_a_message_not_an_empty_frame() -> None:
    empty_stages = [FunnelStage(name, Decimal(0), Decimal(0), 0, 0) for name in ("Prospect", "Qualifié")]
    unvalued_stages = [FunnelStage(name, Decimal(0), Decimal(0), 2, 2) for name in ("Prospect", "Qualifié")]

    assert _is_message_only(figures.funnel_figure(empty_stages, []), figures.NO_FUNNEL)
    assert _is_message_only(figures.funnel_figure(unvalued_stages, []), figures.NO_FUNNEL_AMOUNT)
    assert _is_message_only(figures.sectors_figure([], []), figures.NO_SECTOR)
    assert _is_message_only(figures.top_sectors_figure([], ["Banque"], any_deal=False), figures.NO_SECTOR)
    assert _is_message_only(figures.top_sectors_figure([], [], any_deal=True), figures.NO_SECTOR_AVERAGE)


def test_a_sector_whose_deals_all_lack_an_amount_keeps_a_bar_labelled_to_estimate() -> None:
    totals = [SectorTotal("Banque", Decimal("5000.00"), 3, 2), SectorTotal("Santé", Decimal("0.00"), 2, 0)]

    trace = _validated(figures.sectors_figure(totals, [])).data[0]

    assert list(trace.y) == ["Banque", "Santé"]
    assert list(trace.text) == [f"5{NNBSP}000{NBSP}€", "à estimer"]
    assert [list(row) for row in trace.customdata] == [["3", "<br>Sans montant (non comptés) : 1"],
                                                       ["2", "<br>Sans montant (non comptés) : 2"]]
    only_unvalued = _validated(figures.sectors_figure(totals[1:], []))
    assert list(only_unvalued.layout.xaxis.range) == [0, 1]


def test_sector_bars_keep_the_service_order_largest_on_top_and_highlight_the_choice() -> None:
    totals = [SectorTotal("Banque", Decimal("5000.00"), 2, 2), SectorTotal("Non renseigné", Decimal("800.00"), 4, 4)]

    figure = _validated(figures.sectors_figure(totals, ["Non renseigné"]))
    trace = figure.data[0]

    assert trace.orientation == "h"
    assert list(trace.y) == ["Banque", "Non renseigné"]
    assert list(trace.x) == [5000.0, 800.0]
    assert list(trace.text) == [f"5{NNBSP}000{NBSP}€", f"800{NBSP}€"]
    assert list(trace.marker.color) == ["rgba(37, 99, 235, 0.25)", "#2563eb"]
    assert figure.layout.yaxis.autorange == "reversed"
    assert trace.textposition == "outside" and figure.layout.margin.r >= 90


def test_top_sectors_show_the_average_deal() -> None:
    santé = SectorTotal("Santé", Decimal("3000.00"), 5, 4)  # one deal to estimate, left out of the average
    trace = _validated(figures.top_sectors_figure([santé], [], any_deal=True)).data[0]

    assert list(trace.x) == [750.0]
    assert list(trace.text) == [f"750{NBSP}€"]


def test_grid_row_is_french_with_cents_and_urgency_flags() -> None:
    row = DeadlineRow(7, "Alpha SA", "Prospect", Decimal("12345.6"), Decimal("1234.56"), None, "Léa Dubois",
                      date(2026, 11, 1), -20, True, False)

    assert deadlines.grid_row(row) == {
        "id": 7, "version": 1, "client": "Alpha SA", "statut": "Prospect", "montant_brut": f"12{NNBSP}345,60{NBSP}€",
        "valeur_ponderee": f"1{NNBSP}234,56{NBSP}€", "secteur": "—", "assignee": "Léa Dubois",
        "date_echeance": "01/11/2026", "days_left": "-20", "cold_days": "", "overdue": True, "next30": False,
        "cold": False,
    }


def test_grid_row_of_a_cold_deal_shows_its_days_without_change() -> None:
    row = DeadlineRow(7, "Alpha SA", "Prospect", None, None, None, None, date(2026, 12, 1), 10, False, True,
                      cold_days=1234)
    shown = deadlines.grid_row(row)
    assert (shown["cold_days"], shown["cold"]) == (f"1{NNBSP}234 j", True)


def test_grid_row_of_a_deal_without_amount_or_due_date_says_to_estimate() -> None:
    row = DeadlineRow(8, "Beta", "Prospect", None, None, "Santé", None, None, None, False, False)
    free_pilot = DeadlineRow(9, "Pilote", "Qualifié", Decimal("0"), Decimal("0"), None, None, None, None, False, False)

    shown = deadlines.grid_row(row)
    assert (shown["montant_brut"], shown["valeur_ponderee"], shown["date_echeance"], shown["days_left"]) == (
        "à estimer", "à estimer", "—", "—")
    assert deadlines.grid_row(free_pilot)["montant_brut"] == f"0,00{NBSP}€"


def test_data_health_links_count_and_show_the_chosen_gap() -> None:
    texts, classes, disabled = health_links(DataHealth(12, 0, 3, 1500, 0), chosen=("echeance",))

    assert texts == ["Sans montant : 12", "Sans échéance : 0", "Sans secteur : 3", f"Sans commercial : 1{NNBSP}500",
                     "En retard : 0"]
    assert classes == [LINK_CLASS, CHOSEN_CLASS, LINK_CLASS, LINK_CLASS, LINK_CLASS]
    # Nothing to select: disabled, unless chosen (a click must be able to take it off).
    assert disabled == [False, False, False, False, True]


def test_grid_response_carries_the_total_for_the_pager() -> None:
    assert deadlines.grid_response((), 42) == {"rowData": [], "rowCount": 42}


def test_requested_sort_maps_the_sort_model_and_drops_unknown_columns() -> None:
    request = {"sortModel": [{"colId": "montant_brut", "sort": "desc"}, {"colId": "notes; DROP", "sort": "asc"},
                             {"colId": "client", "sort": "asc"}]}

    assert deadlines.requested_sort(request) == (("montant_brut", True), ("client", False))
    assert deadlines.requested_sort({}) == ()


@pytest.mark.parametrize(("request_", "window"), [
    ({"startRow": 20, "endRow": 30}, (20, 10)),
    ({"startRow": 0, "endRow": 10_000_000}, (0, deadlines.MAX_ROWS_PER_REQUEST)),
    ({"startRow": -5, "endRow": 5}, (0, 5)),
])
def test_requested_window_is_bounded(request_: dict[str, int], window: tuple[int, int]) -> None:
    assert deadlines.requested_window(request_) == window


def test_scope_options_are_labelled_with_counts() -> None:
    counts = DeadlineCounts(listed=1500, overdue=12, next_7_days=2, next_30_days=3, cold=40, cold_deals=1041)
    assert [option["label"] for option in deadlines.scope_options(counts)] == [
        f"Toutes (1{NNBSP}500)", "En retard (12)", "7 prochains jours (2)", "30 prochains jours (3)", "Froids (40)"]
    assert [option["label"] for option in deadlines.scope_options(None)] == [
        "Toutes", "En retard", "7 prochains jours", "30 prochains jours", "Froids"]


def test_dropdown_options_show_counts() -> None:
    assert dropdown_options([("Banque", 1200), ("Non renseigné", 3)]) == [
        {"label": f"Banque (1{NNBSP}200)", "value": "Banque"},
        {"label": "Non renseigné (3)", "value": "Non renseigné"}]


@pytest.mark.parametrize(("rejected", "kept", "said"), [
    (20, 20, None),
    (1425, 1425, f"Les 20 premières des 1{NNBSP}425 lignes rejetées ; le CSV ci-dessous les donne toutes."),
    (25000, 10000, f"Les 20 premières des 25{NNBSP}000 lignes rejetées ; le CSV ci-dessous en donne les "
                   f"10{NNBSP}000 premières."),
])
def test_the_rejected_rows_table_says_when_it_lists_only_the_first(rejected: int, kept: int, said: str | None) -> None:
    rows = tuple(RejectedRow(line, "Montant", "montant illisible", ()) for line in range(2, kept + 2))
    summary = preview_summary(ImportPreview("gros.csv", created=1, rejected=rejected, rejected_rows=rows), 0)
    texts = [part.children for part in summary.children if getattr(part, "className", "") == "small text-muted mb-2"]
    assert texts == ([said] if said else [])


def test_import_history_rows_are_french_with_paris_time_and_fill_every_column() -> None:
    run = ImportRunSummary(id=7, file_name="export excel.csv", imported_at=datetime(2026, 11, 20, 14, 5, tzinfo=UTC),
                           created=1234, updated=0, duplicates=3, rejected=12, user_name="Léa Dubois")
    solo = ImportRunSummary(id=6, file_name="avant.csv", imported_at=datetime(2026, 11, 19, 9, 0, tzinfo=UTC),
                            created=1, updated=0, duplicates=0, rejected=0)

    rows = history_rows((run, solo))

    assert rows[0] == {"id": "7", "file_name": "export excel.csv", "imported_at": "20/11/2026 15:05",
                       "user_name": "Léa Dubois", "created": f"1{NNBSP}234", "updated": "0", "duplicates": "3",
                       "rejected": "12"}
    assert rows[1]["user_name"] == "—"  # solo mode, the command line, or before accounts: nobody
    assert {column["field"] for column in HISTORY_COLUMNS} == set(rows[0]) - {"id"}
