"""The filter state in the URL query string, so a view can be reloaded, bookmarked, shared and navigated.

The controls stay the single source of truth. Two callbacks, both in the browser (assets/url_state.js):
- `writeUrl`: a control changed, so push the new query string as a history entry. It has no Dash output,
  so the figures' callbacks, which read the same controls, leave at once instead of waiting for it.
- `readUrl`: the page loaded, back/forward moved through history (heard by a `popstate` listener that bumps
  the `url-history` store) or the dropdowns' options changed (the URL is applied again once they are
  there): set the controls to what the URL describes, without the values no dropdown offers (a stale
  link), which it also removes from the URL in place.
Each one does nothing when the URL already describes the controls, so neither sets the other off again.
A third keeps the navigation links' query string on the selection, so moving between `/` and `/performance`
keeps it in the URL (the filters themselves are outside the pages and keep their values).
A single callback doing both ways made every filter change wait for it before any figure was requested.
The deadline grid's scope rides along as `vue=` (`domain.view_links`): the page reads it when it opens (a digest
link), the grid's scope callback (callbacks/deadlines.py) writes it in place when the founder switches, and the
two above keep it.
The stages' URL slugs come from `domain.stages`, written into the functions here so they have one source.
"""

from __future__ import annotations

import json

from dash import Dash, Input, Output

from callbacks.selection import FILTER_PROPS, filter_inputs, filter_states
from domain.stages import STAGES
from layouts import ids

# The dropdowns, in `FILTER_PROPS` order of their values; a URL value none of them offers is dropped (the dates
# and the text search, `q=`, have no options: they are taken as the URL has them, once cleaned).
OPTION_IDS = (ids.FILTER_STATUS, ids.FILTER_SECTOR, ids.FILTER_ASSIGNEE, ids.FILTER_MISSING)
STAGE_SLUGS = [[stage.name, stage.slug] for stage in STAGES]  # in funnel order


def register(app: Dash) -> None:
    """Mirror the controls into the URL, and the URL (page load, back, forward) into the controls."""
    stages = json.dumps(STAGE_SLUGS)
    app.clientside_callback(
        f"function (...values) {{ window.crmUrlState.writeUrl({stages}, ...values); }}",
        *filter_inputs(),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        f"function (_moves, stageOptions, sectorOptions, assigneeOptions, missingOptions, ...values) {{ "
        f"return window.crmUrlState.readUrl({stages}, {json.dumps(ids.URL_HISTORY)}, "
        f"[stageOptions, sectorOptions, assigneeOptions, null, null, missingOptions, null], ...values); }}",
        *(Output(component, prop) for component, prop in FILTER_PROPS),
        Input(ids.URL_HISTORY, "data"),
        *(Input(component, "options") for component in OPTION_IDS),
        *filter_states(),
    )
    app.clientside_callback(
        f"function (...values) {{ var query = window.crmUrlState.encode({stages}, values); "
        f"return ['/' + query, '/performance' + query]; }}",
        Output(ids.NAV_DASHBOARD, "href"),
        Output(ids.NAV_PERFORMANCE, "href"),
        *filter_inputs(),
    )
