"""PostgreSQL itself stopped (`pg_ctl stop -m fast`) under a running app, then started again.

tests/browser/test_database_down.py closes one database to connections on the shared server; here the whole
server goes away and comes back on a private cluster, and the app is its own process, served as in production
(`python app.py`). The page's own callback request (built from `/_dash-dependencies`) must answer the French
outage message while the server is down, never a 500 or a traceback, and the right figures once it is back,
without restarting the app; `/health` follows the server both ways.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from data.db import make_engine
from domain.deal_filter import MISSING_LABELS
from domain.errors import DatabaseUnavailableError
from domain.formatting import count
from tests.faults.ledger import database_ledger, ledger
from tests.faults.processes import PrivateCluster, ServedApp

KPI_OUTPUT_START = "..kpi-weighted-pipeline.children"
DEALS = [(f"RESTART-{number:03d}", f"Client {number}", "Qualifié", f"{1000 + number}.00", sector)
         for number, sector in enumerate(["Banque"] * 7 + ["Santé"] * 5 + ["Industrie"] * 3, start=1)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    """A private cluster, removed after the module whatever happened."""
    private = PrivateCluster()
    try:
        private.start()
        yield private
    finally:
        private.remove()


@pytest.fixture
def served(cluster: PrivateCluster, tmp_path: Path) -> Iterator[ServedApp]:
    """The app on the private cluster (migrated by its own start), holding `DEALS`."""
    app = ServedApp.start(cluster.url, tmp_path / "app.log")
    engine = make_engine(cluster.url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO deals (ref_externe, client, statut, montant_brut, secteur) "
                "VALUES (:ref, :client, :stage, :amount, :sector)"),
                [dict(zip(("ref", "client", "stage", "amount", "sector"), deal, strict=True)) for deal in DEALS])
        yield app
    finally:
        app.stop()
        engine.dispose()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _kpi_request(app: ServedApp, sector: str) -> dict[str, Any]:
    """The request the page sends when the sector filter changes, for the KPI callback."""
    _status, body = _get(f"{app.url}/_dash-dependencies")
    dependency = next(dep for dep in json.loads(body) if dep["output"].startswith(KPI_OUTPUT_START))
    health_links = [{"id": {"type": "data-health-link", "key": key}} for key in MISSING_LABELS]

    def output(part: str) -> object:
        component, _dot, prop = part.rpartition(".")
        if component.startswith("{"):
            return [{**link, "property": prop} for link in health_links]
        return {"id": component, "property": prop}

    def value(item: dict[str, str]) -> object:
        return [sector] if (item["id"], item["property"]) == ("filter-sector", "value") else None

    outputs = [output(part) for part in dependency["output"][2:-2].split("...")]
    return {"output": dependency["output"], "outputs": outputs,
            "inputs": [{**item, "value": value(item)} for item in dependency["inputs"]],
            "state": [{**item, "value": None} for item in dependency["state"]],
            "changedPropIds": ["filter-sector.value"]}


def _choose_sector(app: ServedApp, sector: str) -> tuple[int, str]:
    request = urllib.request.Request(f"{app.url}/_dash-update-component", method="POST",
                                     data=json.dumps(_kpi_request(app, sector)).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _shown(body: str) -> dict[str, Any]:
    """The answer's updates by component (its outputs and its side updates)."""
    answer = json.loads(body)
    return {**answer.get("response", {}), **answer.get("sideUpdate", {})}


def _deal_count_of(sector: str) -> str:
    return count(sum(1 for deal in DEALS if deal[4] == sector))


def test_postgres_stopped_then_started_again(cluster: PrivateCluster, served: ServedApp) -> None:
    engine = make_engine(cluster.url)
    try:
        before = database_ledger(engine)
    finally:
        engine.dispose()
    assert before == ledger((ref, client, stage, amount) for ref, client, stage, amount, _sector in DEALS)
    status, body = _choose_sector(served, "Banque")
    assert status == 200 and _shown(body)["kpi-deal-count"]["children"] == _deal_count_of("Banque")

    cluster.stop("fast")
    try:
        status, body = _choose_sector(served, "Santé")
        health = _get(f"{served.url}/health")
        page = _get(f"{served.url}/")
    finally:
        cluster.start()

    assert status == 200, body[:500]
    assert _shown(body) == {"db-status": {"data": DatabaseUnavailableError.message}}
    assert health == (503, health[1]) and json.loads(health[1])["database"] == "down"
    assert page[0] == 200
    assert "Traceback" not in body + health[1] + page[1]

    status, body = _choose_sector(served, "Santé")
    assert status == 200 and _shown(body)["kpi-deal-count"]["children"] == _deal_count_of("Santé")
    status, body = _choose_sector(served, "Industrie")
    assert status == 200 and _shown(body)["kpi-deal-count"]["children"] == _deal_count_of("Industrie")
    health = _get(f"{served.url}/health")
    assert health[0] == 200 and json.loads(health[1]) == {"cache": "ok", "database": "ok", "migrations": "head"}
    assert "Traceback" not in served.log.read_text()
    engine = make_engine(cluster.url)
    try:
        assert database_ledger(engine) == before
    finally:
        engine.dispose()
