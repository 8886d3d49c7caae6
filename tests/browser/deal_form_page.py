"""How the browser tests drive the deal form: by the contract's IDs and the form's pattern-matching fields."""

from __future__ import annotations

import json

from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from layouts import ids
from tests.browser import page


def pattern_selector(kind: str, key: str) -> str:
    """The CSS selector of a pattern-matching component (Dash writes its ID as JSON with sorted keys)."""
    return f"[id='{json.dumps({'key': key, 'type': kind}, separators=(',', ':'))}']"


def field(dash_duo: DashComposite, key: str) -> WebElement:
    return dash_duo.find_element(pattern_selector(ids.DEAL_FIELD, key))


def field_value(dash_duo: DashComposite, key: str) -> str | None:
    """A field's current value, read in one step (the form's body is rebuilt when a deal is reloaded)."""
    selector = pattern_selector(ids.DEAL_FIELD, key)
    return dash_duo.driver.execute_script(
        "var e = document.querySelector(arguments[0]); return e ? e.value : null;", selector)


def type_into(dash_duo: DashComposite, key: str, text: str) -> None:
    """Replace a field's text as a user would (select all, type)."""
    element = page.into_view(dash_duo, field(dash_duo, key))
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    if text:
        element.send_keys(text)


def choose_stage(dash_duo: DashComposite, stage: str) -> None:
    page.into_view(dash_duo, field(dash_duo, "statut"))
    field(dash_duo, "statut").find_element(By.XPATH, f"option[.='{stage}']").click()


def type_due_date(dash_duo: DashComposite, text: str, confirm: bool = True) -> None:
    """Type a date into the form's French date picker, then (`confirm`) press Enter and close its calendar;
    without it the text stays as typed, as when the founder goes straight to a button."""
    element = dash_duo.find_element(pattern_selector(ids.DEAL_DATE, "date_echeance"))  # the input itself
    page.into_view(dash_duo, element).click()
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(text)
    if confirm:
        element.send_keys(Keys.ENTER)
        element.send_keys(Keys.ESCAPE)


def open_new(dash_duo: DashComposite) -> None:
    page.press(dash_duo, f"#{ids.DEAL_NEW}")
    dash_duo.wait_for_element(pattern_selector(ids.DEAL_FIELD, "client"), timeout=page.TIMEOUT)


def open_row(dash_duo: DashComposite, client: str) -> None:
    """Click the client cell of the grid row that shows `client` (the grid's first page)."""
    cell = dash_duo.driver.find_element(
        By.XPATH, f"//div[@id='{ids.TABLE_DEADLINES}']//div[@col-id='client' and normalize-space(.)='{client}']")
    page.into_view(dash_duo, cell).click()
    dash_duo.wait_for_element(pattern_selector(ids.DEAL_FIELD, "client"), timeout=page.TIMEOUT)
    dash_duo.wait_for_text_to_equal(f"#{ids.DEAL_FORM_TITLE}", f"Deal : {client}", timeout=page.TIMEOUT)


def feedback(dash_duo: DashComposite, key: str) -> str:
    """A field's message, read in one step (the message is drawn again when the server answers)."""
    return dash_duo.driver.execute_script(
        "var e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
        pattern_selector(ids.DEAL_FEEDBACK, key))


def wait_step(dash_duo: DashComposite, step: str) -> None:
    """Wait until a quick action's step (lost reason, delete confirmation, reload) shows in the form."""
    until(lambda: dash_duo.find_element(pattern_selector(ids.DEAL_STEP, step)).is_displayed(), timeout=page.TIMEOUT)


def press_step(dash_duo: DashComposite, step: str) -> None:
    wait_step(dash_duo, step)
    page.press(dash_duo, pattern_selector(f"{ids.DEAL_STEP_BUTTON}-{step}", step))


def wait_closed(dash_duo: DashComposite) -> None:
    dash_duo.wait_for_no_elements(f"#{ids.DEAL_FORM} .modal-body", timeout=page.TIMEOUT)


def edit_cell(dash_duo: DashComposite, client: str, column: str, text: str) -> None:
    """Double-click a grid cell of the row showing `client`, type `text` and press Enter."""
    row = dash_duo.driver.find_element(
        By.XPATH, f"//div[@id='{ids.TABLE_DEADLINES}']//div[contains(@class,'ag-row') and "
                  f".//div[@col-id='client' and normalize-space(.)='{client}']]")
    cell = row.find_element(By.CSS_SELECTOR, f"[col-id='{column}']")
    ActionChains(dash_duo.driver).double_click(page.into_view(dash_duo, cell)).perform()
    editor = dash_duo.find_element(".ag-cell-inline-editing input")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(text)
    editor.send_keys(Keys.ENTER)
