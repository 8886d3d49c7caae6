"""Choosing a stage, a sector, a salesperson or a due-date range redraws the KPIs and charts to match."""

from __future__ import annotations

from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from tests.browser import page
from tests.browser.deals import (
    NO_ASSIGNEE,
    Row,
    expected_kpis,
    funnel_values,
    option_label,
    sector_totals,
    where,
)

pytestmark = pytest.mark.browser


def test_choosing_a_stage_updates_kpis_and_sector_chart(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-status", option_label("Gagné", deals, lambda row: row.statut))

    won = where(deals, lambda row: row.statut == "Gagné")
    page.wait_for_texts(dashboard, expected_kpis(won))
    page.wait_for_bars(dashboard, "graph-sectors", dict(sector_totals(won)))
    page.wait_for_bars(dashboard, "graph-funnel", funnel_values(deals))
    assert dashboard.get_logs() == []


def test_choosing_a_sector_updates_kpis_and_funnel(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-sector", option_label("Banque", deals, lambda row: row.sector_label))

    banking = where(deals, lambda row: row.secteur == "Banque")
    page.wait_for_texts(dashboard, expected_kpis(banking))
    page.wait_for_bars(dashboard, "graph-funnel", funnel_values(banking))
    assert dashboard.get_logs() == []


def test_choosing_a_salesperson_including_nobody_updates_everything(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-assignee", option_label("Hugo Bernard", deals, lambda row: row.assignee or ""))
    page.choose(dashboard, "filter-assignee", option_label(NO_ASSIGNEE, deals, lambda row: row.assignee or NO_ASSIGNEE))

    chosen = where(deals, lambda row: row.assignee in ("Hugo Bernard", None))
    page.wait_for_texts(dashboard, expected_kpis(chosen))
    page.wait_for_bars(dashboard, "graph-sectors", dict(sector_totals(chosen)))
    page.wait_for_bars(dashboard, "graph-funnel", funnel_values(chosen))
    assert dashboard.get_logs() == []


def test_typing_a_due_date_range_updates_everything(dashboard: DashComposite, deals: list[Row]) -> None:
    for input_id, day in (("filter-due-from", "01/11/2026"), ("filter-due-to", "31/12/2026")):
        field = dashboard.find_element(f"#{input_id}")
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(day, Keys.ENTER)
    dashboard.find_element("body").send_keys(Keys.ESCAPE)

    in_range = where(deals, lambda row: row.date_echeance is not None
                     and date(2026, 11, 1) <= row.date_echeance <= date(2026, 12, 31))
    page.wait_for_texts(dashboard, expected_kpis(in_range))
    page.wait_for_bars(dashboard, "graph-sectors", dict(sector_totals(in_range)))
    assert dashboard.get_logs() == []


def _type_then_click_away(dashboard: DashComposite, input_id: str, day: str) -> None:
    """Type `day` over a date field's text, then click another part of the page (no Enter, no Tab)."""
    field = dashboard.find_element(f"#{input_id}")
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(day)
    dashboard.find_element(".filter-panel h2").click()


def test_dates_typed_then_left_with_a_click_filter_everything(dashboard: DashComposite, deals: list[Row]) -> None:
    """The founder types "Du", clicks "Au", types it, clicks elsewhere: the figures follow the range the fields show
    (Dash's picker used to keep the typed dates in the fields and filter on nothing)."""
    _type_then_click_away(dashboard, "filter-due-from", "01/11/2026")
    _type_then_click_away(dashboard, "filter-due-to", "31/12/2026")

    in_range = where(deals, lambda row: row.date_echeance is not None
                     and date(2026, 11, 1) <= row.date_echeance <= date(2026, 12, 31))
    page.wait_for_texts(dashboard, expected_kpis(in_range))
    assert "du=2026-11-01&au=2026-12-31" in dashboard.driver.current_url
    assert dashboard.get_logs() == []


def test_a_start_date_alone_filters_from_that_day_on(dashboard: DashComposite, deals: list[Row]) -> None:
    _type_then_click_away(dashboard, "filter-due-from", "01/12/2026")

    from_then = where(deals, lambda row: row.date_echeance is not None and row.date_echeance >= date(2026, 12, 1))
    page.wait_for_texts(dashboard, expected_kpis(from_then))
    page.wait_for_bars(dashboard, "graph-sectors", dict(sector_totals(from_then)))
    assert dashboard.find_element("#filter-due-from").get_attribute("value") == "01/12/2026"
    assert dashboard.get_logs() == []


def test_an_unreadable_typed_date_empties_the_field_and_the_filter_with_it(
    dashboard: DashComposite, deals: list[Row]
) -> None:
    """Text the picker cannot read is not left in the field as if it filtered: field and figures drop that date."""
    _type_then_click_away(dashboard, "filter-due-from", "01/12/2026")
    page.wait_for_texts(dashboard, expected_kpis(
        where(deals, lambda row: row.date_echeance is not None and row.date_echeance >= date(2026, 12, 1))))
    _type_then_click_away(dashboard, "filter-due-from", "31/02/2026")

    until(lambda: dashboard.find_element("#filter-due-from").get_attribute("value") == "", timeout=page.TIMEOUT)
    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert dashboard.get_logs() == []


def test_reset_clears_every_filter(dashboard: DashComposite, deals: list[Row]) -> None:
    page.choose(dashboard, "filter-status", option_label("Perdu", deals, lambda row: row.statut))
    page.choose(dashboard, "filter-sector", option_label("Santé", deals, lambda row: row.sector_label))
    page.wait_for_texts(dashboard, expected_kpis(where(deals, lambda r: (r.statut, r.secteur) == ("Perdu", "Santé"))))

    dashboard.find_element("#filter-reset").click()

    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert page.chosen(dashboard, "filter-status") == []
    assert page.chosen(dashboard, "filter-sector") == []
    assert dashboard.driver.execute_script("return window.location.search") == ""
    assert dashboard.get_logs() == []


FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")


def test_due_date_calendar_is_french_and_opens_over_the_charts(dashboard: DashComposite) -> None:
    """Its names come from the date-fns French locale in assets/; it opens over the funnel card, which used to
    cover its right half, next-month arrow included."""
    page.press(dashboard, "#filter-due-from")

    dashboard.wait_for_element(".dash-datepicker-calendar", timeout=page.TIMEOUT)
    weekdays, month, arrow_on_top = dashboard.driver.execute_script("""
        const arrow = document.querySelector('.dash-datepicker-month-nav[aria-label="Next month"]');
        const box = arrow.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return [[...document.querySelectorAll(".dash-datepicker-calendar th")].map((th) => th.textContent),
                document.querySelector(".dash-datepicker-controls").textContent, arrow.contains(hit)];""")
    assert weekdays == ["lu", "ma", "me", "je", "ve", "sa", "di"]
    assert any(name in month for name in FRENCH_MONTHS)
    assert arrow_on_top
    assert dashboard.get_logs() == []
