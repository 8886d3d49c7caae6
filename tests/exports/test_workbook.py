"""The Excel export opened with openpyxl: typed cells equal to an independent model of the known deals, the
grid's scope and sort, red overdue rows, no formula, and a "Synthèse" sheet whose numbers are the dashboard's."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from data import clock
from domain.deal_filter import DealFilter
from domain.pipeline_results import DeadlineScope
from domain.stages import OPEN_STAGES, PROBABILITY, STAGE_NAMES
from services.exports import MAX_DEAL_ROWS, ExportView, TooManyRowsError
from services.exports.summary import export_summary
from services.exports.workbook import write_workbook
from tests.exports.conftest import Known, workbook_of
from tests.service.known_deals import TODAY, KnownDeal, Selection, as_filter, expected_kpis, expected_sectors

D = datetime.fromisoformat
HEADERS = ["Client", "Statut", "Montant brut (€)", "Probabilité", "Valeur pondérée (€)", "Secteur", "Commercial",
           "Date d'échéance", "Référence externe", "Motif de perte", "Notes"]
SELECTIONS = {
    "everything": Selection(),
    "won only": Selection(stages=("Gagné",)),
    "one sector and a salesperson": Selection(sectors=("Logiciel",), assignees=("Hugo Bernard",)),
    "due-date range": Selection(due_from=D("2026-10-15").date(), due_to=D("2026-12-31").date()),
    "overdue": Selection(missing=("retard",)),
    "without due date": Selection(missing=("echeance",)),
    "search": Selection(search="societe"),
    "nothing": Selection(search="zzz introuvable"),
}
OVERDUE_RGB = "FDE2E1"  # the grid's red; compared without the alpha byte, which Excel ignores in a fill


def _overdue(deal: KnownDeal) -> bool:
    return deal.statut in OPEN_STAGES and deal.date_echeance is not None and deal.date_echeance < TODAY


def _by_due_date(deals: list[KnownDeal]) -> list[KnownDeal]:
    """The grid's default order: soonest due date first, undated deals last, then by id."""
    return sorted(deals, key=lambda deal: (deal.date_echeance is None, deal.date_echeance or TODAY, deal.id))


def _money(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("name", SELECTIONS)
def test_deal_rows_are_typed_cells_equal_to_the_selected_deals(known: Known, name: str) -> None:
    selection = SELECTIONS[name]
    expected = _by_due_date([deal for deal in known.deals if selection.matches(deal)])

    sheet = workbook_of(known.exports, ExportView(as_filter(selection)))["Deals"]
    rows = list(sheet.iter_rows(min_row=2))

    assert [cell.value for cell in sheet[1]] == HEADERS
    assert len(rows) == len(expected)
    for deal, row in zip(expected, rows, strict=True):
        client, statut, amount, probability, weighted, sector, assignee, due, ref, _reason, notes = row
        assert (client.value, statut.value, sector.value, assignee.value, ref.value, notes.value) == (
            deal.client, deal.statut, deal.secteur, deal.assignee, deal.ref_externe, deal.notes)
        assert _money(amount.value) == deal.montant_brut and _money(weighted.value) == deal.weighted
        assert Decimal(str(probability.value)) == PROBABILITY[deal.statut]
        assert (due.value.date() if due.value else None) == deal.date_echeance
        assert probability.data_type == "n" and probability.number_format == "0 %"
        if deal.montant_brut is not None:
            assert amount.data_type == weighted.data_type == "n"
            assert amount.number_format == weighted.number_format == '#,##0.00 "€"'
        if deal.date_echeance is not None:
            assert due.is_date and due.number_format == "DD/MM/YYYY"


def test_overdue_open_deals_are_red_and_no_other_row_is(known: Known) -> None:
    sheet = workbook_of(known.exports, ExportView())["Deals"]
    fills = [{cell.fill.fgColor.rgb[-6:] for cell in row} for row in sheet.iter_rows(min_row=2)]

    red = [fill == {OVERDUE_RGB} for fill in fills]
    assert red == [_overdue(deal) for deal in _by_due_date(known.deals)]
    assert sum(red) > 5


def test_the_sheet_has_a_frozen_header_an_autofilter_and_column_widths(known: Known) -> None:
    sheet = workbook_of(known.exports, ExportView())["Deals"]

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{len(known.deals) + 1}"
    assert all(sheet.column_dimensions[letter].width >= 12 for letter in "ABCDEFGHIJK")
    assert all(cell.font.bold for cell in sheet[1])


def test_the_grid_scope_and_sort_are_the_files(known: Known) -> None:
    view = ExportView(DealFilter(), DeadlineScope.OVERDUE, (("montant_brut", True),))
    overdue = [deal for deal in known.deals if _overdue(deal)]
    expected = sorted(overdue, key=lambda deal: (deal.montant_brut is None, -(deal.montant_brut or 0), deal.id))

    sheet = workbook_of(known.exports, view)["Deals"]

    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [deal.client for deal in expected]


def test_next_30_days_scope_lists_open_deals_due_from_today_to_30_days(known: Known) -> None:
    horizon = TODAY + timedelta(days=30)
    expected = {deal.client for deal in known.deals
                if deal.statut in OPEN_STAGES and deal.date_echeance and TODAY <= deal.date_echeance <= horizon}

    sheet = workbook_of(known.exports, ExportView(scope=DeadlineScope.NEXT_30_DAYS))["Deals"]

    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == expected


@pytest.mark.parametrize("name", ["everything", "one sector and a salesperson", "overdue", "nothing"])
def test_the_summary_sheet_holds_the_dashboards_figures_as_numbers(known: Known, name: str) -> None:
    selection = SELECTIONS[name]
    chosen = [deal for deal in known.deals if selection.matches(deal)]
    kpis = expected_kpis(chosen)

    lines = list(workbook_of(known.exports, ExportView(as_filter(selection)))["Synthèse"].iter_rows(values_only=True))
    by_label = {line[0]: line[1] for line in lines if line[0]}

    assert by_label["Deals exportés"] == by_label["Deals"] == len(chosen)
    assert _money(by_label["Pipeline pondéré"]) == kpis["weighted_pipeline"]
    assert _money(by_label["Panier moyen"]) == kpis["average_deal"]
    rates = (by_label["Taux de conversion (gagnés / tous)"], by_label["Taux de gain (gagnés / (gagnés + perdus))"])
    assert rates == tuple(None if rate is None else pytest.approx(float(rate))
                          for rate in (kpis["conversion_rate"], kpis["win_rate"]))
    assert by_label["Deals sans montant (hors sommes et moyennes)"] == kpis["without_amount"]
    exported_at = by_label["Exporté le (heure de Paris)"]
    assert abs(exported_at - datetime.now(clock.PARIS).replace(tzinfo=None)) < timedelta(minutes=1)

    start = next(index for index, line in enumerate(lines) if line[:2] == ("Statut", "Deals")) + 1
    stages = {line[0]: (line[1], _money(line[2]), _money(line[3])) for line in lines[start:start + 5]}
    assert stages == {stage: (sum(deal.statut == stage for deal in chosen),
                              sum((deal.montant_brut or 0 for deal in chosen if deal.statut == stage), Decimal("0.00")),
                              sum((deal.weighted or 0 for deal in chosen if deal.statut == stage), Decimal("0.00")))
                      for stage in STAGE_NAMES}

    start = next(index for index, line in enumerate(lines) if line[:2] == ("Secteur", "Deals")) + 1
    sectors = [(line[0], _money(line[2]), line[1]) for line in lines[start:]]
    assert sectors == [(sector, total, count) for sector, total, count, _valued in expected_sectors(chosen)[0]]


def test_the_summary_says_the_filters_scope_and_sort_in_words(known: Known) -> None:
    view = ExportView(DealFilter.build(stages=["Négociation"], sectors=["Banque"], due_from="2026-11-01",
                                       due_to="2026-12-31", search="societe"),
                      DeadlineScope.NEXT_30_DAYS, (("montant_brut", True),))

    lines = workbook_of(known.exports, view)["Synthèse"].iter_rows(values_only=True)
    by_label = {line[0]: line[1] for line in lines if line[0]}

    assert by_label["Filtres"] == ("Statut : Négociation ; Secteur : Banque ; Échéance : du 01/11/2026 au "
                                   "31/12/2026 ; Recherche : « societe »")
    assert by_label["Périmètre"] == "Échéance dans les 30 prochains jours"
    assert by_label["Tri"] == "Montant brut décroissant"


def test_a_view_beyond_excels_rows_is_refused_in_french_offering_the_csv(known: Known) -> None:
    summary = export_summary(known.reads, ExportView(), datetime.now(), MAX_DEAL_ROWS + 1)
    out = io.BytesIO()

    with pytest.raises(TooManyRowsError) as refused:
        write_workbook(iter(()), MAX_DEAL_ROWS + 1, summary, TODAY, out)

    assert "1\u202f048\u202f576 deals" in str(refused.value) and "CSV" in str(refused.value)
    assert out.getvalue() == b""
