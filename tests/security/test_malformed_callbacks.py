"""Requests the page could never send, built from the app's own `/_dash-dependencies` and sent over HTTP:
each gets a 4xx or a clean no-update, writes nothing and logs no crash. A forged import confirm imports
nothing."""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.conftest import Served, deals_checksum

HUGE = 10**30
# A number too large for a database integer, and one JSON may carry but no integer holds (`Infinity`).
WRONG_VALUES: tuple[Any, ...] = ({"inattendu": [1, 2]}, 12345, "x" * 12, [None, {"a": 1}], -1, HUGE, float("inf"))
STAGE_FILTER = "filter-status.value"


def post(served: Served, payload: Any) -> tuple[int, str]:
    """The status and body of one callback request (no redirect, no retry)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sent = urllib.request.Request(f"{served.url}/_dash-update-component", data=body, method="POST",
                                  headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(sent, timeout=60) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def server_callbacks(served: Served) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{served.url}/_dash-dependencies", timeout=30) as answer:
        return [dep for dep in json.load(answer) if not dep.get("clientside_function")]


def _outputs(output: str) -> list[dict[str, str]]:
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [{"id": part.rpartition(".")[0], "property": part.rpartition(".")[2].partition("@")[0]} for part in parts]


def _payload(dep: dict[str, Any], value: Any, **overrides: Any) -> dict[str, Any]:
    """A request shaped like the renderer's for `dep`, with `value` for every input and state."""
    def items(kind: str) -> list[dict[str, Any]]:
        return [{"id": item["id"], "property": item["property"], "value": value} for item in dep.get(kind, [])]

    inputs = items("inputs")
    payload = {"output": dep["output"], "outputs": _outputs(dep["output"]), "inputs": inputs,
               "state": items("state"), "changedPropIds": [f"{item['id']}.{item['property']}" for item in inputs]}
    return {**payload, **overrides}


def malformed_requests(deps: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """(what is wrong, payload): per callback, empty and partial bodies, wrong types, unknown outputs."""
    yield "not JSON", b"{pas du json"
    yield "a JSON list", b"[1, 2, 3]"
    yield "JSON nested deeper than Python recurses", b"[" * 100_000 + b"]" * 100_000
    for dep in deps:
        name = dep["output"][:60]
        yield f"{name}: empty object", {}
        yield f"{name}: output only", {"output": dep["output"]}
        yield f"{name}: unknown output", _payload(dep, None, output="inconnu.children",
                                                   outputs={"id": "inconnu", "property": "children"})
        yield f"{name}: inputs without values", {**_payload(dep, None), "inputs": [{"id": "x"}]}
        for value in WRONG_VALUES:
            yield f"{name}: every value {value!r:.20}", _payload(dep, value)


def _by_output(deps: list[dict[str, Any]], start: str) -> dict[str, Any]:
    return next(dep for dep in deps if dep["output"].lstrip(".").startswith(start))


def _with_input(dep: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A well-formed request for `dep` where the named `id.property` inputs and states carry `values`."""
    payload = _payload(dep, None)
    for kind in ("inputs", "state"):
        for item in payload[kind]:
            item["value"] = values.get(f"{item['id']}.{item['property']}")
    return payload


def forged_filters(deps: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """For every callback that reads the stage filter: a huge list, and a stage that does not exist."""
    for dep in deps:
        read = {f"{item['id']}.{item['property']}" for kind in ("inputs", "state") for item in dep.get(kind, [])}
        if STAGE_FILTER in read:
            name = dep["output"][:60]
            yield f"{name}: 100 000 stages", _with_input(dep, {STAGE_FILTER: ["Prospect"] * 100_000})
            yield f"{name}: a forged stage", _with_input(dep, {STAGE_FILTER: ["Signé d'office"]})


def forged_requests(deps: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Well-shaped requests with values no control of the page produces."""
    kpis = _by_output(deps, "kpi-weighted-pipeline")
    grid = _by_output(deps, "table-deadlines")
    confirm = _by_output(deps, "import-result.children@")
    upload = _by_output(deps, "import-preview")
    yield "impossible date", _with_input(kpis, {"filter-due-dates.start_date": "2026-13-45"})
    yield "date of another type", _with_input(kpis, {"filter-due-dates.end_date": {"année": 2026}})
    yield "forged grid scope", _with_input(grid, {"table-deadlines.getRowsRequest": {"startRow": 0, "endRow": 10},
                                                  "deadlines-scope.value": "tout-le-monde"})
    yield "huge grid offset", _with_input(grid, {"table-deadlines.getRowsRequest": {"startRow": HUGE,
                                                                                     "endRow": HUGE + 10},
                                                 "deadlines-scope.value": "all"})
    yield "grid rows as text", _with_input(grid, {"table-deadlines.getRowsRequest": {"startRow": "dix"},
                                                  "deadlines-scope.value": "all"})
    yield "upload that is not base64", _with_input(upload, {"upload-csv.contents": ["data:text/csv;base64,@@@"],
                                                            "upload-csv.filename": ["a.csv"]})
    opening = _by_output(deps, "deal-form.is_open")
    grid_edit = next(dep for dep in deps if any(item["property"] == "cellValueChanged" for item in dep["inputs"]))
    for number in (HUGE, float("inf")):
        yield f"deal opened by id {number}", {**_with_input(opening, {"deal-open-request.data": {"id": number}}),
                                              "changedPropIds": ["deal-open-request.data"]}
        yield f"grid edit of deal {number}", _with_input(grid_edit, {"table-deadlines.cellValueChanged": [
            {"colId": "statut", "value": "Gagné", "data": {"id": number}}]})
    never_previewed = "data:text/csv;base64," + base64.b64encode(
        "Client;Statut;Montant\r\nIntrus;Gagné;99 999\r\n".encode()).decode()
    for seal in (None, "faux.jeton", "e30.abc"):
        yield f"confirm of a file never previewed, seal {seal!r}", _with_input(confirm, {
            "import-confirm.n_clicks": 1, "import-seal.data": seal, "upload-csv.contents": [never_previewed],
            "upload-csv.filename": ["intrus.csv"]})


def test_malformed_callback_requests_get_a_client_error_and_change_nothing(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    deps = server_callbacks(served)
    requests = [*malformed_requests(deps), *forged_filters(deps), *forged_requests(deps)]
    assert len(requests) >= 200
    before = deals_checksum(served.engine)
    with caplog.at_level(logging.WARNING):
        answers = {what: post(served, payload) for what, payload in requests}
    crashes = {what: status for what, (status, _body) in answers.items() if status >= 500}
    assert crashes == {}
    assert all(status in (200, 204) or 400 <= status < 500 for status, _body in answers.values()), answers
    assert [what for what, (_status, body) in answers.items() if "Traceback" in body or 'File "' in body] == []
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert deals_checksum(served.engine) == before
    with urllib.request.urlopen(f"{served.url}/", timeout=30) as page:
        assert page.status == 200
