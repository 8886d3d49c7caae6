"""The load benchmark's simulated team (Locust): people at the page replaying what a real browser sent, an
importer, an exporter and a script on the REST API.

Why replayed requests: the callback bodies come from headless Chromium driving the real page
(`benchmarks/load_benchmark.py` records them), so each simulated user sends the same HTTP requests, in the same
order, that the page sends for the same action: nothing is guessed about Dash's wire format. What must differ
between replays does: a saved deal gets a client of its own, an import a file of new deals, and the import's
confirmation carries the seal its own preview answered.

The recording's path comes in `LOAD_RECORDING`; run by load_benchmark.py, not alone.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

RECORDING: dict[str, Any] = json.loads(Path(os.environ["LOAD_RECORDING"]).read_text(encoding="utf-8"))
CALLBACK = "/_dash-update-component"
HEADERS = {"Content-Type": "application/json"}
IMPORT_ROWS = 200


def _send(user: HttpUser, name: str, body: str, expected: str | None = None) -> dict[str, Any]:
    """One callback request under the action's name; an answer other than 200/204, or one that does not update
    the `expected` component, counts as an error."""
    with user.client.post(CALLBACK, data=body.encode("utf-8"), headers=HEADERS, name=name,
                          catch_response=True) as answer:
        if answer.status_code not in (200, 204):
            answer.failure(f"HTTP {answer.status_code}")
            return {}
        updated = answer.json() if answer.status_code == 200 else {}
        if expected is not None and expected not in updated.get("response", {}):
            answer.failure(f"{expected} not updated")
            return {}
        answer.success()
        return updated


def _replay(user: HttpUser, name: str) -> None:
    """One recorded occurrence of the action, its requests in the browser's order."""
    for body in random.choice(RECORDING["actions"][name]):
        _send(user, name, body)


def _import_file(marker: str) -> str:
    """A French Excel CSV of new deals (their own references), as a `dcc.Upload` data URL."""
    lines = ["Client;Statut;Montant;Secteur;Échéance;Commercial;Référence"]
    lines += [f"Charge {marker} {row};Prospect;{1000 + row},50;Conseil;15/03/2027;Léa Charge;LOAD-{marker}-{row}"
              for row in range(IMPORT_ROWS)]
    encoded = base64.b64encode("\n".join(lines).encode("utf-8")).decode("ascii")
    return f"data:text/csv;base64,{encoded}"


def _with_values(body: str, values: dict[tuple[str, str], Any]) -> str:
    """The request with the given (component, property) values replaced wherever the page sends them."""
    request = json.loads(body)
    for group in ("inputs", "state"):
        for entry in request.get(group, []):
            if isinstance(entry, dict) and (entry.get("id"), entry.get("property")) in values:
                entry["value"] = values[(entry["id"], entry["property"])]
    return json.dumps(request)


def _sign_in(user: HttpUser) -> None:
    """The sign-in form, as the page posts it, with the next account of the team (round robin)."""
    login = RECORDING["accounts"][next(_ACCOUNT_TURNS) % len(RECORDING["accounts"])]
    with user.client.post("/login", data={"login": login, "password": RECORDING["password"], "next": "/"},
                          allow_redirects=False, name="sign in", catch_response=True) as answer:
        if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
            answer.failure(f"sign-in refused: HTTP {answer.status_code}")


_ACCOUNT_TURNS = itertools.count()


class Founder(HttpUser):
    """A person of the team at the dashboard: signs in, opens it, filters, clicks a bar, pages and sorts the grid,
    searches, and now and then saves a deal. Waits 1 to 5 s between actions, as someone reading the page does."""

    wait_time = between(1, 5)

    def on_start(self) -> None:
        _sign_in(self)
        self.open_page()

    @task(1)
    def open_page(self) -> None:
        for path in ("/", "/_dash-layout", "/_dash-dependencies"):
            self.client.get(path, name="open page (GET)")
        _replay(self, "open page")

    @task(10)
    def filter_change(self) -> None:
        _replay(self, "filter change")

    @task(3)
    def bar_click(self) -> None:
        _replay(self, "bar click")

    @task(3)
    def grid_page_or_sort(self) -> None:
        _replay(self, "grid page or sort")

    @task(2)
    def search(self) -> None:
        _replay(self, "search")

    @task(1)
    def save_deal(self) -> None:
        """A new deal of its own: the recorded client name replaced by a unique one."""
        marker = RECORDING["save_marker"]
        for body in random.choice(RECORDING["actions"]["save deal"]):
            _send(self, "save deal", body.replace(marker, f"Client {uuid.uuid4().hex[:12]}"))


class Importer(HttpUser):
    """One import a minute across all users: a file of new deals, its preview, then its confirmation with the
    seal that preview gave."""

    fixed_count = 1
    wait_time = between(60, 60)

    def on_start(self) -> None:
        _sign_in(self)

    @task
    def import_file(self) -> None:
        upload = RECORDING["upload"]
        contents = _import_file(uuid.uuid4().hex[:8])
        changed = {(upload["component"], "contents"): [contents]}  # the upload takes several files: a list
        preview = _send(self, "import preview", _with_values(RECORDING["import_preview"], changed))
        seal = preview.get("response", {}).get(upload["seal"], {}).get("data")
        sealed = {**changed, (upload["seal"], "data"): seal}
        # A confirmed import bumps the data version; a refused one (no seal, a bad file) does not.
        _send(self, "import confirm", _with_values(RECORDING["import_confirm"], sealed), expected=upload["version"])


class Exporter(HttpUser):
    """Someone sending the pipeline to a partner, two or three times a minute across the team: the CSV button's
    request (a signed link for this account), then the download of the whole view through that link."""

    fixed_count = 1
    wait_time = between(20, 30)

    def on_start(self) -> None:
        _sign_in(self)

    @task
    def export_csv(self) -> None:
        answer = _send(self, "export CSV (link)", RECORDING["export"], expected=RECORDING["export_link"])
        link = answer.get("response", {}).get(RECORDING["export_link"], {}).get("data")
        if link:
            # Not streamed: the time counted is then the whole file's, not its first bytes'.
            with self.client.get(link, name="export CSV (download)", catch_response=True) as download:
                lines = download.content.count(b"\n")
                if download.status_code != 200 or lines < RECORDING["deals"]:
                    download.failure(f"HTTP {download.status_code}, {lines} lines for {RECORDING['deals']} deals")


class ApiClient(HttpUser):
    """A script of the team on the REST API with its token: pages of deals and the KPI figures of a selection."""

    fixed_count = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {RECORDING['api_token']}"

    @task(3)
    def deals_page(self) -> None:
        self.client.get(f"/api/v1/deals?page={random.randint(1, 50)}&par_page=50", name="API deals page")

    @task(1)
    def kpis(self) -> None:
        self.client.get(f"/api/v1/kpis?statut={random.choice(RECORDING['stage_slugs'])}", name="API kpis")
