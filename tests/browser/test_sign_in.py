"""With AUTH=on, in Chromium: the sign-in page first, then the dashboard with its figures, then signing out."""

from __future__ import annotations

from datetime import date

import pytest
from dash.testing.composite import DashComposite

from app import create_app
from data.db import make_engine
from layouts import ids
from services.accounts import Accounts
from settings import Settings
from tests.browser import page
from tests.browser.deals import Row, expected_kpis, insert_deals

pytestmark = pytest.mark.browser
PASSWORD = "un mot de passe solide"


def test_sign_in_then_the_dashboard_then_sign_out(dash_duo: DashComposite, fixed_today: date, sqlite_url: str,
                                                  deals: list[Row]) -> None:
    engine = make_engine(sqlite_url)
    app = create_app(Settings(database_url=sqlite_url, demo_data=False, cache_type="simple", auth=True,
                              secret_key="k" * 48))
    insert_deals(engine, deals)
    Accounts(engine).add("camille@exemple.fr", "Camille Martin", "admin", PASSWORD)
    engine.dispose()
    dash_duo.start_server(app, navigate=False)  # no Dash page to wait for: the sign-in form comes first
    dash_duo.driver.get(dash_duo.server.url)

    dash_duo.wait_for_element("#login", timeout=page.TIMEOUT).send_keys("camille@exemple.fr")
    dash_duo.find_element("#password").send_keys("pas le bon")
    dash_duo.find_element("button[type=submit]").click()
    dash_duo.wait_for_text_to_equal("#login-message", "Identifiant ou mot de passe incorrect.", timeout=page.TIMEOUT)
    dash_duo.find_element("#password").send_keys(PASSWORD)
    dash_duo.find_element("button[type=submit]").click()

    page.wait_for_texts(dash_duo, expected_kpis(deals))
    page.press(dash_duo, f"#{ids.SIGN_OUT} button")
    dash_duo.wait_for_element("#login", timeout=page.TIMEOUT)
    assert dash_duo.driver.current_url.endswith("/login")
    assert dash_duo.get_logs() == []
