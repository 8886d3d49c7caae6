"""Every API write × every role × own / another's deal, over real HTTP, checked in the database afterwards:
the token's role and the deal's owner decide, whatever the request says."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.api.conftest import OTHER, OWNER, Api, add_deal

ROLES = ("admin", "lea", "hugo", "lecteur")  # lea owns the deal; hugo is another commercial
MAY_ADD = {"admin", "lea", "hugo"}
MAY_CHANGE_LEAS_DEAL = {"admin", "lea"}
CSV = b"client;statut;montant\nNouvelle SARL;Prospect;1000\n"


def _deal_count(api: Api) -> int:
    with api.engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM deals"))


def _refused(answer, allowed: bool) -> None:
    if not allowed:
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "interdit"
        assert answer.json()["message"].startswith(("Votre compte est en lecture seule", "Ce deal est suivi par",
                                                    "Ce deal est sans commercial"))


@pytest.mark.parametrize("login", ROLES)
def test_create_a_deal(api: Api, login: str) -> None:
    answer = api.call("POST", "/deals", login, json={"client": "Nouvelle SARL", "statut": "Prospect"})
    allowed = login in MAY_ADD
    assert answer.status_code == (201 if allowed else 403)
    _refused(answer, allowed)
    assert _deal_count(api) == (1 if allowed else 0)


@pytest.mark.parametrize("login", ROLES)
def test_import_a_file(api: Api, login: str) -> None:
    answer = api.call("POST", "/imports", login, files={"fichier": ("deals.csv", CSV)})
    allowed = login in MAY_ADD
    assert answer.status_code == (201 if allowed else 403)
    _refused(answer, allowed)
    assert _deal_count(api) == (1 if allowed else 0)
    if allowed:
        runs = api.call("GET", "/imports", "lecteur").json()
        assert [(run["fichier"], run["crees"], run["par"]) for run in runs] == [
            ("deals.csv", 1, {"admin": "Alice Admin", "lea": OWNER, "hugo": OTHER}[login])]


@pytest.mark.parametrize("login", ROLES)
def test_an_import_changes_lea_s_deal_only_for_her_or_an_admin(api: Api, login: str) -> None:
    """A reference is enough for a file to rewrite a deal: Hugo's file naming Léa's deal is refused whole
    (the dry run says so first), as the form and PATCH refuse him."""
    deal_id = add_deal(api.engine, "Acme", OWNER)
    with api.engine.begin() as connection:
        connection.execute(text("UPDATE deals SET ref_externe = 'CRM-LEA-1' WHERE id = :id"), {"id": deal_id})
    file = {"fichier": ("reprise.csv", "Client;Statut;Montant;Réf.\nAcme;Perdu;1;CRM-LEA-1\n".encode())}
    dry_run = api.call("POST", "/imports", login, files=file, data={"dry_run": "true"})
    answer = api.call("POST", "/imports", login, files=file)
    allowed = login in MAY_CHANGE_LEAS_DEAL
    if login in MAY_ADD and not allowed:
        for refused in (dry_run, answer):
            assert refused.status_code == 422 and "deals d'autres commerciaux" in refused.json()["message"]
    else:
        assert answer.status_code == (201 if allowed else 403)
    with api.engine.connect() as connection:
        assert connection.scalar(text("SELECT statut FROM deals WHERE id = :id"), {"id": deal_id}) == (
            "Perdu" if allowed else "Qualifié")


@pytest.mark.parametrize("login", ROLES)
@pytest.mark.parametrize("owner", [OWNER, None])
def test_change_a_deal(api: Api, login: str, owner: str | None) -> None:
    deal_id = add_deal(api.engine, "Acme", owner)
    answer = api.call("PATCH", f"/deals/{deal_id}", login, json={"version": 1, "statut": "Gagné"})
    allowed = login == "admin" or (login == "lea" and owner == OWNER)
    assert answer.status_code == (200 if allowed else 403)
    _refused(answer, allowed)
    with api.engine.connect() as connection:
        assert connection.scalar(text("SELECT statut FROM deals WHERE id = :id"), {"id": deal_id}) == (
            "Gagné" if allowed else "Qualifié")


@pytest.mark.parametrize("login", ROLES)
def test_a_commercial_may_hand_on_their_deal_but_not_take_another_s(api: Api, login: str) -> None:
    """Léa may hand her deal to Hugo; Hugo may not move Léa's deal to himself."""
    deal_id = add_deal(api.engine, "Acme", OWNER)
    answer = api.call("PATCH", f"/deals/{deal_id}", login, json={"version": 1, "assignee": OTHER})
    allowed = login in MAY_CHANGE_LEAS_DEAL
    assert answer.status_code == (200 if allowed else 403)
    with api.engine.connect() as connection:
        assert connection.scalar(text("SELECT assignee FROM deals WHERE id = :id"), {"id": deal_id}) == (
            OTHER if allowed else OWNER)


@pytest.mark.parametrize("login", ROLES)
def test_delete_a_deal(api: Api, login: str) -> None:
    deal_id = add_deal(api.engine, "Acme", OWNER)
    answer = api.call("DELETE", f"/deals/{deal_id}", login, params={"version": 1})
    allowed = login in MAY_CHANGE_LEAS_DEAL
    assert answer.status_code == (204 if allowed else 403)
    _refused(answer, allowed)
    assert _deal_count(api) == (0 if allowed else 1)


@pytest.mark.parametrize("login", ROLES)
def test_every_role_reads_every_figure_and_deal(api: Api, login: str) -> None:
    deal_id = add_deal(api.engine, "Acme", OTHER)
    for path in ("/kpis", "/funnel", "/sectors", "/deals", f"/deals/{deal_id}", "/imports"):
        assert api.call("GET", path, login).status_code == 200, path
