"""Sector names are data: a name written as HTML is shown as text in the charts, never run as a link or a
style, and a click on its bar still filters on the name itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from layouts.figures import short_label
from tests.browser import page
from tests.browser.conftest import dashboard_app
from tests.browser.deals import Row, expected_kpis, known_deals, where

pytestmark = pytest.mark.browser
LINK = '<a xlink:href="https://evil.example">A & B</a>'
STYLED = '<span style="font-size:40px">Rouge</span>'


def _escaped(label: str) -> str:
    return label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _hostile_deals() -> list[Row]:
    deals = known_deals()
    return [replace(row, secteur=LINK if row.id % 3 == 0 else STYLED if row.id % 3 == 1 else row.secteur)
            for row in deals]


def test_html_in_a_sector_name_is_shown_as_text_and_still_filters(dash_duo: DashComposite, fixed_today: date,
                                                                  sqlite_url: str) -> None:
    deals = _hostile_deals()
    dash_duo.start_server(dashboard_app(sqlite_url, deals))
    page.wait_for_texts(dash_duo, expected_kpis(deals))
    tick_texts = ("return [...document.querySelectorAll(arguments[0] + ' .ytick text')]"
                  ".map(t => t.textContent.trim());")
    for graph in ("graph-sectors", "graph-top-sectors"):
        until(lambda graph=graph: short_label(LINK) in dash_duo.driver.execute_script(tick_texts, f"#{graph}"),
              timeout=page.TIMEOUT)
        assert short_label(STYLED) in dash_duo.driver.execute_script(tick_texts, f"#{graph}")
        assert dash_duo.driver.execute_script(
            "return document.querySelectorAll(arguments[0] + ' svg a').length;", f"#{graph}") == 0
        sizes = dash_duo.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0] + ' svg text, ' + arguments[0] + ' svg tspan')]"
            ".map(t => parseFloat(getComputedStyle(t).fontSize));", f"#{graph}")
        assert max(sizes) < 20

    page.click_bar(dash_duo, "graph-sectors", _escaped(LINK))

    page.wait_for_texts(dash_duo, expected_kpis(where(deals, lambda row: row.secteur == LINK)))
    assert page.chosen(dash_duo, "filter-sector") == [LINK]
    assert dash_duo.get_logs() == []
