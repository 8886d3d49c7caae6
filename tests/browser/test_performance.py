"""The performance page in Chromium, on deals with a known history: each chart's values, the salesperson click
that filters both pages, the what-if sliders and preset, and the selection kept in the URL across pages.

Expectations come from tests/service/known_history.py (a walk of the scripted moves in plain Python) and the
French formats from tests/browser/deals.py, written out by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from dash import Dash
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from app import create_app
from data.db import make_engine
from services import performance_queries, trend_queries
from services.cache import VersionedCache
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from tests.browser import page
from tests.browser.callback_traffic import record_callback_requests
from tests.browser.conftest import sqlite_copy
from tests.browser.deals import NBSP, french_count, french_euros
from tests.service.known_deals import Selection
from tests.service.known_history import (
    ScriptedDeal,
    expected_by_person,
    expected_forecast,
    expected_movement,
    expected_person,
    expected_trend,
    make_history,
    shift_month,
    write_history,
)
from wiring import make_cache_backend

pytestmark = pytest.mark.browser
HISTORY = make_history()
CAMILLE = "Camille Martin"
FRENCH_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
TRACES = ("const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');"
          "return plot && plot.data ? plot.data.map(t => ({name: t.name, x: t.x, y: t.y, text: t.text})) : [];")


def performance_app(fixed_today: date, tmp_path: Path, template: Path) -> Dash:
    """The app on a copy of the migrated database holding the known history."""
    url = sqlite_copy(template, tmp_path)
    app = create_app(Settings(database_url=url, demo_data=False, cache_type="simple"))
    engine = make_engine(url)
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    write_history(engine, DealReads(engine, cache, today=lambda: fixed_today), DealWrites(engine, cache), HISTORY)
    engine.dispose()
    return app


@pytest.fixture
def performance_page(dash_duo: DashComposite, fixed_today: date, tmp_path: Path,
                     _migrated_sqlite_template: Path) -> DashComposite:
    """/performance open on the known history, every output drawn."""
    dash_duo.start_server(performance_app(fixed_today, tmp_path, _migrated_sqlite_template))
    return open_performance(dash_duo)


def open_performance(dash_duo: DashComposite, query: str = "") -> DashComposite:
    dash_duo.driver.get(f"{dash_duo.server_url}/performance{query}")
    dash_duo.wait_for_element("#table-assignees .ag-row", timeout=page.TIMEOUT)
    page.wait_idle(dash_duo)
    return dash_duo


def traces(dash_duo: DashComposite, graph_id: str) -> list[dict]:
    return dash_duo.driver.execute_script(TRACES, f"#{graph_id}")


def of(name: str | None) -> list[ScriptedDeal]:
    return [item for item in HISTORY if name is None or item.deal.assignee == name]


def french_days(value: Decimal) -> str:
    shown = f"{value.quantize(Decimal('0.1'))}".replace(".", ",")
    return f"{shown}{NBSP}jour{'s' if value.quantize(Decimal('0.1')) > 1 else ''}"


def french_rate(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}".replace(".", ",") + f"{NBSP}%"


def expected_velocity(figures: dict) -> Decimal | None:
    closed = figures["won"] + figures["lost"]
    if not closed or figures["average_deal"] is None or not figures["average_cycle_days"]:
        return None
    win = Decimal(figures["won"]) / closed
    return figures["open_deals"] * figures["average_deal"] * win / figures["average_cycle_days"]


def camille_velocity() -> str:
    return french_euros(expected_velocity(expected_person(of(CAMILLE))))


def month_label(day: date) -> str:
    return f"{FRENCH_MONTHS[day.month - 1]} {day.year}"


def test_velocity_and_its_levers_are_the_selection_s(performance_page: DashComposite) -> None:
    figures = expected_person(HISTORY)
    closed = figures["won"] + figures["lost"]
    page.wait_for_texts(performance_page, {"kpi-velocity": french_euros(expected_velocity(figures))})
    levers = performance_page.find_element("#velocity-levers").get_attribute("textContent")
    assert f"Deals ouverts : {french_count(figures['open_deals'])}" in levers
    assert f"Panier moyen : {french_euros(figures['average_deal'])}" in levers
    assert f"Taux de gain : {french_rate(Decimal(figures['won']) / closed)}" in levers
    assert f"Cycle moyen : {french_days(figures['average_cycle_days'])}" in levers
    assert performance_page.get_logs() == []


def test_each_salesperson_has_their_bars_and_grid_row(performance_page: DashComposite) -> None:
    expected = expected_by_person(HISTORY)
    order = sorted(expected, key=lambda name: (-expected[name]["open_gross"], name))
    weighted, gross = traces(performance_page, "graph-assignees")
    assert weighted["y"] == order == gross["y"]
    assert [Decimal(str(x)).quantize(Decimal("0.01")) for x in weighted["x"]] == [
        expected[name]["open_weighted"] for name in order]
    assert weighted["text"] == [french_euros(expected[name]["open_weighted"]) for name in order]
    assert gross["text"] == [french_euros(expected[name]["open_gross"]) for name in order]
    grid = dict(zip(assignee_column(performance_page, "assignee"), assignee_column(performance_page, "win_rate"),
                    strict=True))
    for name in order:
        closed = expected[name]["won"] + expected[name]["lost"]
        assert grid[name] == (french_rate(Decimal(expected[name]["won"]) / closed) if closed else "—")
    assert performance_page.get_logs() == []


def assignee_column(dash_duo: DashComposite, field: str) -> list[str]:
    """One column of the salesperson grid, top to bottom."""
    return page.grid_column(dash_duo, field, grid="table-assignees")


CUT_GRID_TEXTS = """return [...document.querySelectorAll(
    '#table-assignees .ag-cell, #table-assignees .ag-header-cell-text')]
    .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => cell.textContent);"""
SHOWN_NAMES = """const box = document.querySelector('#table-assignees').getBoundingClientRect();
    return [...document.querySelectorAll('#table-assignees .ag-row [col-id="assignee"]')]
    .filter(cell => { const r = cell.getBoundingClientRect(); return r.left >= box.left && r.right <= box.right; })
    .map(cell => cell.textContent);"""


def test_a_laptop_shows_every_salesperson_figure_whole(performance_page: DashComposite) -> None:
    """At 1440 px, no name, amount or header of the salesperson grid is cut short ("3 522 43…")."""
    performance_page.driver.set_window_size(1440, 900)
    page.wait_idle(performance_page)

    until(lambda: assignee_column(performance_page, "assignee") and not performance_page.driver.execute_script(
        CUT_GRID_TEXTS), timeout=page.TIMEOUT)
    assert performance_page.get_logs() == []


def test_a_phone_keeps_the_names_in_view_beside_the_figures(performance_page: DashComposite) -> None:
    """At 390 px the grid scrolls its figures sideways; the names stay, whole, at the left."""
    performance_page.driver.set_window_size(390, 844)
    page.wait_idle(performance_page)
    names = sorted(assignee_column(performance_page, "assignee"))
    assert len(names) > 1

    performance_page.driver.execute_script("dash_ag_grid.getApi('table-assignees').ensureColumnVisible('stale');")

    until(lambda: sorted(performance_page.driver.execute_script(SHOWN_NAMES)) == names, timeout=page.TIMEOUT)
    assert not [text for text in performance_page.driver.execute_script(CUT_GRID_TEXTS) if text in names]
    assert performance_page.get_logs() == []


def test_a_salesperson_without_closed_deal_shows_dashes_not_zero(performance_page: DashComposite) -> None:
    open_performance(performance_page, "?statut=prospect")
    until(lambda: set(assignee_column(performance_page, "win_rate")) == {"—"}, timeout=page.TIMEOUT)
    assert set(assignee_column(performance_page, "average_cycle_days")) == {"—"}
    page.wait_for_texts(performance_page, {"kpi-velocity": "—"})
    levers = performance_page.find_element("#velocity-levers").get_attribute("textContent")
    assert "Cycle moyen : — (aucun deal gagné avec historique)" in levers and "Taux de gain : —" in levers
    assert performance_page.get_logs() == []


def test_the_forecast_stacks_open_deals_by_month_beside_the_won_record(performance_page: DashComposite) -> None:
    cells, won, _undated = expected_forecast(HISTORY)
    drawn = {trace["name"]: trace for trace in traces(performance_page, "graph-forecast")}
    months = [shift_month(date(2026, 11, 21), shift) for shift in range(12)]
    buckets = ["En retard", *(f"{m:%Y-%m}" for m in months)]
    assert drawn["Pondéré – Négociation"]["x"] == ["En retard", *(month_label(m) for m in months)]
    for stage in ("Prospect", "Qualifié", "Négociation"):
        values = [Decimal(str(v)).quantize(Decimal("0.01")) for v in drawn[f"Pondéré – {stage}"]["y"]]
        assert values == [cells.get((bucket, stage), (0, Decimal(0), Decimal("0.00")))[2] for bucket in buckets]
    gross = [Decimal(str(v)).quantize(Decimal("0.01")) for v in drawn["Montant brut"]["y"]]
    assert gross == [sum((cells[key][1] for key in cells if key[0] == bucket), Decimal("0.00")) for bucket in buckets]
    past = [shift_month(date(2026, 11, 21), shift) for shift in range(-11, 1)]
    record = drawn["Gagné (12 derniers mois)"]
    assert record["x"] == [month_label(m) for m in past]
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in record["y"]] == [
        won.get(f"{m:%Y-%m}", Decimal("0.00")) for m in past]
    assert performance_page.get_logs() == []


def test_stage_movement_shows_the_shares_of_the_last_twelve_months(performance_page: DashComposite) -> None:
    expected = expected_movement(HISTORY, date(2025, 12, 1), date(2026, 11, 30))  # 12 calendar months to today's end
    advanced, lost = traces(performance_page, "graph-stage-conversion")
    for index, stage in enumerate(("Prospect", "Qualifié", "Négociation")):
        entered, went_on, went_lost, days = expected[stage]
        assert advanced["text"][index] == (french_rate(Decimal(went_on) / entered) if entered else "—")
        assert lost["text"][index] == (french_rate(Decimal(went_lost) / entered) if entered else "—")
        assert advanced["x"][index] == (f"{stage}<br>{french_count(entered)} entrées<br>"
                                        f"{french_days(days) if days is not None else 'durée —'}")
    note = "Les deals sans historique (importés avant le suivi des changements) comptent depuis leur date de création"
    assert note in performance_page.find_element("#graph-stage-conversion").find_element(
        "xpath", "..").get_attribute("textContent")
    assert performance_page.get_logs() == []


def test_the_preset_and_the_sliders_project_velocity_and_pipeline(performance_page: DashComposite) -> None:
    figures = expected_person(HISTORY)
    today = expected_velocity(figures)
    page.press(performance_page, "#whatif-preset")
    page.wait_for_texts(performance_page, {"whatif-velocity": french_euros(today * Decimal("1.1")),
                                           "whatif-pipeline": french_euros(figures["open_weighted"] * Decimal("1.1"))})
    cycle = performance_page.find_element("#whatif-cycle input")
    page.into_view(performance_page, cycle)
    cycle.send_keys(Keys.CONTROL, "a")
    cycle.send_keys("-20", Keys.ENTER)
    page.wait_for_texts(performance_page, {"whatif-velocity": french_euros(today * Decimal("1.1") / Decimal("0.8")),
                                           "whatif-pipeline": french_euros(figures["open_weighted"] * Decimal("1.1"))})
    assert performance_page.get_logs() == []


def test_a_click_on_a_salesperson_filters_both_pages(performance_page: DashComposite) -> None:
    page.click_bar(performance_page, "graph-assignees", CAMILLE)

    until(lambda: page.chosen(performance_page, "filter-assignee") == [CAMILLE], timeout=page.TIMEOUT)
    page.wait_for_texts(performance_page, {"kpi-velocity": camille_velocity()})
    until(lambda: assignee_column(performance_page, "assignee") == [CAMILLE], timeout=page.TIMEOUT)
    page.press(performance_page, "#nav-dashboard")

    page.wait_for_texts(performance_page, {"kpi-deal-count": french_count(len(of(CAMILLE)))})
    assert page.chosen(performance_page, "filter-assignee") == [CAMILLE]
    assert performance_page.get_logs() == []


def weekly(dash_duo: DashComposite) -> list[tuple[int, Decimal]]:
    """The trend's (open deals, weighted value) per week, as drawn; nothing until both traces are there."""
    drawn = {trace["name"]: trace for trace in traces(dash_duo, "graph-trend")}
    if set(drawn) != {"Deals ouverts", "Pipeline pondéré"}:
        return []
    return [(count, Decimal(str(value)).quantize(Decimal("0.01")))
            for count, value in zip(drawn["Deals ouverts"]["y"], drawn["Pipeline pondéré"]["y"], strict=True)]


def test_the_trend_shows_each_week_s_open_pipeline_and_follows_a_salesperson_click(
        performance_page: DashComposite) -> None:
    until(lambda: weekly(performance_page) == expected_trend(HISTORY, Selection()), timeout=page.TIMEOUT)
    monday = date(2026, 11, 16)  # the week of 21/11/2026
    assert traces(performance_page, "graph-trend")[0]["x"][-2:] == [f"{monday - timedelta(weeks=1):%d/%m}",
                                                                    f"{monday:%d/%m}"]
    page.click_bar(performance_page, "graph-assignees", CAMILLE)
    until(lambda: weekly(performance_page) == expected_trend(HISTORY, Selection(assignees=(CAMILLE,))),
          timeout=page.TIMEOUT)
    assert weekly(performance_page)[-1][1] == expected_by_person(HISTORY)[CAMILLE]["open_weighted"]
    assert performance_page.get_logs() == []


def test_the_url_keeps_the_selection_across_pages_and_on_reload(performance_page: DashComposite) -> None:
    query = f"?{urlencode({'commercial': CAMILLE})}"
    open_performance(performance_page, query)
    until(lambda: page.chosen(performance_page, "filter-assignee") == [CAMILLE], timeout=page.TIMEOUT)

    page.press(performance_page, "#nav-dashboard")
    page.wait_for_texts(performance_page, {"kpi-deal-count": french_count(len(of(CAMILLE)))})
    assert performance_page.driver.execute_script("return location.pathname + location.search") == f"/{query}"

    performance_page.driver.refresh()
    page.wait_for_texts(performance_page, {"kpi-deal-count": french_count(len(of(CAMILLE)))})
    page.press(performance_page, "#nav-performance")
    page.wait_for_texts(performance_page, {"kpi-velocity": camille_velocity()})
    assert performance_page.driver.execute_script("return location.pathname + location.search") == (
        f"/performance{query}")
    assert page.chosen(performance_page, "filter-assignee") == [CAMILLE]
    assert performance_page.get_logs() == []


QUERIES = ((performance_queries, "assignee_figures"), (performance_queries, "forecast_cells"),
           (performance_queries, "won_by_month"), (performance_queries, "stage_movement"),
           (trend_queries, "pipeline_trend"))
PAGE_OUTPUTS = {"graph-assignees.figure", "table-assignees.rowData", "kpi-velocity.children",
                "velocity-levers.children", "levers-store.data", "graph-forecast.figure", "graph-trend.figure",
                "graph-stage-conversion.figure"}
WHATIF_TEXTS = {"whatif-velocity.children", "whatif-velocity-now.children", "whatif-pipeline.children",
                "whatif-pipeline-now.children"}


@dataclass
class Traffic:
    """What the page's interactions cost: each callback request's outputs, each answer's updated outputs, and the
    calls of the page's SQL queries."""

    requests: list[str] = field(default_factory=list)
    sent: list[set[str]] = field(default_factory=list)
    queries: Counter[str] = field(default_factory=Counter)

    @property
    def asked(self) -> list[set[str]]:
        """Each request's outputs, as `id.prop` strings."""
        return [set(outputs.strip(".").split("...")) for outputs in self.requests]

    def clear(self) -> None:
        self.requests.clear()
        self.sent.clear()
        self.queries.clear()


def metered_app(app: Dash, monkeypatch: pytest.MonkeyPatch) -> Traffic:
    """Note `app`'s callback requests and answers, and count the performance queries it runs."""
    traffic = Traffic()
    record_callback_requests(app, traffic.requests, traffic.sent)
    for module, name in QUERIES:
        monkeypatch.setattr(module, name, _counting(traffic.queries, name, getattr(module, name)))
    return traffic


def _counting(calls: Counter[str], name: str, query: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return query(*args, **kwargs)

    return counted


@pytest.fixture
def metered_page(dash_duo: DashComposite, fixed_today: date, tmp_path: Path, _migrated_sqlite_template: Path,
                 monkeypatch: pytest.MonkeyPatch) -> tuple[DashComposite, Traffic]:
    """/performance open on the known history and drawn, its traffic counted from then on."""
    app = performance_app(fixed_today, tmp_path, _migrated_sqlite_template)
    traffic = metered_app(app, monkeypatch)
    dash_duo.start_server(app)
    open_performance(dash_duo)
    traffic.clear()
    return dash_duo, traffic


def test_a_filter_change_costs_one_request_that_answers_every_figure(
        metered_page: tuple[DashComposite, Traffic]) -> None:
    """One request answers every figure, the velocity, its levers and the what-if projected from them (not a
    request the levers' arrival would set off); each query of the page runs once."""
    dash_duo, traffic = metered_page
    page.into_view(dash_duo, dash_duo.find_element("#filter-status"))
    dash_duo.select_dcc_dropdown("#filter-status", index=0)  # the first stage
    page.wait_idle(dash_duo)

    assert len(traffic.asked) == 1 and traffic.asked[0] >= PAGE_OUTPUTS | WHATIF_TEXTS
    assert {"levers-store.data", *WHATIF_TEXTS} <= traffic.sent[0]
    assert traffic.queries == {name: 1 for _module, name in QUERIES}
    assert dash_duo.get_logs() == []


def test_a_period_pick_sends_the_stage_movement_alone(metered_page: tuple[DashComposite, Traffic]) -> None:
    """The other figures do not depend on the period: they are neither read again nor sent again, so Plotly
    redraws one chart."""
    dash_duo, traffic = metered_page
    start = date(2026, 6, 1)
    field_ = page.into_view(dash_duo, dash_duo.find_element("#stage-period-from"))
    field_.click()
    field_.send_keys(Keys.CONTROL, "a")
    field_.send_keys(start.strftime("%d/%m/%Y"), Keys.ENTER)
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)

    entered = expected_movement(HISTORY, start, date(2026, 11, 30))["Prospect"][0]
    until(lambda: traces(dash_duo, "graph-stage-conversion")[0]["x"][0].startswith(
        f"Prospect<br>{french_count(entered)} entrées"), timeout=page.TIMEOUT)
    page.wait_idle(dash_duo)
    assert len(traffic.asked) == 1
    assert traffic.sent[0] & PAGE_OUTPUTS == {"graph-stage-conversion.figure"}
    assert traffic.queries == {"stage_movement": 1}
    assert dash_duo.get_logs() == []
