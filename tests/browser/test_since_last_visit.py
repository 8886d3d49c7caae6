"""'Depuis votre dernière visite': closed on a first visit; on the next one, the deals created, moved, won and lost
since, and the pipeline's change; "Rien de nouveau" when nothing moved; closed with its cross."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException

from tests.browser import page
from tests.browser.deals import NBSP, Row, french_count, french_euros

pytestmark = pytest.mark.browser
PANEL = "#since-last-visit"


def panel_text(dash_duo: DashComposite) -> str | None:
    """The panel's text as read on screen (WebDriver gives no-break spaces as plain ones), "" when closed, None
    while it is being redrawn (read again)."""
    try:
        shown = dash_duo.driver.find_elements("css selector", PANEL)
        return shown[0].text if shown and shown[0].is_displayed() else ""
    except StaleElementReferenceException:
        return None


def _visit_again(dash_duo: DashComposite, previous: datetime | None = None) -> None:
    """Reload the page, as a visit after `previous` (UTC) when given, else after the last page load."""
    if previous is not None:
        stored = previous.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        dash_duo.driver.execute_script(f"window.localStorage.setItem('last-visit', JSON.stringify('{stored}'));")
    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#table-deadlines .ag-row .ag-cell", timeout=page.TIMEOUT)


def _paris(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y à %H:%M")


def test_a_first_visit_shows_no_panel_and_the_next_one_says_what_changed(dashboard: DashComposite,
                                                                         deals: list[Row]) -> None:
    page.wait_idle(dashboard)
    assert panel_text(dashboard) == ""

    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    _visit_again(dashboard, an_hour_ago)

    weighted = sum((row.weighted for row in deals), Decimal(0))
    latest = [row.client for row in sorted(deals, key=lambda row: row.id, reverse=True)[:5]]
    expected = [f"Depuis votre dernière visite, le {_paris(an_hour_ago)} :",
                f"{french_count(len(deals))} deals créés : {', '.join(latest)}…",
                f"Pipeline pondéré : {french_euros(weighted)} (+{french_euros(weighted)})".replace(NBSP, " ")]
    until(lambda: (panel_text(dashboard) or "").splitlines() == expected, timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []


def test_nothing_new_says_so_and_the_cross_closes_it(dashboard: DashComposite) -> None:
    page.wait_idle(dashboard)
    load_time = datetime.now(UTC)
    _visit_again(dashboard)

    until(lambda: (panel_text(dashboard) or "").startswith("Rien de nouveau depuis le "), timeout=page.TIMEOUT)
    shown = (panel_text(dashboard) or "").removeprefix("Rien de nouveau depuis le ").rstrip(".")
    assert abs(datetime.strptime(shown, "%d/%m/%Y à %H:%M").replace(tzinfo=ZoneInfo("Europe/Paris"))
               - load_time) < timedelta(minutes=2)

    page.press(dashboard, f"{PANEL} .btn-close")
    until(lambda: panel_text(dashboard) == "", timeout=page.TIMEOUT)
    assert dashboard.get_logs() == []
