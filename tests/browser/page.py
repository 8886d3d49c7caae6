"""How the browser tests read and drive the dashboard: by the contract's IDs, the way a user would."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

TIMEOUT = 10


def text(dash_duo: DashComposite, component_id: str) -> str:
    """The exact text of an element (`textContent`, so no-break spaces are kept as they are)."""
    return dash_duo.find_element(f"#{component_id}").get_attribute("textContent")


def wait_for_texts(dash_duo: DashComposite, expected: dict[str, str]) -> None:
    """Wait until every element shows its expected text; fail with what the page shows instead."""
    def shown() -> dict[str, str]:
        return {component_id: text(dash_duo, component_id) for component_id in expected}

    try:
        until(lambda: shown() == expected, timeout=TIMEOUT)
    except Exception as error:
        raise AssertionError(f"page shows {shown()}, expected {expected}") from error


def wait_idle(dash_duo: DashComposite) -> None:
    """Wait until no callback is pending, twice in a row (a callback's answer may trigger the next)."""
    for _ in range(2):
        time.sleep(0.3)
        until(dash_duo._wait_for_callbacks, timeout=TIMEOUT, poll=0.1)


def into_view(dash_duo: DashComposite, element: WebElement) -> WebElement:
    """Scroll an element to the middle of the window at once (Bootstrap makes scrolling smooth, i.e. slow)."""
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    return element


def press(dash_duo: DashComposite, selector: str) -> None:
    """Click an element once it is in view, as a user would."""
    into_view(dash_duo, dash_duo.find_element(selector)).click()


def choose(dash_duo: DashComposite, component_id: str, option_text: str) -> None:
    """Pick one option of a multi-select dropdown by its visible text, then close the menu."""
    into_view(dash_duo, dash_duo.find_element(f"#{component_id}"))
    dash_duo.select_dcc_dropdown(f"#{component_id}", value=option_text)
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)


def props(dash_duo: DashComposite, component_id: str) -> dict[str, Any]:
    """A component's current props, read from the renderer's state (what callbacks see)."""
    def find(node: Any) -> dict[str, Any] | None:
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == component_id:
                return node["props"]
            children = node.get("props", {}).get("children") if "props" in node else list(node.values())
            return find(children)
        if isinstance(node, list):
            return next((hit for hit in map(find, node) if hit is not None), None)
        return None

    found = find(dash_duo.driver.execute_script("return window.store.getState().layout"))
    assert found is not None, f"no component {component_id}"
    return found


def chosen(dash_duo: DashComposite, component_id: str) -> list[str]:
    """The values a filter dropdown holds."""
    return props(dash_duo, component_id).get("value") or []


def figure_data(dash_duo: DashComposite, graph_id: str) -> list[dict[str, Any]]:
    """The traces plotly drew (labels, values, colours), read from the graph element."""
    return dash_duo.driver.execute_script(
        "const plot = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return plot && plot.data ? plot.data.map(t => ({x: t.x, y: t.y, colors: t.marker && t.marker.color,"
        " text: t.text})) : [];",
        f"#{graph_id}",
    )


def bar_values(dash_duo: DashComposite, graph_id: str) -> dict[str, Decimal]:
    """Label -> value of the one trace of a bar or funnel chart ({} when it shows a message)."""
    traces = figure_data(dash_duo, graph_id)
    if not traces:
        return {}
    return {label: Decimal(str(value)).quantize(Decimal("0.01")) for label, value in
            zip(traces[0]["y"], traces[0]["x"], strict=True)}


def wait_for_bars(dash_duo: DashComposite, graph_id: str, expected: dict[str, Decimal]) -> None:
    """Wait until a chart shows exactly these bars, in this order."""
    try:
        until(lambda: list(bar_values(dash_duo, graph_id).items()) == list(expected.items()), timeout=TIMEOUT)
    except Exception as error:
        raise AssertionError(f"{graph_id} shows {bar_values(dash_duo, graph_id)}, expected {expected}") from error


def click_bar(dash_duo: DashComposite, graph_id: str, label: str) -> None:
    """Click the bar (or funnel step) labelled `label`, as a user does, on its drawn shape."""
    labels = figure_data(dash_duo, graph_id)[0]["y"]
    points = dash_duo.find_elements(f"#{graph_id} .trace .point")
    ActionChains(dash_duo.driver).move_to_element(points[labels.index(label)]).click().perform()


def grid_column(dash_duo: DashComposite, field: str, grid: str = "table-deadlines") -> list[str]:
    """The texts of one column of an AG Grid's current page, top to bottom, read in one go: no row can be redrawn
    half-way through, and a pinned column (its cells in a row part of their own) reads like any other."""
    cells = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(`#${arguments[0]} .ag-row`)].flatMap(row => {"
        "  const cell = row.querySelector(`[col-id='${arguments[1]}']`);"
        "  return cell ? [[Number(row.getAttribute('row-index')), cell.textContent]] : []; });", grid, field)
    return [text for _index, text in sorted(cells)]


def wait_for_grid(dash_duo: DashComposite, field: str, expected: list[str]) -> None:
    """Wait until the grid's page shows exactly these values in one column."""
    try:
        until(lambda: grid_column(dash_duo, field) == expected, timeout=TIMEOUT)
    except Exception as error:
        shown = grid_column(dash_duo, field)
        raise AssertionError(f"grid column {field} shows {shown}, expected {expected}") from error


def scope_labels(dash_duo: DashComposite) -> list[str]:
    """The scope switch's labels, with their counts."""
    return [label.get_attribute("textContent") for label in dash_duo.find_elements("#deadlines-scope label")]


def choose_scope(dash_duo: DashComposite, label_start: str) -> None:
    """Click the scope button whose label starts with `label_start`."""
    for label in dash_duo.find_elements("#deadlines-scope label"):
        if label.get_attribute("textContent").startswith(label_start):
            into_view(dash_duo, label).click()
            return
    raise AssertionError(f"no scope {label_start!r} in {scope_labels(dash_duo)}")
