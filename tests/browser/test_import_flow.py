"""The upload flow in a real browser: preview, a corrected mapping, confirm, and the dashboard follows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from dash.testing.composite import DashComposite
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from app import create_app
from layouts import ids
from settings import Settings
from tests.browser import page
from tests.browser.deals import Row, french_count, french_euros

# A French Excel export: Windows-1252, semicolons, French amounts. "Catégorie" is not a header the
# importer knows, so it starts ignored; the user maps it to the sector. Line 5 has a negative amount.
UPLOADED = (
    "Société;Étape;Montant HT;Catégorie;Échéance\r\n"
    "Société Générale;Négociation;12 500,50;Aéronautique;15/12/2026\r\n"
    "Crédit Agricole;Gagné;8 000,00;Aéronautique;02/01/2027\r\n"
    "Décathlon;Prospect;3 250,00;Sport;\r\n"
    "Erreur & Fils;Qualifié;-40,00;Sport;10/12/2026\r\n"
)
NEW_DEALS = [("Négociation", Decimal("12500.50")), ("Gagné", Decimal("8000.00")), ("Prospect", Decimal("3250.00"))]
PROBABILITY = {"Prospect": Decimal("0.10"), "Négociation": Decimal("0.70"), "Gagné": Decimal("1.00")}


def upload(dash_duo: DashComposite, path: Path) -> None:
    dash_duo.find_element(f"#{ids.UPLOAD_CSV} input[type=file]").send_keys(str(path))


def mapping_dropdown(dash_duo: DashComposite, header: str) -> WebElement:
    rows = "//table[contains(@class,'import-mapping')]//tr"
    row = dash_duo.driver.find_element(By.XPATH, f"{rows}[td[1]='{header}']")
    return page.into_view(dash_duo, row.find_element(By.CSS_SELECTOR, ".dash-dropdown"))


def test_upload_preview_remap_confirm_then_dashboard_and_history_follow(
    dashboard: DashComposite, deals: list[Row], tmp_path: Path
) -> None:
    path = tmp_path / "export excel.csv"
    path.write_bytes(UPLOADED.encode("cp1252"))
    upload(dashboard, path)

    dashboard.wait_for_contains_text(f"#{ids.IMPORT_PREVIEW}", "Windows-1252", timeout=page.TIMEOUT)
    preview = page.text(dashboard, ids.IMPORT_PREVIEW)
    assert "À créer : 3" in preview and "rejetés : 1" in preview
    assert "montant négatif « -40,00 »" in preview

    dashboard.select_dcc_dropdown(mapping_dropdown(dashboard, "Catégorie"), value="Secteur")
    page.wait_idle(dashboard)
    page.press(dashboard, f"#{ids.IMPORT_CONFIRM}")
    dashboard.wait_for_contains_text(f"#{ids.IMPORT_RESULT}", "3 deals créés", timeout=page.TIMEOUT)

    weighted = sum(row.weighted for row in deals) + sum(
        (amount * PROBABILITY[stage]).quantize(Decimal("0.01")) for stage, amount in NEW_DEALS)
    page.wait_for_texts(dashboard, {
        ids.KPI_DEAL_COUNT: french_count(len(deals) + 3),
        ids.KPI_WEIGHTED_PIPELINE: french_euros(weighted),
    })
    until(lambda: "Aéronautique" in page.props(dashboard, ids.GRAPH_SECTORS)["figure"]["data"][0]["y"],
          timeout=page.TIMEOUT)
    history = page.text(dashboard, ids.IMPORT_HISTORY)
    assert "export excel.csv" in history
    assert page.props(dashboard, ids.IMPORT_CONFIRM)["disabled"] is True
    assert dashboard.get_logs() == []


def test_a_file_that_is_not_a_table_gets_a_french_message_and_changes_nothing(
    dashboard: DashComposite, deals: list[Row], tmp_path: Path
) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    upload(dashboard, path)
    dashboard.wait_for_contains_text(f"#{ids.IMPORT_PREVIEW}", "PNG", timeout=page.TIMEOUT)
    assert page.props(dashboard, ids.IMPORT_CONFIRM)["disabled"] is True
    assert page.text(dashboard, ids.KPI_DEAL_COUNT) == french_count(len(deals))
    assert "Traceback" not in page.text(dashboard, ids.IMPORT_PREVIEW)
    assert dashboard.get_logs() == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_sent(
    dash_duo: DashComposite, sqlite_url: str, tmp_path: Path
) -> None:
    dash_duo.start_server(create_app(Settings(database_url=sqlite_url, demo_data=False, upload_max_bytes=2_000)))
    path = tmp_path / "gros.csv"
    path.write_text("Client;Statut;Montant\n" + "Acme;Gagné;100\n" * 400)
    upload(dash_duo, path)
    dash_duo.wait_for_contains_text(f"#{ids.UPLOAD_WARNING}", "trop volumineux", timeout=page.TIMEOUT)
    assert "« gros.csv »" in page.text(dash_duo, ids.UPLOAD_WARNING)
    assert page.text(dash_duo, ids.IMPORT_PREVIEW) == ""
    assert dash_duo.get_logs() == []


def test_the_stages_chosen_in_the_preview_are_the_ones_the_import_applies(
    dashboard: DashComposite, deals: list[Row], tmp_path: Path
) -> None:
    """Stages another CRM names its own way: the suggested one is applied as shown, the founder picks the other,
    the preview counts them, and the confirm creates exactly what the preview said (it used to drop the choices
    and reject those rows)."""
    path = tmp_path / "autre crm.csv"
    path.write_text("Client;Statut;Montant\r\nAlpha;Signature;1 000\r\nBeta;Signature;2 000\r\n"
                    "Gamma;Devis envoyé;3 000\r\n", encoding="utf-8")
    upload(dashboard, path)
    dashboard.wait_for_contains_text(f"#{ids.IMPORT_PREVIEW}", "À créer : 1", timeout=page.TIMEOUT)
    assert "rejetés : 2" in page.text(dashboard, ids.IMPORT_PREVIEW)

    dashboard.select_dcc_dropdown(mapping_dropdown(dashboard, "Signature"), value="Gagné")
    dashboard.wait_for_contains_text(f"#{ids.IMPORT_PREVIEW}", "À créer : 3", timeout=page.TIMEOUT)
    page.wait_idle(dashboard)
    page.press(dashboard, f"#{ids.IMPORT_CONFIRM}")

    dashboard.wait_for_contains_text(f"#{ids.IMPORT_RESULT}", "3 deals créés", timeout=page.TIMEOUT)
    page.wait_for_texts(dashboard, {ids.KPI_DEAL_COUNT: french_count(len(deals) + 3)})
    assert dashboard.get_logs() == []


def test_every_import_of_a_visit_joins_the_history(dashboard: DashComposite, tmp_path: Path) -> None:
    for number, client in enumerate(("Alpha", "Beta", "Gamma"), start=1):
        path = tmp_path / f"import {number}.csv"
        path.write_text(f"Client;Statut;Montant\r\n{client};Prospect;1 000\r\n", encoding="utf-8")
        upload(dashboard, path)
        dashboard.wait_for_contains_text(f"#{ids.IMPORT_PREVIEW}", path.name, timeout=page.TIMEOUT)
        page.wait_idle(dashboard)
        page.press(dashboard, f"#{ids.IMPORT_CONFIRM}")
        dashboard.wait_for_contains_text(f"#{ids.IMPORT_RESULT}", "1 deal créé", timeout=page.TIMEOUT)
        until(lambda name=path.name: name in page.text(dashboard, ids.IMPORT_HISTORY), timeout=page.TIMEOUT)
    history = page.text(dashboard, ids.IMPORT_HISTORY)
    assert all(f"import {number}.csv" in history for number in (1, 2, 3))
    assert dashboard.get_logs() == []
