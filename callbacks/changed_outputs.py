"""Send only the outputs whose value changed since the browser last received them.

The browser keeps a digest of each output it shows (the `shown-outputs` store, sent back as State); an
output whose new value has the same digest is answered with `no_update`, so Dash's renderer does not store
it again and Plotly does not redraw an unchanged chart. A digest is 16 hex characters of BLAKE2b over the
output's JSON, as Dash would send it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from dash import ctx, no_update
from plotly.io.json import to_json_plotly


def digest(value: object) -> str:
    """A short fingerprint of one output's value."""
    return hashlib.blake2b(to_json_plotly(value).encode(), digest_size=8).hexdigest()


def changed_only(values: Sequence[object], shown: dict[str, str] | None) -> tuple[list[Any], dict[str, str] | Any]:
    """`values` with each unchanged one replaced by `no_update` (a list of them for a pattern-matching output),
    and the digests to store, or `no_update` when nothing changed. Outputs are keyed by their position."""
    shown = shown or {}
    digests = {str(position): digest(value) for position, value in enumerate(values)}
    answered = [
        _unchanged(int(key)) if shown.get(key) == digests[key] else value
        for (key, value) in zip(digests, values, strict=True)
    ]
    return answered, (no_update if digests == shown else digests)


def unless_shown(value: Any, shown: Any) -> Any:
    """`value`, or `no_update` when the browser already shows it (sent back as State): an output that follows the
    data version (filter options, import history, demo badge) is not stored and redrawn again after a save that
    left it as it was."""
    return no_update if value == shown else value


def _unchanged(position: int) -> Any:
    """`no_update` in the shape Dash expects: one per matched component for a pattern-matching output."""
    output = ctx.outputs_list[position]
    return [no_update] * len(output) if isinstance(output, list) else no_update
