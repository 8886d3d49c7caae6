"""The filter state in the URL query string, so a view can be reloaded, bookmarked, shared and navigated.

The controls stay the single source of truth: one callback, both ways, so there is no loop. A control
change writes the query string (a new history entry); a page load or back/forward (the query string
changes on its own) writes the controls, and the figures follow the controls as for any other change.
The dropdowns' options are inputs too, because a dropdown drops any value missing from its options: the
URL is applied once the options are there, not before.

The callback runs in the browser (assets/url_state.js): it can write the filter values, so Dash holds every
figure's callback until it has answered, and a server round trip there delayed each filter change. The
stages' URL slugs come from `data.stages`, written into the function here so they have one source.
"""

from __future__ import annotations

import json

from dash import Dash, Input, Output

from callbacks.selection import FILTER_PROPS, filter_inputs
from data.stages import STAGES
from layouts import ids

OPTION_IDS = (ids.FILTER_STATUS, ids.FILTER_SECTOR, ids.FILTER_ASSIGNEE)
STAGE_SLUGS = [[stage.name, stage.slug] for stage in STAGES]  # in funnel order
VALUE_PROPS = [f"{component}.{prop}" for component, prop in FILTER_PROPS]


def register(app: Dash) -> None:
    """Mirror the controls into the URL and the URL (page load, back, forward) into the controls."""
    app.clientside_callback(
        f"function (...inputs) {{ return window.crmUrlState.syncUrl("
        f"{json.dumps(STAGE_SLUGS)}, {json.dumps(VALUE_PROPS)}, ...inputs); }}",
        Output(ids.URL, "search"),
        *(Output(component, prop) for component, prop in FILTER_PROPS),
        Input(ids.URL, "search"),
        *filter_inputs(),
        *(Input(component, "options") for component in OPTION_IDS),
    )
