"""The PDF report read as a reader meets it: its text through `pdftotext` (poppler), its page 1 rendered by
`pdftoppm`. The KPI values are the cards' texts for an independent model of the known deals, the deadlines
the grid's first rows in order with the overdue ones on red, and markup or formula strings show as typed."""

from __future__ import annotations

import io
import math
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from data import clock
from data.models import Deal
from domain.pipeline_results import DeadlineScope, Kpis
from layouts.kpis import kpi_texts
from services.exports import DealExports, ExportView
from tests.exports.conftest import DAY, INJECTIONS, Known, deadline_clients, pdf_text, plain_spaces, reads_on
from tests.service.known_deals import (
    TODAY,
    KnownDeal,
    Selection,
    as_filter,
    expected_deadline_ids,
    expected_kpis,
    is_open,
)

SELECTIONS = {
    "everything": Selection(),
    "won only": Selection(stages=("Gagné",)),
    "one sector and a salesperson": Selection(sectors=("Logiciel",), assignees=("Hugo Bernard",)),
    "nothing": Selection(search="zzz introuvable"),
}
MARKUP = ("<script>alert(1)</script>", "<b>x</b>", "Dupont & Fils <i>SA</i>")
OVERDUE_FILL, WHITE = (0xFD, 0xE2, 0xE1), (0xFF, 0xFF, 0xFF)


def _pdf(exports: DealExports, view: ExportView, folder: Path) -> Path:
    out = io.BytesIO()
    exports.pdf(view, out)
    path = folder / "rapport.pdf"
    path.write_bytes(out.getvalue())
    return path


def _selected(known: Known, selection: Selection) -> list[KnownDeal]:
    return [deal for deal in known.deals if selection.matches(deal)]


@pytest.mark.parametrize("name", SELECTIONS)
def test_the_report_shows_the_kpi_cards_of_the_selection(known: Known, name: str, tmp_path: Path) -> None:
    selection = SELECTIONS[name]
    cards = kpi_texts(Kpis(**expected_kpis(_selected(known, selection))))

    text = pdf_text(_pdf(known.exports, ExportView(as_filter(selection)), tmp_path))

    assert "Pipeline des deals" in text
    for value in cards:
        assert plain_spaces(value) in text
    assert ("Aucun deal ne correspond à ces filtres." in text) == (name == "nothing")


def test_the_report_says_the_view_in_words_and_when(engine: Engine, known: Known, tmp_path: Path) -> None:
    at = datetime(2026, 11, 21, 14, 5, tzinfo=clock.PARIS)
    exports = DealExports(engine, known.reads, now=lambda: at)
    view = ExportView(as_filter(Selection(sectors=("Logiciel",), assignees=("Hugo Bernard",))),
                      DeadlineScope.OVERDUE, (("montant_brut", True),))

    text = pdf_text(_pdf(exports, view, tmp_path))

    assert "Exporté le 21/11/2026 à 14:05 (heure de Paris)" in text
    assert "Filtres : Secteur : Logiciel ; Commercial : Hugo Bernard" in text
    assert "Vue de la grille : En retard (statut ouvert, échéance passée) · Tri : Montant brut décroissant" in text


def test_the_first_twenty_deadlines_in_the_grids_order(known: Known, tmp_path: Path) -> None:
    by_id = {deal.id: deal for deal in known.deals}
    expected = [by_id[at].client for at in expected_deadline_ids(known.deals, "all")[:20]]

    text = pdf_text(_pdf(known.exports, ExportView(), tmp_path), "-layout")

    assert deadline_clients(text) == expected
    assert f"Les 20 prochaines échéances sur {len(expected_deadline_ids(known.deals, 'all'))}" in text


def _pixels(path: Path, page: int, folder: Path) -> tuple[int, int, bytes]:
    """Page `page` rendered at 72 dpi (one pixel per point) as raw RGB: width, height, pixels."""
    subprocess.run(["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                    str(folder / "page")], check=True)
    header, pixels = _ppm(folder / "page.ppm")
    return header[0], header[1], pixels


def _ppm(path: Path) -> tuple[tuple[int, int], bytes]:
    """A binary PPM (P6) file's size and RGB bytes."""
    data = path.read_bytes()
    magic, width, height, _, pixels = data.split(maxsplit=4)
    assert magic == b"P6"
    return (int(width), int(height)), pixels


def test_overdue_deadlines_are_drawn_on_red(known: Known, tmp_path: Path) -> None:
    by_id = {deal.id: deal for deal in known.deals}
    rows = [by_id[at] for at in expected_deadline_ids(known.deals, "all")[:20]]
    overdue = [is_open(deal) and deal.date_echeance < TODAY for deal in rows]
    assert any(overdue) and not all(overdue)
    path = _pdf(known.exports, ExportView(), tmp_path)
    page = next(number for number, text in enumerate(pdf_text(path).split("\f"), start=1) if "Jours restants" in text)

    width, height, pixels = _pixels(path, page, tmp_path)
    words = [(float(x), float(y_min), float(y_max), word) for x, y_min, y_max, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>',
        pdf_text(path, "-bbox", "-f", str(page), "-l", str(page)))]
    header = next(y_max for _, _, y_max, word in words if word == "restants")
    due_cells = [(x, y_min, y_max) for x, y_min, y_max, word in words
                 if DAY.fullmatch(word) and header < y_min < height - 30]

    def background(x: float, y_min: float, y_max: float) -> tuple[int, ...]:
        at = (int((y_min + y_max) / 2) * width + int(x) - 2) * 3
        return tuple(pixels[at:at + 3])

    assert [background(*cell) for cell in due_cells] == [OVERDUE_FILL if late else WHITE for late in overdue]


@pytest.fixture
def odd_exports(engine: Engine) -> Iterator[DealExports]:
    """Deals whose texts are markup and the import's bad inputs, in the client, sector and salesperson."""
    values = (*MARKUP, *INJECTIONS)
    rows = [{"client": value, "statut": "Négociation", "montant_brut": Decimal(1000 * (index + 1)),
             "secteur": value, "assignee": value, "date_echeance": TODAY} for index, value in enumerate(values)]
    with engine.begin() as connection:
        connection.execute(insert(Deal), rows)
    clock.fix_today(TODAY)
    yield DealExports(engine, reads_on(engine))
    clock.fix_today(None)


def test_markup_and_injection_strings_show_as_typed(odd_exports: DealExports, tmp_path: Path) -> None:
    path = _pdf(odd_exports, ExportView(sort=(("montant_brut", False),)), tmp_path)

    text = pdf_text(path, "-layout")

    for value in (*MARKUP, *INJECTIONS):
        assert value.strip() in text
    assert deadline_clients(text) == [value.strip() for value in (*MARKUP, *INJECTIONS)]


def test_markup_in_the_search_shows_in_the_filter_words(odd_exports: DealExports, tmp_path: Path) -> None:
    view = ExportView(as_filter(Selection(search="<b>x</b>")))

    text = pdf_text(_pdf(odd_exports, view, tmp_path))

    assert "Recherche : « <b>x</b> »" in text
    assert deadline_clients(pdf_text(_pdf(odd_exports, view, tmp_path), "-layout")) == ["<b>x</b>"]


def test_pdftoppm_renders_page_one_as_a_landscape_page(known: Known, tmp_path: Path) -> None:
    path = _pdf(known.exports, ExportView(), tmp_path)

    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(tmp_path / "page1")], check=True)

    png = (tmp_path / "page1.png").read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (math.ceil(297 / 25.4 * 80), math.ceil(210 / 25.4 * 80))  # A4 landscape at 80 dpi
    assert "Page 1 sur 2" in pdf_text(path)
