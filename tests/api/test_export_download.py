"""The export download route over real HTTP, AUTH=on: a signed link streams the view's file to the account it was
signed for, and to no one else; a link cannot be edited into another view or kept past its minute."""

from __future__ import annotations

import csv
import io

import openpyxl
import requests

from domain.deal_filter import DealFilter
from domain.pipeline_results import DeadlineScope
from services.accounts import Accounts
from services.exports import ExportView
from services.exports.download_token import DownloadRequest, DownloadTokens
from tests.api.conftest import OTHER, OWNER, Api, add_deal
from tests.auth.test_sign_in import PASSWORD, TEAM

TOKENS = DownloadTokens(TEAM.secret_key)
NEGOTIATION = ExportView(DealFilter.build(stages=["Négociation"]), DeadlineScope.ALL, (("client", False),))


def _signed_in(api: Api, login: str) -> requests.Session:
    """A browser-like session signed in as `login` (the sign-in form, its cookie kept)."""
    session = requests.Session()
    answer = session.post(f"{api.served.url}/login", data={"login": login, "password": PASSWORD, "next": "/"},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    return session


def _link(api: Api, login: str, file_format: str = "csv", view: ExportView = NEGOTIATION) -> str:
    """The link the export callback hands to `login` (same secret, same account id)."""
    account = Accounts(api.engine).by_login(login)
    return f"{api.served.url}/exports/{TOKENS.issue(DownloadRequest(file_format, view, account.id))}"


def _three_deals(api: Api) -> None:
    add_deal(api.engine, "Zeta Négoce", OWNER, "Négociation", 3000)
    add_deal(api.engine, "Alpha Négoce", OTHER, "Négociation", 2000)
    add_deal(api.engine, "Prospect seul", OWNER, "Prospect", 1000)


def test_the_link_streams_the_views_csv_to_its_account(api: Api) -> None:
    _three_deals(api)

    answer = _signed_in(api, "lea").get(_link(api, "lea"), stream=True, timeout=30)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="deals-')
    assert "Content-Length" not in answer.headers  # streamed: the size is not known when the first bytes leave
    header, *rows = csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";")
    assert [(row[header.index("Client")], row[header.index("Statut")]) for row in rows] == [
        ("Alpha Négoce", "Négociation"), ("Zeta Négoce", "Négociation")]


def test_the_link_serves_the_workbook_and_the_report_too(api: Api) -> None:
    _three_deals(api)
    session = _signed_in(api, "admin")

    workbook = session.get(_link(api, "admin", "xlsx"), timeout=30)
    report = session.get(_link(api, "admin", "pdf"), timeout=30)

    assert workbook.status_code == report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Deals"]
    assert [line[0] for line in sheet.iter_rows(min_row=2, values_only=True)] == ["Alpha Négoce", "Zeta Négoce"]
    assert report.headers["Content-Type"] == "application/pdf" and report.content.startswith(b"%PDF-")


def test_another_accounts_link_is_refused(api: Api) -> None:
    _three_deals(api)

    answer = _signed_in(api, "hugo").get(_link(api, "lea"), timeout=30)

    assert answer.status_code == 403
    assert answer.text == "Ce lien de téléchargement a été créé pour un autre compte."


def test_without_a_session_the_link_leads_to_the_sign_in(api: Api) -> None:
    _three_deals(api)

    answer = requests.get(_link(api, "lea"), allow_redirects=False, timeout=30)

    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=%2Fexports%2F")


def test_an_edited_or_foreign_link_is_refused(api: Api) -> None:
    _three_deals(api)
    session = _signed_in(api, "lea")
    link = _link(api, "lea")
    account = Accounts(api.engine).by_login("lea").id
    foreign = DownloadTokens("une autre clé secrète" * 3).issue(DownloadRequest("csv", ExportView(), account))

    for forged in (link[:-3] + ("BBB" if link.endswith("AAA") else "AAA"),
                   f"{api.served.url}/exports/{foreign}"):
        answer = session.get(forged, timeout=30)
        assert answer.status_code == 404
        assert answer.text.startswith("Ce lien de téléchargement n'est plus valable")


def test_a_token_opens_to_the_view_it_was_signed_for_and_not_after_its_time() -> None:
    view = ExportView(DealFilter.build(stages=["Gagné", "Prospect"], sectors=["Banque"], assignees=["Léa"],
                                       due_from="2026-11-01", due_to="2026-12-31", search="<b>x</b>",
                                       missing=["montant"]), DeadlineScope.OVERDUE, (("montant_brut", True),))
    token = TOKENS.issue(DownloadRequest("xlsx", view, 7))

    assert TOKENS.opened(token) == DownloadRequest("xlsx", view, 7)
    assert DownloadTokens(TEAM.secret_key, max_age=-1).opened(token) is None
