"""A click on a sector bar or a funnel step toggles it in its filter; everything follows; reset clears it."""

from __future__ import annotations

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until

from tests.browser import page
from tests.browser.deals import Row, expected_kpis, funnel_values, where

pytestmark = pytest.mark.browser
DIMMED = "rgba(37, 99, 235, 0.25)"


def _colours(dash_duo: DashComposite, graph_id: str) -> dict[str, str]:
    trace = page.figure_data(dash_duo, graph_id)[0]
    return dict(zip(trace["y"], trace["colors"], strict=True))


def test_sector_bar_click_filters_everything_and_second_click_undoes_it(
    dashboard: DashComposite, deals: list[Row]
) -> None:
    page.click_bar(dashboard, "graph-sectors", "Industrie")

    industry = where(deals, lambda row: row.secteur == "Industrie")
    page.wait_for_texts(dashboard, expected_kpis(industry))
    page.wait_for_bars(dashboard, "graph-funnel", funnel_values(industry))
    assert page.chosen(dashboard, "filter-sector") == ["Industrie"]
    until(lambda: _colours(dashboard, "graph-sectors")["Industrie"] != DIMMED, timeout=page.TIMEOUT)
    highlighted = {label for label, colour in _colours(dashboard, "graph-sectors").items() if colour != DIMMED}
    assert highlighted == {"Industrie"}

    page.click_bar(dashboard, "graph-sectors", "Industrie")

    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert page.chosen(dashboard, "filter-sector") == []
    assert DIMMED not in _colours(dashboard, "graph-sectors").values()
    assert dashboard.get_logs() == []


def test_funnel_click_filters_everything_and_reset_clears_it(dashboard: DashComposite, deals: list[Row]) -> None:
    page.click_bar(dashboard, "graph-funnel", "Négociation")

    page.wait_for_texts(dashboard, expected_kpis(where(deals, lambda row: row.statut == "Négociation")))
    assert page.chosen(dashboard, "filter-status") == ["Négociation"]
    dimmed = [label for label, colour in _colours(dashboard, "graph-funnel").items() if colour.startswith("rgba")]
    assert dimmed == ["Prospect", "Qualifié", "Gagné"]

    page.click_bar(dashboard, "graph-funnel", "Gagné")
    page.wait_for_texts(dashboard, expected_kpis(where(deals, lambda row: row.statut in ("Négociation", "Gagné"))))

    dashboard.find_element("#filter-reset").click()

    page.wait_for_texts(dashboard, expected_kpis(deals))
    assert page.chosen(dashboard, "filter-status") == []
    until(lambda: not any(c.startswith("rgba") for c in _colours(dashboard, "graph-funnel").values()), timeout=5)
    assert dashboard.get_logs() == []


def test_a_click_adds_the_clicked_label_and_a_second_click_removes_it(dashboard: DashComposite) -> None:
    def toggled(click: dict | None, chosen: list[str] | None) -> list[str] | None:
        return dashboard.driver.execute_script(
            "return window.dash_clientside.crm.toggledLabel(arguments[0], arguments[1])", click, chosen)

    click = {"points": [{"y": "Banque", "x": 5000, "curveNumber": 0}]}
    assert toggled(click, ["Santé"]) == ["Santé", "Banque"]
    assert toggled(click, ["Santé", "Banque"]) == ["Santé"]
    assert toggled(click, None) == ["Banque"]
    assert toggled(None, ["Santé"]) is None
    assert toggled({"points": []}, []) is None
    assert dashboard.get_logs() == []
