"""With AUTH=on, in Chromium: an admin opens /admin/comptes (the sign-in brings them back to it), adds an account
through the form, sees it listed, and the new account signs in."""

from __future__ import annotations

import pytest
from dash.testing.composite import DashComposite

from app import create_app
from data.db import make_engine
from services.accounts import Accounts
from settings import Settings
from tests.browser import page
from tests.browser.test_sign_in import PASSWORD, _sign_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "un autre mot de passe"


def test_an_admin_adds_an_account_through_the_form(dash_duo: DashComposite, sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, demo_data=False, cache_type="simple", auth=True,
                              secret_key="k" * 48))
    engine = make_engine(sqlite_url)
    Accounts(engine).add("camille@exemple.fr", "Camille Martin", "admin", PASSWORD)
    dash_duo.start_server(app, navigate=False)
    dash_duo.driver.get(dash_duo.server.url + "/admin/comptes")
    _sign_in(dash_duo, "camille@exemple.fr", PASSWORD)
    dash_duo.wait_for_element("#admin-add", timeout=page.TIMEOUT)

    for field, typed in (("#new-login", "nina@exemple.fr"), ("#new-name", "Nina Roux"),
                         ("#new-password", NEW_PASSWORD), ("#new-password-again", NEW_PASSWORD)):
        dash_duo.find_element(field).send_keys(typed)
    dash_duo.find_element("#new-role option[value=lecture]").click()
    page.press(dash_duo, "#admin-add button[type=submit]")

    dash_duo.wait_for_text_to_equal("#admin-message", "Compte créé : nina@exemple.fr (Nina Roux, lecture).",
                                    timeout=page.TIMEOUT)
    assert dash_duo.find_element('tr[data-login="nina@exemple.fr"]').is_displayed()
    assert dash_duo.driver.current_url.endswith("/admin/comptes")  # after the redirect: a reload repeats nothing
    assert Accounts(engine).authenticate("nina@exemple.fr", NEW_PASSWORD) is not None
    engine.dispose()
    assert dash_duo.get_logs() == []
