"""The deal form's pure parts: the body filled from a deal, the history in French, the alert's props."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.deal_record import DealEventView, DealRecord, DealValues, loss_reason, typed_amount
from layouts.app_alert import HIDDEN, SHOWN, AlertView
from layouts.deal_form import form_body
from layouts.deal_history import NO_HISTORY, history_list

NNBSP, NBSP = "\u202f", "\u00a0"


def _by_id(node: Any, found: dict[str, Any]) -> dict[str, Any]:
    identifier = getattr(node, "id", None)
    if isinstance(identifier, dict) and identifier["type"] in ("deal-field", "deal-date"):
        found[identifier["key"]] = node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "_prop_names"):
            _by_id(child, found)
    return found


def test_the_form_opens_on_a_deal_with_its_values_as_typed() -> None:
    record = DealRecord(7, 3, DealValues("Alpha SA", "Qualifié", Decimal("12500.5"), "Banque", date(2026, 12, 31),
                                         "Léa Dubois", "note", "CRM-7"))
    fields = {}
    for part in form_body(record, ["Banque"], ["Léa Dubois"]):
        _by_id(part, fields)
    assert (fields["client"].value, fields["statut"].value, fields["montant_brut"].value) == (
        "Alpha SA", "Qualifié", "12500,50")
    assert fields["date_echeance"].date == date(2026, 12, 31)
    assert (fields["secteur"].value, fields["assignee"].value, fields["ref_externe"].value, fields["notes"].value) == (
        "Banque", "Léa Dubois", "CRM-7", "note")


def test_a_new_deal_starts_empty_at_the_first_stage_and_an_empty_amount_is_to_estimate() -> None:
    fields = {}
    for part in form_body(None, [], []):
        _by_id(part, fields)
    assert (fields["client"].value, fields["statut"].value, fields["montant_brut"].value) == ("", "Prospect", "")
    assert fields["montant_brut"].placeholder == "vide : à estimer"
    assert (typed_amount(None), typed_amount(Decimal(0))) == ("", "0,00")


def test_the_history_is_written_in_french_newest_first() -> None:
    events = [
        DealEventView(datetime(2026, 11, 21, 13, 5), "updated", "montant_brut", "12500.50", None, "grille", None),
        DealEventView(datetime(2026, 11, 20, 9, 0), "updated", "date_echeance", None, "2026-12-31", "import", None),
        DealEventView(datetime(2026, 11, 19, 8, 0), "created", None, None, None, "hors application", None),
    ]
    title, listing = history_list(events)
    lines = [" ".join(str(part.children) if hasattr(part, "children") else part for part in item.children)
             for item in listing.children]
    assert title.children == "Historique"
    assert lines[0] == f"21/11/2026 14:05  Montant brut (€) : 12{NNBSP}500,50{NBSP}€ → à estimer  (grille)"
    assert lines[1] == "20/11/2026 10:00  Date d'échéance : — → 31/12/2026  (import)"
    assert lines[2] == "19/11/2026 09:00  Création  (hors application)"
    assert history_list([])[1].children == NO_HISTORY


def test_the_loss_reason_keeps_its_detail() -> None:
    assert loss_reason("Prix", " trop cher ") == "Prix : trop cher"
    assert loss_reason("Autre", "") == "Autre"


def test_the_alert_offers_undo_only_when_asked() -> None:
    assert AlertView("Deal supprimé : A.", "secondary", 10, undo=True).props() == (
        "Deal supprimé : A.", True, "secondary", 10_000, SHOWN)
    assert AlertView("Refusé").props()[3:] == (None, HIDDEN)


def _datalist_values(parts: list[Any], list_id: str) -> list[str]:
    found = next(part for part in parts if getattr(part, "id", None) == list_id)
    return [option.value for option in found.children]


def test_the_filters_words_for_none_are_not_offered_as_names() -> None:
    """« Non renseigné » and « Non attribué » are how the filters name deals without a sector or salesperson:
    picked in the form, they would be stored as a sector or a salesperson of that name."""
    parts = form_body(None, ["Banque", "Non renseigné"], ["Non attribué", "Léa Dubois"])
    assert _datalist_values(parts, "deal-sector-names") == ["Banque"]
    assert _datalist_values(parts, "deal-assignee-names") == ["Léa Dubois"]
