"""The upload's limits, answered in French over real callback requests: files per drop, size per file (read
from the base64 text before any decoding), and a valid preview whose seal lets the same file be imported."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

from tests.security.conftest import UPLOAD_LIMIT, Served, deals_checksum
from tests.security.test_malformed_callbacks import _by_output, _with_input, server_callbacks

CSV = "Client;Statut;Montant\r\nAcme;Gagné;1 000\r\n".encode()


def _upload(content: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(content).decode()


def answer(served: Served, payload: dict[str, Any]) -> dict[str, Any]:
    sent = urllib.request.Request(f"{served.url}/_dash-update-component", data=json.dumps(payload).encode(),
                                  method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(sent, timeout=30) as response:
        assert response.status == 200
        return json.load(response)["response"]


def test_a_drop_of_too_many_files_is_refused_in_french(served: Served) -> None:
    upload = _by_output(server_callbacks(served), "import-preview")
    names = [f"f{n}.csv" for n in range(6)]
    response = answer(served, _with_input(upload, {"upload-csv.contents": [_upload(CSV)] * 6,
                                                   "upload-csv.filename": names}))
    assert response["upload-warning"]["children"].startswith("Au plus 5 fichiers à la fois : 6 ont été déposés")
    assert response["import-confirm"]["disabled"] is True


def test_a_file_over_the_limit_is_refused_and_a_previewed_one_imports(served: Served) -> None:
    deps = server_callbacks(served)
    upload, confirm = _by_output(deps, "import-preview"), _by_output(deps, "import-result.children@")
    big = CSV + b"Acme;Gagn\xc3\xa9;2\r\n" * (UPLOAD_LIMIT // 10)
    assert len(big) > UPLOAD_LIMIT
    response = answer(served, _with_input(upload, {"upload-csv.contents": [_upload(big), _upload(CSV)],
                                                   "upload-csv.filename": ["gros.csv", "petit.csv"]}))
    preview = json.dumps(response["import-preview"]["children"], ensure_ascii=False)
    assert "la limite est de 64 Ko" in preview
    before = deals_checksum(served.engine)
    files = {"upload-csv.contents": [_upload(big), _upload(CSV)], "upload-csv.filename": ["gros.csv", "petit.csv"]}
    request = _with_input(confirm, {"import-confirm.n_clicks": 1, "import-seal.data": response["import-seal"]["data"],
                                    **files})
    # The renderer sends one output per file for the summaries' ALL pattern: two files here.
    request["outputs"][1] = [{"id": {"type": "import-summary", "file": index}, "property": "children"}
                             for index in range(2)]
    result = answer(served, request)
    message = json.dumps(result["import-result"]["children"], ensure_ascii=False)
    assert "petit.csv" in message and "1 deal créé" in message
    assert "« gros.csv » n'a pas été prévisualisé tel quel" in message
    assert deals_checksum(served.engine) != before
