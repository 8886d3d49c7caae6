"""The deal form in a real browser: create, refuse field by field, edit from the grid, edit in the grid, won,
lost with a reason, delete then undo (or not), a conflict between two tabs, and HTML typed as plain text.
Each test checks what the founder sees (cards, grid, messages) and what the database holds."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from dash.testing.composite import DashComposite
from dash.testing.wait import until
from sqlalchemy import select, text

from data.db import make_engine
from data.models import Deal, DealEvent
from layouts import ids
from tests.browser import deal_form_page as form
from tests.browser import page
from tests.browser.deals import Row, deadline_rows, expected_kpis, french_euros

pytestmark = pytest.mark.browser


def _stored(url: str) -> dict[int, dict]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = {row.id: row._asdict() for row in connection.execute(select(Deal))}
    engine.dispose()
    return rows


def _events(url: str, deal_id: int) -> list[tuple[str, str | None, str]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = [(row.action, row.field, row.source) for row in connection.execute(
            select(DealEvent).where(DealEvent.deal_id == deal_id).order_by(DealEvent.id))]
    engine.dispose()
    return found


def _checksum(url: str) -> tuple:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = tuple(connection.execute(text(
            "SELECT count(*), sum(id), sum(coalesce(montant_brut, 0)), max(version) FROM deals")).one())
    engine.dispose()
    return found


def _wait_alert(dashboard: DashComposite, message: str) -> None:
    """The app-wide alert says `message` (a closing form alone does not tell the founder it saved)."""
    dashboard.wait_for_contains_text(f"#{ids.APP_ALERT}", message, timeout=page.TIMEOUT)


def test_create_a_deal_and_every_figure_shows_it(dashboard: DashComposite, deals: list[Row], sqlite_url: str) -> None:
    form.open_new(dashboard)
    form.type_into(dashboard, "client", "Aéro Nouveau")
    form.choose_stage(dashboard, "Négociation")
    form.type_into(dashboard, "montant_brut", "12 500,50")
    form.type_into(dashboard, "secteur", "Aéronautique")
    form.type_due_date(dashboard, "25/11/2026")
    form.type_into(dashboard, "assignee", "Léa Dubois")
    form.type_into(dashboard, "notes", "Rencontré au salon")
    page.press(dashboard, f"#{ids.DEAL_SAVE}")
    form.wait_closed(dashboard)
    _wait_alert(dashboard, "Deal créé : Aéro Nouveau.")

    new = Row(1000, "Aéro Nouveau", "Négociation", Decimal("12500.50"), "Aéronautique", "Léa Dubois",
              date(2026, 11, 25))
    page.wait_for_texts(dashboard, expected_kpis([*deals, new]))
    page.wait_for_grid(dashboard, "client", [row.client for row in deadline_rows([*deals, new])[:10]])
    (stored,) = [row for row in _stored(sqlite_url).values() if row["client"] == "Aéro Nouveau"]
    assert (stored["statut"], stored["montant_brut"], stored["secteur"], stored["date_echeance"],
            stored["assignee"], stored["notes"]) == (
        "Négociation", Decimal("12500.50"), "Aéronautique", date(2026, 11, 25), "Léa Dubois", "Rencontré au salon")
    assert _events(sqlite_url, stored["id"]) == [("created", None, "formulaire")]
    assert dashboard.get_logs() == []


@pytest.mark.parametrize(("key", "typed", "reason"), [
    ("client", "", "client manquant"),
    ("montant_brut", "-40", "montant négatif « -40 »"),
    ("montant_brut", "12 $", "dans une autre devise que l'euro"),
    ("secteur", "S" * 101, "secteur trop long (101 caractères, 100 au plus)"),
    ("assignee", "A" * 101, "commercial trop long (101 caractères, 100 au plus)"),
], ids=["empty client", "negative amount", "dollars", "long sector", "long salesperson"])
def test_a_refused_field_says_why_beside_it_and_nothing_is_written(
    dashboard: DashComposite, sqlite_url: str, key: str, typed: str, reason: str
) -> None:
    before = _checksum(sqlite_url)
    form.open_new(dashboard)
    form.type_into(dashboard, "client", "Client valable")
    form.type_into(dashboard, key, typed)
    page.press(dashboard, f"#{ids.DEAL_SAVE}")

    until(lambda: reason in form.feedback(dashboard, key), timeout=page.TIMEOUT)
    summary = page.text(dashboard, ids.DEAL_FORM_ERROR)
    assert summary.startswith("Le deal n'a pas été enregistré : 1 champ à corriger")
    assert "is-invalid" in form.field(dashboard, key).get_attribute("class")
    assert _checksum(sqlite_url) == before
    assert dashboard.get_logs() == []


@pytest.mark.parametrize("typed", ["31/02/2026", "demain"])
def test_a_due_date_the_calendar_cannot_read_is_refused_beside_it_not_dropped(
    dashboard: DashComposite, sqlite_url: str, typed: str
) -> None:
    """The date picker gives back no date for such text: the deal used to be saved without a due date, with no
    word. The text is judged by the import's rules instead, and nothing is written."""
    before = _checksum(sqlite_url)
    form.open_new(dashboard)
    form.type_into(dashboard, "client", "Fromagerie Test")
    form.type_due_date(dashboard, typed, confirm=False)
    page.press(dashboard, f"#{ids.DEAL_SAVE}")

    until(lambda: f"« {typed} »" in form.feedback(dashboard, "date_echeance"), timeout=page.TIMEOUT)
    assert form.feedback(dashboard, "date_echeance").startswith(("date impossible", "date illisible"))
    assert _checksum(sqlite_url) == before
    assert dashboard.get_logs() == []


def test_a_click_on_a_grid_row_opens_its_deal_and_a_save_changes_it(
    dashboard: DashComposite, deals: list[Row], sqlite_url: str
) -> None:
    first = deadline_rows(deals)[0]
    form.open_row(dashboard, first.client)
    assert form.field(dashboard, "client").get_attribute("value") == first.client
    assert form.field(dashboard, "montant_brut").get_attribute("value") == f"{first.montant_brut:.2f}".replace(".", ",")

    form.type_into(dashboard, "montant_brut", "99 000")
    page.press(dashboard, f"#{ids.DEAL_SAVE}")
    form.wait_closed(dashboard)
    _wait_alert(dashboard, f"Deal enregistré : {first.client}.")

    changed = [replace(row, montant_brut=Decimal("99000.00")) if row.id == first.id else row for row in deals]
    page.wait_for_texts(dashboard, expected_kpis(changed))
    page.wait_for_grid(dashboard, "montant_brut",
                       [french_euros(row.montant_brut, cents=True) for row in deadline_rows(changed)[:10]])
    form.open_row(dashboard, first.client)
    history = page.text(dashboard, ids.DEAL_HISTORY)
    assert f"Montant brut (€) : {french_euros(first.montant_brut, cents=True)} → 99\u202f000,00\xa0€" in history
    assert "(formulaire)" in history
    assert dashboard.get_logs() == []


def test_an_amount_edited_in_the_grid_is_saved(dashboard: DashComposite, deals: list[Row], sqlite_url: str) -> None:
    first = deadline_rows(deals)[0]
    form.edit_cell(dashboard, first.client, "montant_brut", "7 000")

    changed = [replace(row, montant_brut=Decimal("7000.00")) if row.id == first.id else row for row in deals]
    page.wait_for_texts(dashboard, expected_kpis(changed))
    assert _stored(sqlite_url)[first.id]["montant_brut"] == Decimal("7000.00")
    assert _events(sqlite_url, first.id)[-1] == ("updated", "montant_brut", "grille")
    assert dashboard.get_logs() == []


def test_a_refused_grid_edit_puts_the_old_value_back_and_says_why(
    dashboard: DashComposite, deals: list[Row], sqlite_url: str
) -> None:
    first = deadline_rows(deals)[0]
    before = _checksum(sqlite_url)
    form.edit_cell(dashboard, first.client, "montant_brut", "-5")

    dashboard.wait_for_contains_text(f"#{ids.APP_ALERT}", "Modification refusée : montant négatif « -5 »",
                                     timeout=page.TIMEOUT)
    page.wait_for_grid(dashboard, "montant_brut",
                       [french_euros(row.montant_brut, cents=True) for row in deadline_rows(deals)[:10]])
    assert _checksum(sqlite_url) == before
    assert dashboard.get_logs() == []


def test_won_moves_the_deal_to_gagne(dashboard: DashComposite, deals: list[Row], sqlite_url: str) -> None:
    deal = next(row for row in deadline_rows(deals)[:10] if row.statut == "Qualifié")  # on the grid's first page
    form.open_row(dashboard, deal.client)
    page.press(dashboard, f"#{ids.DEAL_WON}")
    form.wait_closed(dashboard)
    _wait_alert(dashboard, f"Deal gagné : {deal.client}.")

    changed = [replace(row, statut="Gagné") if row.id == deal.id else row for row in deals]
    page.wait_for_texts(dashboard, expected_kpis(changed))
    assert _stored(sqlite_url)[deal.id]["statut"] == "Gagné"
    assert dashboard.get_logs() == []


def test_lost_asks_for_a_reason_and_keeps_it(dashboard: DashComposite, deals: list[Row], sqlite_url: str) -> None:
    deal = next(row for row in deadline_rows(deals)[:10] if row.statut == "Négociation")
    form.open_row(dashboard, deal.client)
    page.press(dashboard, f"#{ids.DEAL_LOST}")
    form.wait_step(dashboard, "lost")
    form.field(dashboard, "motif_raison").find_element("xpath", "option[.='Concurrent']").click()
    form.type_into(dashboard, "motif_detail", "moins cher de 10 %")
    form.press_step(dashboard, "lost")
    form.wait_closed(dashboard)
    _wait_alert(dashboard, f"Deal perdu : {deal.client}.")

    changed = [replace(row, statut="Perdu") if row.id == deal.id else row for row in deals]
    page.wait_for_texts(dashboard, expected_kpis(changed))
    stored = _stored(sqlite_url)[deal.id]
    assert (stored["statut"], stored["motif_perte"]) == ("Perdu", "Concurrent : moins cher de 10 %")
    assert dashboard.get_logs() == []


def _delete(dashboard: DashComposite, client: str) -> None:
    form.open_row(dashboard, client)
    page.press(dashboard, f"#{ids.DEAL_DELETE}")
    form.press_step(dashboard, "delete")
    form.wait_closed(dashboard)
    _wait_alert(dashboard, f"Deal supprimé : {client}.")


def test_delete_then_undo_brings_the_deal_back_as_it_was(
    dashboard: DashComposite, deals: list[Row], sqlite_url: str
) -> None:
    deal = deadline_rows(deals)[0]
    before = _stored(sqlite_url)[deal.id]
    _delete(dashboard, deal.client)
    page.wait_for_texts(dashboard, expected_kpis([row for row in deals if row.id != deal.id]))

    page.press(dashboard, f"#{ids.DEAL_UNDO}")
    _wait_alert(dashboard, f"Deal restauré : {deal.client}.")
    page.wait_for_texts(dashboard, expected_kpis(deals))
    after = _stored(sqlite_url)[deal.id]
    moved = ("updated_at", "version", "last_change_at")  # the restoration is a change of its own, in the history
    assert {key: value for key, value in after.items() if key not in moved} == {
        key: value for key, value in before.items() if key not in moved}
    assert [action for action, _field, _source in _events(sqlite_url, deal.id)] == ["created", "deleted", "restored"]
    assert dashboard.get_logs() == []


def test_the_undo_offer_shows_where_the_founder_works(dashboard: DashComposite, deals: list[Row]) -> None:
    """Deleting from a row far down the page: the message and its « Annuler » are in the window as it stands,
    not above the cards, where a founder working in the grid never sees them."""
    deal = deadline_rows(deals)[0]
    _delete(dashboard, deal.client)
    in_view = dashboard.driver.execute_script(
        "const box = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return box.top >= 0 && box.bottom <= window.innerHeight && box.width > 0;", ids.DEAL_UNDO)
    assert in_view
    assert dashboard.driver.execute_script("return window.scrollY") > 0  # the form was opened from the grid
    assert dashboard.get_logs() == []


def test_a_save_right_after_a_deletion_keeps_the_undo_offer(
    dashboard: DashComposite, deals: list[Row], sqlite_url: str
) -> None:
    """The « Deal enregistré » message does not take the place of a deletion's « Annuler » still on offer: the
    founder who saved another deal within the 10 seconds can still bring the deleted one back."""
    deleted, saved = deadline_rows(deals)[0], deadline_rows(deals)[1]
    _delete(dashboard, deleted.client)
    form.open_row(dashboard, saved.client)
    form.type_into(dashboard, "montant_brut", "99 000")
    page.press(dashboard, f"#{ids.DEAL_SAVE}")
    form.wait_closed(dashboard)
    changed = [replace(row, montant_brut=Decimal("99000.00")) if row.id == saved.id else row
               for row in deals if row.id != deleted.id]
    page.wait_for_texts(dashboard, expected_kpis(changed))

    assert f"Deal supprimé : {deleted.client}." in page.text(dashboard, ids.APP_ALERT)
    page.press(dashboard, f"#{ids.DEAL_UNDO}")
    _wait_alert(dashboard, f"Deal restauré : {deleted.client}.")
    assert deleted.id in _stored(sqlite_url)
    assert dashboard.get_logs() == []


def test_a_deletion_without_undo_is_final_after_ten_seconds(
    dashboard: DashComposite, deals: list[Row], sqlite_url: str
) -> None:
    deal = deadline_rows(deals)[0]
    _delete(dashboard, deal.client)
    dashboard.wait_for_no_elements(f"#{ids.APP_ALERT}", timeout=14)
    page.wait_for_texts(dashboard, expected_kpis([row for row in deals if row.id != deal.id]))
    assert deal.id not in _stored(sqlite_url)
    assert dashboard.get_logs() == []


def test_a_save_over_a_change_made_in_another_tab_is_refused_and_offers_a_reload(
    dashboard: DashComposite, deals: list[Row], sqlite_url: str
) -> None:
    deal = deadline_rows(deals)[0]
    form.open_row(dashboard, deal.client)
    first_tab = dashboard.driver.current_window_handle

    dashboard.driver.switch_to.new_window("tab")
    dashboard.driver.get(dashboard.server_url)
    dashboard.wait_for_element("#table-deadlines .ag-row .ag-cell", timeout=page.TIMEOUT)
    form.open_row(dashboard, deal.client)
    form.choose_stage(dashboard, "Gagné")
    page.press(dashboard, f"#{ids.DEAL_SAVE}")
    form.wait_closed(dashboard)
    dashboard.driver.close()
    dashboard.driver.switch_to.window(first_tab)

    form.type_into(dashboard, "montant_brut", "1 000")
    page.press(dashboard, f"#{ids.DEAL_SAVE}")
    dashboard.wait_for_contains_text(f"#{ids.DEAL_FORM_ERROR}", "Ce deal a été modifié entre-temps (Statut : "
                                     f"{deal.statut} → Gagné)", timeout=page.TIMEOUT)
    assert _stored(sqlite_url)[deal.id]["montant_brut"] == deal.montant_brut
    form.press_step(dashboard, "reload")
    until(lambda: form.field_value(dashboard, "statut") == "Gagné", timeout=page.TIMEOUT)
    dashboard.wait_for_no_elements(f"#{ids.DEAL_FORM_ERROR}", timeout=page.TIMEOUT)  # the message is gone
    assert dashboard.get_logs() == []


HOSTILE = '<script>window.pwned=1</script><b>gras</b><img src=x onerror="window.pwned=2">'


def test_html_typed_in_every_text_field_is_shown_as_text(dashboard: DashComposite, sqlite_url: str) -> None:
    form.open_new(dashboard)
    for key in ("client", "secteur", "assignee", "notes", "ref_externe"):
        form.type_into(dashboard, key, HOSTILE[:100])
    form.type_due_date(dashboard, "01/01/2020")  # the soonest due date: first row of the grid
    page.press(dashboard, f"#{ids.DEAL_SAVE}")
    form.wait_closed(dashboard)

    until(lambda: HOSTILE[:100] in page.grid_column(dashboard, "client"), timeout=page.TIMEOUT)
    form.open_row(dashboard, HOSTILE[:100])
    assert form.field(dashboard, "secteur").get_attribute("value") == HOSTILE[:100]
    time.sleep(0.5)
    assert dashboard.driver.execute_script("return window.pwned === undefined")
    assert not dashboard.find_elements("#table-deadlines b, #deal-form b")
    assert dashboard.get_logs() == []
