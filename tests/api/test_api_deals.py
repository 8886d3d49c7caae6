"""A deal's life through the API over real HTTP: create, read, change, delete, with the form's rules, its
conflict check and its history (source "api", the token's user), checked in the database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import requests
from sqlalchemy import text

from services.accounts import Accounts
from services.tokens import ApiTokens
from tests.api.conftest import OWNER, Api, add_deal
from tests.auth.test_sign_in import PASSWORD, TEAM
from tests.security.conftest import serve


def _stored(api: Api, deal_id: int) -> dict | None:
    with api.engine.connect() as connection:
        row = connection.execute(text("SELECT client, statut, montant_brut, date_echeance, assignee, version "
                                      "FROM deals WHERE id = :id"), {"id": deal_id}).mappings().one_or_none()
    return None if row is None else dict(row)


def _history(api: Api, deal_id: int) -> list[tuple]:
    with api.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT action, field, new_value, source, user_name FROM deal_events WHERE deal_id = :id ORDER BY id"),
            {"id": deal_id})]


def test_a_deal_created_read_changed_and_deleted_through_the_api(api: Api) -> None:
    created = api.call("POST", "/deals", "lea", json={
        "client": "Brasserie du Port", "statut": "Qualifié", "montant_brut": "12500,50",
        "date_echeance": "2027-01-15", "assignee": OWNER})
    assert created.status_code == 201
    deal = created.json()
    assert created.headers["Location"] == f"/api/v1/deals/{deal['id']}"
    assert (deal["montant_brut"], deal["version"], deal["est_demo"]) == ("12500.50", 1, False)
    assert _stored(api, deal["id"])["montant_brut"] is not None

    read = api.call("GET", f"/deals/{deal['id']}", "lecteur").json()
    assert read == deal

    changed = api.call("PATCH", f"/deals/{deal['id']}", "lea", json={"version": 1, "statut": "Gagné"})
    assert changed.status_code == 200
    assert (changed.json()["statut"], changed.json()["version"], changed.json()["client"]) == (
        "Gagné", 2, "Brasserie du Port")
    stored = _stored(api, deal["id"])
    assert (stored["statut"], Decimal(str(stored["montant_brut"]))) == ("Gagné", Decimal("12500.50"))

    assert api.call("DELETE", f"/deals/{deal['id']}", "lea", params={"version": 2}).status_code == 204
    assert _stored(api, deal["id"]) is None
    assert api.call("GET", f"/deals/{deal['id']}", "lea").status_code == 404

    assert _history(api, deal["id"]) == [
        ("created", None, None, "api", OWNER),
        ("updated", "statut", "Gagné", "api", OWNER),
        ("deleted", None, None, "api", OWNER),
    ]


def test_a_change_based_on_an_old_version_is_a_409_and_writes_nothing(api: Api) -> None:
    deal_id = add_deal(api.engine, "Acme", OWNER)
    assert api.call("PATCH", f"/deals/{deal_id}", "admin", json={"version": 1, "montant_brut": "2000"}).ok
    late = api.call("PATCH", f"/deals/{deal_id}", "lea", json={"version": 1, "montant_brut": "3000"})
    assert late.status_code == 409
    assert late.json()["code"] == "conflit" and "version 2" in late.json()["message"]
    assert api.call("DELETE", f"/deals/{deal_id}", "admin", params={"version": 1}).status_code == 409
    assert Decimal(str(_stored(api, deal_id)["montant_brut"])) == Decimal("2000")


def test_the_form_rules_apply_and_name_each_refused_field_in_french(api: Api) -> None:
    answer = api.call("POST", "/deals", "admin", json={"client": "Acme", "statut": "Gagné", "montant_brut": "-5",
                                                      "date_echeance": "2027-02-30", "couleur": "bleu"})
    assert answer.status_code == 422
    assert answer.json()["champs"] == {"montant_brut": "format invalide", "date_echeance":
                                       "date attendue au format AAAA-MM-JJ", "couleur": "champ inconnu"}
    with api.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 0


def test_an_external_reference_of_another_deal_is_a_409(api: Api) -> None:
    first = api.call("POST", "/deals", "admin", json={"client": "Acme", "statut": "Prospect", "ref_externe": "CRM-1"})
    assert first.status_code == 201
    second = api.call("POST", "/deals", "admin", json={"client": "Beta", "statut": "Prospect", "ref_externe": "CRM-1"})
    assert second.status_code == 409
    assert second.json()["champs"] == {"ref_externe": "référence externe déjà utilisée par un autre deal"}


def test_a_null_amount_makes_the_deal_to_be_estimated(api: Api) -> None:
    deal_id = add_deal(api.engine, "Acme", OWNER)
    answer = api.call("PATCH", f"/deals/{deal_id}", "admin", json={"version": 1, "montant_brut": None})
    assert answer.json()["montant_brut"] is None
    assert _stored(api, deal_id)["montant_brut"] is None
    kpis = api.call("GET", "/kpis", "lecteur").json()
    assert (kpis["sans_montant"], kpis["pipeline_pondere"]) == (1, None)


def test_unknown_routes_and_methods_answer_json_in_french(api: Api) -> None:
    missing = api.call("GET", "/rien")
    assert (missing.status_code, missing.json()["code"]) == (404, "introuvable")
    wrong = api.call("PUT", "/deals/1")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "methode_refusee")
    assert set(wrong.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH", "DELETE"}
    assert api.call("GET", f"/deals/{2**31}").status_code == 404


def test_a_file_over_the_upload_limit_is_a_413_in_french_and_imports_nothing(database_url: str, engine) -> None:
    Accounts(engine).add("admin", "Alice Admin", "admin", PASSWORD)
    secret = ApiTokens(engine).create("admin", "tests")[1]
    limits = replace(TEAM, database_url=database_url, upload_max_bytes=1024)
    for served in serve(limits):
        headers = {"Authorization": f"Bearer {secret}"}
        big = b"client;statut\n" + b"Acme;Prospect\n" * 200  # 2.8 KB, under the request limit, over the file limit
        answer = requests.post(f"{served.url}/api/v1/imports", files={"fichier": ("gros.csv", big)},
                               headers=headers, timeout=30)
        assert answer.status_code == 413 and answer.json()["code"] == "trop_gros"
        assert "gros.csv" in answer.json()["message"]
        huge = b"x" * (limits.max_request_bytes + 1)  # over what Flask reads of any request
        answer = requests.post(f"{served.url}/api/v1/imports", files={"fichier": ("enorme.csv", huge)},
                               headers=headers, timeout=30)
        assert answer.status_code == 413 and answer.json()["code"] == "trop_gros"
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 0
