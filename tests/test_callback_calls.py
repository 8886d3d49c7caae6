"""What each interaction costs: the callback requests the browser sends, the service calls they make and the
SQL statements they cause.

The page runs in a real browser on a real database; the only addition is a counter in front of the real
service. A later change that makes an interaction rerun more than it needs fails here with the numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys
from sqlalchemy import Engine, event

import wiring
from layouts import ids
from layouts.kpis import VALUE_IDS
from services.reads import DealReads
from tests.browser import deal_form_page as form
from tests.browser import page
from tests.browser.callback_traffic import record_callback_requests
from tests.browser.conftest import dashboard_app, sqlite_copy
from tests.browser.deals import Row, deadline_rows, expected_kpis, known_deals, option_label

pytestmark = pytest.mark.browser
SERVICE_METHODS = frozenset({"kpis", "funnel", "sectors", "deadlines", "deadline_counts", "data_health",
                             "filter_options", "has_demo_data", "deal", "deal_history"})
GRID_FIRST_PAGE = f"{ids.GRID_FIRST_PAGE}.data"
ROWS_ONLY = f"{ids.TABLE_DEADLINES}.getRowsResponse"
EVERY_FIGURE = {"kpis": 1, "funnel": 1, "sectors": 1, "deadline_counts": 1, "deadlines": 1, "data_health": 1}


class CountingService:
    """The real service, with a count of each public call made on it (its own inner calls are not counted)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._service = DealReads(*args, **kwargs)
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._service, name)
        if name not in SERVICE_METHODS:
            return value

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return value(*args, **kwargs)

        return counted


@dataclass
class Meter:
    """The counters of one running page."""

    service: CountingService
    statements: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    sent: list[set[str]] = field(default_factory=list)

    def reset(self) -> None:
        self.service.calls.clear()
        self.statements.clear()
        self.requests.clear()
        self.sent.clear()

    def measure(self, dash_duo: DashComposite, interaction: Callable[[], None]) -> tuple[dict[str, int], int]:
        """Service calls and SQL statements caused by `interaction`, counted once the page is idle (the callback
        requests it sent are left in `requests`)."""
        page.wait_idle(dash_duo)
        self.reset()
        interaction()
        page.wait_idle(dash_duo)
        return dict(self.service.calls), len(self.statements)


@pytest.fixture
def deals() -> list[Row]:
    return known_deals()


@pytest.fixture
def metered(
    dash_duo: DashComposite, fixed_today: date, tmp_path: Path, _migrated_sqlite_template: Path, deals: list[Row],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[DashComposite, Meter]]:
    """The page on the known deals, with its service calls and SQL statements counted from the start."""
    services: list[CountingService] = []

    def make_service(*args: Any, **kwargs: Any) -> CountingService:
        services.append(CountingService(*args, **kwargs))
        return services[-1]

    monkeypatch.setattr(wiring, "DealReads", make_service)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "deal" in statement.lower():
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        app = dashboard_app(sqlite_copy(_migrated_sqlite_template, tmp_path), deals)
        meter = Meter(services[0], statements)
        record_callback_requests(app, meter.requests, meter.sent)
        meter.reset()
        dash_duo.start_server(app)
        dash_duo.wait_for_element("#table-deadlines .ag-row .ag-cell", timeout=page.TIMEOUT)
        yield dash_duo, meter
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_first_load_calls_each_query_once(metered: tuple[DashComposite, Meter]) -> None:
    dash_duo, meter = metered
    page.wait_idle(dash_duo)
    assert dict(meter.service.calls) == {**EVERY_FIGURE, "filter_options": 1, "has_demo_data": 1}
    assert dash_duo.get_logs() == []


def test_filter_change_calls_each_figure_query_once(metered: tuple[DashComposite, Meter], deals: list[Row]) -> None:
    dash_duo, meter = metered
    label = option_label("Industrie", deals, lambda row: row.sector_label)

    calls, _ = meter.measure(dash_duo, lambda: page.choose(dash_duo, "filter-sector", label))

    assert calls == EVERY_FIGURE
    assert len(meter.requests) == 1 and GRID_FIRST_PAGE in meter.requests[0]
    assert dash_duo.get_logs() == []


def test_chart_click_calls_each_figure_query_once(metered: tuple[DashComposite, Meter]) -> None:
    dash_duo, meter = metered

    calls, _ = meter.measure(dash_duo, lambda: page.click_bar(dash_duo, "graph-funnel", "Qualifié"))

    assert page.chosen(dash_duo, "filter-status") == ["Qualifié"]
    assert calls == EVERY_FIGURE
    assert len(meter.requests) == 1 and GRID_FIRST_PAGE in meter.requests[0]
    assert dash_duo.get_logs() == []


def test_a_change_that_selects_the_same_deals_sends_only_the_grid_page(metered: tuple[DashComposite, Meter],
                                                                      deals: list[Row]) -> None:
    dash_duo, meter = metered
    assert all("client" in row.client.lower() for row in deals)
    def kpi_texts() -> dict[str, str]:
        return {value_id: page.text(dash_duo, value_id) for value_id in VALUE_IDS}

    page.wait_idle(dash_duo)  # the figures of the first load, not the placeholders still on screen before them
    shown = kpi_texts()

    def search_every_deal() -> None:
        page.into_view(dash_duo, dash_duo.find_element(f"#{ids.FILTER_SEARCH}")).send_keys("client", Keys.ENTER)
        until(lambda: meter.sent, timeout=page.TIMEOUT)

    calls, _ = meter.measure(dash_duo, search_every_deal)

    assert calls == EVERY_FIGURE
    assert meter.sent == [{GRID_FIRST_PAGE}]
    assert kpi_texts() == shown
    assert dash_duo.get_logs() == []


def test_grid_paging_runs_only_the_deadline_rows_query(metered: tuple[DashComposite, Meter], deals: list[Row]) -> None:
    dash_duo, meter = metered

    def next_page() -> None:
        page.press(dash_duo, '.ag-paging-button[aria-label="Page suivante"]')
        page.wait_for_grid(dash_duo, "client", [row.client for row in deadline_rows(deals)[10:20]])

    calls, statements = meter.measure(dash_duo, next_page)

    assert calls == {"deadlines": 1}
    assert statements == 1
    assert meter.requests == [ROWS_ONLY]
    assert dash_duo.get_logs() == []


def test_grid_sorting_runs_only_the_deadline_rows_query(metered: tuple[DashComposite, Meter]) -> None:
    dash_duo, meter = metered

    calls, statements = meter.measure(
        dash_duo, lambda: page.press(dash_duo, '.ag-header-cell[col-id="client"] .ag-header-cell-label'))

    assert calls == {"deadlines": 1}
    assert statements == 1
    assert meter.requests == [ROWS_ONLY]
    assert dash_duo.get_logs() == []


def test_scope_switch_runs_only_the_deadline_rows_query(metered: tuple[DashComposite, Meter]) -> None:
    dash_duo, meter = metered

    calls, statements = meter.measure(dash_duo, lambda: page.choose_scope(dash_duo, "En retard"))

    assert calls == {"deadlines": 1}
    assert statements == 1
    assert meter.requests == [ROWS_ONLY]
    assert dash_duo.get_logs() == []


def test_a_save_makes_one_write_then_runs_each_figure_query_once(metered: tuple[DashComposite, Meter]) -> None:
    dash_duo, meter = metered
    form.open_new(dash_duo)
    form.type_into(dash_duo, "client", "Nouveau client")

    def save() -> None:
        page.press(dash_duo, f"#{ids.DEAL_SAVE}")
        form.wait_closed(dash_duo)

    calls, _ = meter.measure(dash_duo, save)

    writes = [statement for statement in meter.statements
              if statement.lstrip().upper().startswith(("INSERT INTO DEALS", "UPDATE DEALS", "DELETE FROM DEALS"))]
    assert len(writes) == 1
    # The new data version redraws every figure (one query each), the filter options and the demo badge.
    assert calls == {**EVERY_FIGURE, "filter_options": 1, "has_demo_data": 1}
    assert dash_duo.get_logs() == []


def test_an_amount_edit_sends_back_only_what_it_changed(metered: tuple[DashComposite, Meter],
                                                        deals: list[Row]) -> None:
    """A new amount changes the figures, not the filter options (their counts), the import history or the demo
    badge: those are read again with the new data version but answered as unchanged, so the browser does not
    store and redraw them."""
    dash_duo, meter = metered
    first = deadline_rows(deals)[0]
    form.open_row(dash_duo, first.client)
    form.type_into(dash_duo, "montant_brut", "99 000")
    changed = [replace(row, montant_brut=Decimal("99000.00")) if row.id == first.id else row for row in deals]

    def save() -> None:
        page.press(dash_duo, f"#{ids.DEAL_SAVE}")
        form.wait_closed(dash_duo)
        page.wait_for_texts(dash_duo, expected_kpis(changed))

    calls, _ = meter.measure(dash_duo, save)

    assert calls["filter_options"] == 1 and calls["has_demo_data"] == 1
    answered = set().union(*meter.sent)
    followers = {f"{ids.FILTER_STATUS}.options", f"{ids.FILTER_SECTOR}.options", f"{ids.FILTER_ASSIGNEE}.options",
                 f"{ids.IMPORT_HISTORY}.rowData", f"{ids.DEMO_BADGE}.style", f"{ids.DEMO_REMOVE}.style"}
    assert answered & followers == set()
    assert f"{ids.GRAPH_FUNNEL}.figure" in answered
    assert dash_duo.get_logs() == []


def test_opening_a_deal_sends_one_request(metered: tuple[DashComposite, Meter], deals: list[Row]) -> None:
    """A click on a grid row asks the server once (the form with the deal, its history and the options); the
    form's step buttons appearing in the page set off no request of their own."""
    dash_duo, meter = metered
    first = deadline_rows(deals)[0]

    calls, _ = meter.measure(dash_duo, lambda: form.open_row(dash_duo, first.client))

    assert calls == {"deal": 1, "deal_history": 1, "filter_options": 1}
    assert len(meter.requests) == 1 and f"{ids.DEAL_FORM}.is_open" in meter.requests[0]
    assert dash_duo.get_logs() == []
