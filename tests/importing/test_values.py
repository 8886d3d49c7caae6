"""Amounts, dates and stages as people and CRMs write them, read the same way across one file."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.importing.synonyms import auto_mapping, normalise_header
from services.importing.values import (
    DAY_FIRST,
    MONTH_FIRST,
    AmountParser,
    Conventions,
    DateParser,
    StageResolver,
    scan_conventions,
)

FRENCH, ENGLISH = Conventions(decimal_mark=","), Conventions(decimal_mark=".")


@pytest.mark.parametrize(("cell", "conventions", "expected"), [
    ("12 500,50 €", FRENCH, "12500.50"),
    ("12\u00a0500,50", FRENCH, "12500.50"),
    ("12\u202f500,50\u00a0€", FRENCH, "12500.50"),
    ("1.234,56", FRENCH, "1234.56"),
    ("EUR 950", FRENCH, "950.00"),
    ("12,500.50", ENGLISH, "12500.50"),
    ("12500.5", ENGLISH, "12500.50"),
    ("€12,500", ENGLISH, "12500.00"),
    ("1,250,000.00", ENGLISH, "1250000.00"),
    ("007", FRENCH, "7.00"),
    (12500.5, FRENCH, "12500.50"),
    (300, ENGLISH, "300.00"),
    ("0,00", FRENCH, "0.00"),          # a lost deal, a free pilot: 0 is an amount
    ("0", ENGLISH, "0.00"),
    (0, FRENCH, "0.00"),
])
def test_amounts_in_the_usual_notations(cell: str | float, conventions: Conventions, expected: str) -> None:
    assert AmountParser(conventions).parse(cell) == (expected, None)


@pytest.mark.parametrize("cell", ["", "   ", "\u00a0", None])
def test_an_empty_amount_is_no_amount_yet_not_zero(cell: str | None) -> None:
    assert AmountParser(FRENCH).parse(cell) == (None, None)


@pytest.mark.parametrize(("cell", "conventions", "words"), [
    ("12500.5", FRENCH, "illisible"),        # a French file does not write a decimal point
    ("1.234,56", ENGLISH, "illisible"),
    ("12,345", FRENCH, "plus de deux décimales"),
    ("-1 200,00", FRENCH, "négatif"),
    ("(1,200.00)", ENGLISH, "négatif"),
    ("£12", ENGLISH, "autre devise"),
    ("10 000 000 000,00", FRENCH, "trop élevé"),
    (0.1 + 0.2, ENGLISH, "plus de deux décimales"),
])
def test_amounts_that_are_refused(cell: str | float, conventions: Conventions, words: str) -> None:
    value, reason = AmountParser(conventions).parse(cell)
    assert value is None and words in reason


@pytest.mark.parametrize(("cells", "decimal_mark"), [
    pytest.param(["1 200", "12,5", "3 000"], ",", id="french-decimal-comma"),
    pytest.param(["1,200.00", "12.5"], ".", id="english-decimal-point"),
    pytest.param(["1.234,56", "12"], ",", id="dot-thousands-comma-decimals"),
    pytest.param(["1,234,567", "300"], ".", id="several-commas-are-thousands"),
])
def test_decimal_mark_is_decided_for_the_whole_file(cells: list[str], decimal_mark: str) -> None:
    assert scan_conventions((cell, None) for cell in cells).decimal_mark == decimal_mark


def test_amounts_with_only_three_digit_groups_are_thousands_and_the_preview_says_so() -> None:
    conventions = scan_conventions([("12,500", None), ("€8,000", None)])
    assert conventions.decimal_mark == "."
    assert "la virgule y sépare les milliers" in conventions.notes[0]
    assert AmountParser(conventions).parse("12,500") == ("12500.00", None)


@pytest.mark.parametrize(("dates", "order", "note"), [
    pytest.param(["05/11/2026", "31/12/2026"], DAY_FIRST, "jour/mois/année.", id="a-day-above-12"),
    pytest.param(["05/11/2026", "12/31/2026"], MONTH_FIRST, "format américain", id="us-file"),
    pytest.param(["01/02/2026", "03/04/2026"], DAY_FIRST, "ordre français", id="every-date-ambiguous"),
    pytest.param(["2026-12-31"], None, None, id="iso-needs-no-decision"),
])
def test_day_month_order_is_decided_per_file(dates: list[str], order: str | None, note: str | None) -> None:
    conventions = scan_conventions((None, cell) for cell in dates)
    assert conventions.date_order == order
    assert (note in conventions.notes[0]) if note else conventions.notes == ()


@pytest.mark.parametrize(("cell", "order", "expected"), [
    ("31/12/2026", DAY_FIRST, "2026-12-31"),
    ("2026-12-31", DAY_FIRST, "2026-12-31"),
    ("31-12-26", DAY_FIRST, "2026-12-31"),
    ("2026-12-31 00:00:00", DAY_FIRST, "2026-12-31"),
    ("2026-12-31T09:30:00Z", DAY_FIRST, "2026-12-31"),
    ("31.12.2026", DAY_FIRST, "2026-12-31"),
    ("12/31/2026", MONTH_FIRST, "2026-12-31"),
    ("03/04/2026", DAY_FIRST, "2026-04-03"),
    ("03/04/2026", MONTH_FIRST, "2026-03-04"),
])
def test_dates_in_the_usual_notations(cell: str, order: str, expected: str) -> None:
    assert DateParser(Conventions(date_order=order), excel_serials=False).parse(cell) == (expected, None)


def test_excel_dates_and_serial_numbers_from_a_workbook() -> None:
    parser = DateParser(Conventions(), excel_serials=True)
    assert parser.parse(datetime(2026, 12, 31, 15, 0)) == ("2026-12-31", None)
    assert parser.parse(date(2026, 12, 31)) == ("2026-12-31", None)
    assert parser.parse(46387) == ("2026-12-31", None)  # Excel shows serial 46387 as 31/12/2026
    assert DateParser(Conventions(), excel_serials=False).parse(46387)[0] is None


def test_a_date_that_contradicts_the_file_order_is_rejected_not_swapped() -> None:
    value, reason = DateParser(Conventions(date_order=DAY_FIRST), excel_serials=False).parse("12/31/2026")
    assert value is None and "date impossible" in reason


@pytest.mark.parametrize(("value", "stage"), [
    ("Négociation", "Négociation"), ("negociation", "Négociation"), ("NÉGOCIATION", "Négociation"),
    ("gagne", "Gagné"), ("Qualifie", "Qualifié"), (" perdu ", "Perdu"), ("Prospect", "Prospect"),
    ("Won", "Gagné"), ("Closed Won", "Gagné"), ("closed-won", "Gagné"), ("Lost", "Perdu"),
    ("Closed Lost", "Perdu"), ("Negotiation", "Négociation"), ("Proposal", "Négociation"),
    ("Qualified", "Qualifié"), ("Prospecting", "Prospect"), ("New", "Prospect"), ("Lead", "Prospect"),
    ("Appointment scheduled", "Prospect"), ("Engaging", "Qualifié"), ("Negotiation/Review", "Négociation"),
    ("Closed-Lost to Competition", "Perdu"),
])
def test_stage_names_from_french_sheets_and_crms(value: str, stage: str) -> None:
    assert StageResolver(None).resolve(value.strip()) == stage


def test_unknown_stages_are_collected_with_a_suggestion_and_the_user_choice_wins() -> None:
    resolver = StageResolver(None)
    for value in ("Closed - Postponed", "Devis en attente", "Devis en attente"):
        assert resolver.resolve(value) is None
    assert resolver.suggestions() == {"Devis en attente": "Négociation", "Closed - Postponed": None}
    chosen = StageResolver({"closed - postponed": "Perdu", "Proposal": "Qualifié"})
    assert (chosen.resolve("Closed - Postponed"), chosen.resolve("Proposal")) == ("Perdu", "Qualifié")


def test_headers_match_without_case_accents_spaces_or_units() -> None:
    assert auto_mapping(("  DATE d'Échéance ",)) == {"  DATE d'Échéance ": "date_echeance"}
    assert auto_mapping(("date_echeance",)) == {"date_echeance": "date_echeance"}
    assert normalise_header("Montant (EUR)") == normalise_header("montant en euros") == "montant"
    assert auto_mapping(("NOM DU CLIENT", "etape", "Montant TTC", "deal_stage")) == {
        "NOM DU CLIENT": "client", "etape": "statut", "Montant TTC": "montant_brut", "deal_stage": None}
