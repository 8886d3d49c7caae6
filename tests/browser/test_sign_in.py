"""With AUTH=on, in Chromium: the sign-in page first, then the dashboard with its figures, then signing out; and
a read-only account sees no control that writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from sqlalchemy import update

from app import create_app
from data.db import make_engine
from data.models import User
from layouts import ids
from services.accounts import Accounts
from settings import Settings
from tests.browser import deal_form_page as form
from tests.browser import page
from tests.browser.deals import Row, deadline_rows, expected_kpis, insert_deals
from tests.browser.test_since_last_visit import panel_text

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe solide"


def _open_team_page(dash_duo: DashComposite, sqlite_url: str, deals: list[Row]) -> None:
    """The app with AUTH=on on the known deals, an admin and a read-only account, the browser on its sign-in."""
    engine = make_engine(sqlite_url)
    app = create_app(Settings(database_url=sqlite_url, demo_data=False, cache_type="simple", auth=True,
                              secret_key="k" * 48))
    insert_deals(engine, deals)
    accounts = Accounts(engine)
    accounts.add("camille@exemple.fr", "Camille Martin", "admin", PASSWORD)
    accounts.add("lou", "Lou Lecteur", "lecture", PASSWORD)
    engine.dispose()
    dash_duo.start_server(app, navigate=False)  # no Dash page to wait for: the sign-in form comes first
    dash_duo.driver.get(dash_duo.server.url)


def _sign_in(dash_duo: DashComposite, login: str, password: str) -> None:
    field = dash_duo.wait_for_element("#login", timeout=page.TIMEOUT)
    field.clear()
    field.send_keys(login)
    dash_duo.find_element("#password").send_keys(password)
    dash_duo.find_element("button[type=submit]").click()


def test_sign_in_then_the_dashboard_then_sign_out(dash_duo: DashComposite, fixed_today: date, sqlite_url: str,
                                                  deals: list[Row]) -> None:
    _open_team_page(dash_duo, sqlite_url, deals)

    _sign_in(dash_duo, "camille@exemple.fr", "pas le bon")
    dash_duo.wait_for_text_to_equal("#login-message", "Identifiant ou mot de passe incorrect.", timeout=page.TIMEOUT)
    _sign_in(dash_duo, "camille@exemple.fr", PASSWORD)

    page.wait_for_texts(dash_duo, expected_kpis(deals))
    assert dash_duo.find_element(f"#{ids.DEAL_NEW}").is_displayed()
    assert dash_duo.find_element(f"#{ids.ADMIN_LINK}").get_attribute("href").endswith("/admin/comptes")
    page.press(dash_duo, f"#{ids.SIGN_OUT} button")
    dash_duo.wait_for_element("#login", timeout=page.TIMEOUT)
    assert "/login" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_a_read_only_account_sees_no_control_that_writes(dash_duo: DashComposite, fixed_today: date,
                                                        sqlite_url: str, deals: list[Row]) -> None:
    _open_team_page(dash_duo, sqlite_url, deals)
    _sign_in(dash_duo, "lou", PASSWORD)
    page.wait_for_texts(dash_duo, expected_kpis(deals))

    assert not dash_duo.find_element(f"#{ids.DEAL_NEW}").is_displayed()
    assert not dash_duo.find_element(f"#{ids.UPLOAD_CSV}").is_displayed()
    assert dash_duo.driver.find_elements("css selector", f"#{ids.ADMIN_LINK}") == []
    editable = dash_duo.driver.execute_script(
        "return dash_ag_grid.getApi(arguments[0]).getColumnDefs().filter(c => c.editable).length;", ids.TABLE_DEADLINES)
    assert editable == 0
    form.open_row(dash_duo, deadline_rows(deals)[0].client)
    for action in (ids.DEAL_SAVE, ids.DEAL_WON, ids.DEAL_LOST, ids.DEAL_DELETE):
        assert not dash_duo.find_element(f"#{action}").is_displayed(), action
    assert dash_duo.get_logs() == []


def test_since_the_last_visit_is_the_account_s_not_the_browser_s(dash_duo: DashComposite, fixed_today: date,
                                                                  sqlite_url: str, deals: list[Row]) -> None:
    """Signed in, the panel's period starts at the account's last visit, whatever the browser remembers."""
    _open_team_page(dash_duo, sqlite_url, deals)
    _sign_in(dash_duo, "camille@exemple.fr", PASSWORD)
    page.wait_for_texts(dash_duo, expected_kpis(deals))
    page.wait_idle(dash_duo)
    assert panel_text(dash_duo) == ""  # the account's first visit

    an_hour_ago = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(update(User).where(User.login == "camille@exemple.fr").values(last_visit_at=an_hour_ago))
    engine.dispose()
    dash_duo.driver.execute_script("window.localStorage.setItem('last-visit', JSON.stringify('2026-01-01T08:00:00Z'));")
    dash_duo.driver.refresh()

    shown = an_hour_ago.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y à %H:%M")
    until(lambda: (panel_text(dash_duo) or "").startswith(f"Depuis votre dernière visite, le {shown} :"),
          timeout=page.TIMEOUT)
    assert dash_duo.get_logs() == []
