"""The contract between the parts that no import checks: IDs shared with the browser scripts, the test layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from layouts import ids
from tests.conftest import layer_of

ASSETS = Path(__file__).resolve().parents[1] / "assets"


def test_browser_scripts_read_the_ids_of_layouts_ids() -> None:
    """`assets/00-crm-ids.js` is `layouts/ids.py` as JavaScript; rewrite it with `ids.write_javascript()`."""
    assert (ASSETS / "00-crm-ids.js").read_text(encoding="utf-8") == ids.javascript_ids()


def test_no_browser_script_spells_out_a_component_id() -> None:
    """An ID typed in a script drifts from ids.py unseen; the scripts go through `window.crmIds`."""
    values = {value for name, value in vars(ids).items() if name.isupper() and isinstance(value, str)}
    scripts = [path for path in ASSETS.glob("*.js") if not path.name.startswith("00-")]
    assert scripts
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        spelled = sorted(value for value in values if f'"{value}"' in text or f"'#{value}'" in text
                         or f'"#{value}"' in text)
        assert spelled == [], f"{script.name} writes out {spelled}: use window.crmIds"


def test_every_chromium_test_counts_in_the_browser_layer(request: pytest.FixtureRequest) -> None:
    """The closing `passed per layer` line must show a lost browser, so a dash_duo test never counts as unit."""
    driven = [item for item in request.session.items if "dash_duo" in getattr(item, "fixturenames", ())]
    if not driven:
        pytest.skip("no browser test collected in this run")
    assert {layer_of(item.nodeid, item.keywords) for item in driven} == {"browser"}
