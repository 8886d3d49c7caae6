"""The write service behind the deal form and the grid, on both databases: typed deals are checked with the
import's rules (a bad input changes nothing and says why in French), every write carries its source into the
history, a write based on an old version is refused, two saves at once make one winner, and undo restores
every column."""

from __future__ import annotations

import socket
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text

from data.models import Deal
from domain.deal_record import DealValues
from domain.errors import DealConflictError, DealGoneError, DealInputError
from services.cache import VersionedCache
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from tests.importing.conftest import deals_state
from wiring import make_cache, make_cache_backend

VALID = {"client": "Société Générale", "statut": "Négociation", "montant_brut": "12 500,50", "secteur": "Banque",
         "date_echeance": "2026-12-31", "assignee": "Léa Dubois", "notes": "Rendez-vous lundi",
         "ref_externe": "CRM-1"}


@pytest.fixture
def services(engine: Engine) -> tuple[DealReads, DealWrites]:
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    return DealReads(engine, cache, today=lambda: date(2026, 11, 21)), DealWrites(engine, cache)


def _events(engine: Engine, deal_id: int) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT action, field, old_value, new_value, source FROM deal_events WHERE deal_id = :id ORDER BY id"),
            {"id": deal_id})]


def test_a_typed_deal_is_stored_with_typed_values_and_its_source(engine: Engine, services) -> None:
    reads, writes = services
    deal_id = writes.create_deal(VALID, "formulaire")
    record = reads.deal(deal_id)
    assert record is not None and record.version == 1
    assert record.values == DealValues("Société Générale", "Négociation", Decimal("12500.50"), "Banque",
                                       date(2026, 12, 31), "Léa Dubois", "Rendez-vous lundi", "CRM-1", None)
    assert _events(engine, deal_id) == [("created", None, None, None, "formulaire")]


BAD_INPUTS = [
    ({"client": ""}, "client", "client manquant"),
    ({"client": "   "}, "client", "client manquant"),
    ({"client": "C" * 256}, "client", "client trop long (256 caractères, 255 au plus)"),
    ({"statut": ""}, "statut", "statut manquant"),
    ({"statut": "Signé"}, "statut", "statut inconnu « Signé »"),
    ({"statut": "Won"}, "statut", "statut inconnu « Won »"),  # a file's synonym, but not one of the form's stages
    ({"statut": "<script>alert(1)</script>"}, "statut", "statut inconnu"),
    ({"montant_brut": "-40"}, "montant_brut", "montant négatif « -40 »"),
    ({"montant_brut": "-0,01"}, "montant_brut", "montant négatif"),
    ({"montant_brut": "douze"}, "montant_brut", "montant illisible"),
    ({"montant_brut": "12 $"}, "montant_brut", "dans une autre devise que l'euro"),
    ({"montant_brut": "1,234"}, "montant_brut", "plus de deux décimales"),
    ({"montant_brut": "99999999999999"}, "montant_brut", "montant"),
    ({"date_echeance": "31/02/2026"}, "date_echeance", "date impossible « 31/02/2026 »"),
    ({"date_echeance": "2026-13-01"}, "date_echeance", "date"),
    ({"date_echeance": "demain"}, "date_echeance", "date"),
    ({"secteur": "S" * 101}, "secteur", "secteur trop long (101 caractères, 100 au plus)"),
    ({"assignee": "A" * 101}, "assignee", "commercial trop long (101 caractères, 100 au plus)"),
    ({"notes": "n" * 1_000_001}, "notes", "notes trop long (1000001 caractères, 1000000 au plus)"),
    ({"ref_externe": "R" * 256}, "ref_externe", "référence externe trop long"),
    ({"motif_perte": "M" * 256, "statut": "Perdu"}, "motif_perte", "motif de perte trop long"),
    ({"ref_externe": "EXISTANT"}, "ref_externe", "référence externe déjà utilisée par un autre deal"),
    ({"notes": "avant\x00après"}, "notes", "caractère nul interdit"),  # PostgreSQL cannot store it
    ({"client": "\x00"}, "client", "caractère nul interdit"),
]


@pytest.mark.parametrize(("change", "field", "reason"), BAD_INPUTS,
                         ids=[f"{field}: {str(change[field])[:20]}" for change, field, _ in BAD_INPUTS])
def test_a_bad_input_changes_nothing_and_says_why_in_french(engine: Engine, services, change: dict, field: str,
                                                            reason: str) -> None:
    reads, writes = services
    existing = writes.create_deal({**VALID, "ref_externe": "EXISTANT"}, "formulaire")
    record = reads.deal(existing)
    before = deals_state(engine)
    with pytest.raises(DealInputError) as refused:
        writes.create_deal({**VALID, "ref_externe": None, **change}, "formulaire")
    assert reason in refused.value.problems[field]
    assert deals_state(engine) == before
    if field != "ref_externe":  # an edit is checked the same way
        with pytest.raises(DealInputError):
            writes.change_deal(existing, record.version, record.values, {**VALID, "ref_externe": "EXISTANT", **change},
                               "grille")
        assert deals_state(engine) == before


def test_a_change_is_recorded_field_by_field_with_its_source(engine: Engine, services) -> None:
    reads, writes = services
    deal_id = writes.create_deal(VALID, "formulaire")
    record = reads.deal(deal_id)
    changed = writes.change_deal(deal_id, record.version, record.values,
                                 {**VALID, "statut": "Gagné", "montant_brut": ""}, "grille")
    assert (changed.version, changed.values.statut, changed.values.montant_brut) == (2, "Gagné", None)
    assert _events(engine, deal_id)[1:] == [("updated", "statut", "Négociation", "Gagné", "grille"),
                                            ("updated", "montant_brut", "12500.50", None, "grille")]


def test_a_write_based_on_an_old_version_is_refused_and_says_what_changed(engine: Engine, services) -> None:
    reads, writes = services
    deal_id = writes.create_deal(VALID, "formulaire")
    opened = reads.deal(deal_id)
    writes.change_deal(deal_id, opened.version, opened.values, {**VALID, "montant_brut": "20 000"}, "formulaire")
    before = deals_state(engine)
    with pytest.raises(DealConflictError) as refused:
        writes.change_deal(deal_id, opened.version, opened.values, {**VALID, "statut": "Perdu"}, "formulaire")
    assert "Montant brut (€) : 12\u202f500,50\xa0€ → 20\u202f000,00\xa0€" in refused.value.message
    assert deals_state(engine) == before
    with pytest.raises(DealConflictError):
        writes.remove_deal(deal_id, opened.version, opened.values, "formulaire")
    assert deals_state(engine) == before


def test_two_saves_at_the_same_moment_make_one_winner(engine: Engine, services) -> None:
    reads, writes = services
    deal_id = writes.create_deal(VALID, "formulaire")
    opened = reads.deal(deal_id)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def save(amount: str) -> None:
        start.wait()
        try:
            writes.change_deal(deal_id, opened.version, opened.values, {**VALID, "montant_brut": amount}, "formulaire")
            outcomes.append("saved")
        except DealConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(amount,)) for amount in ("1 000", "2 000")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert reads.deal(deal_id).version == 2
    assert [event[:2] for event in _events(engine, deal_id)] == [("created", None), ("updated", "montant_brut")]


def test_undo_restores_every_column_and_keeps_the_history(engine: Engine, services) -> None:
    reads, writes = services
    deal_id = writes.create_deal({**VALID, "statut": "Perdu", "motif_perte": "Prix : trop cher"}, "formulaire")
    with engine.connect() as connection:  # through the model, so timestamps compare as times on both databases
        before = connection.execute(select(Deal).where(Deal.id == deal_id)).one()._asdict()
    record = reads.deal(deal_id)
    token = writes.remove_deal(deal_id, record.version, record.values, "formulaire")
    assert reads.deal(deal_id) is None
    restored = writes.undo_removal(token, "formulaire")
    with engine.connect() as connection:
        after = connection.execute(select(Deal).where(Deal.id == deal_id)).one()._asdict()
    assert restored.id == deal_id
    moved = ("updated_at", "last_change_at")  # the restoration is a change of its own, recorded in the history
    assert {key: value for key, value in after.items() if key not in moved} == {
        key: value for key, value in before.items() if key not in moved}
    assert after["last_change_at"] >= before["last_change_at"]
    assert [event[0] for event in _events(engine, deal_id)] == ["created", "deleted", "restored"]
    with pytest.raises(DealConflictError):  # a token works once
        writes.undo_removal(token, "formulaire")


def test_a_deal_created_while_another_waits_for_its_undo_is_a_deal_of_its_own(engine: Engine, services) -> None:
    """The newest deal deleted, then a colleague creates one within the ten seconds: the new deal has an id of its
    own and only its own history, and « Annuler » still brings the deleted one back (SQLite gave the new deal the
    deleted one's id, and with it its history, before migration 0026)."""
    reads, writes = services
    deleted_id = writes.create_deal({**VALID, "statut": "Gagné"}, "formulaire")
    record = reads.deal(deleted_id)
    token = writes.remove_deal(deleted_id, record.version, record.values, "formulaire")

    new_id = writes.create_deal({**VALID, "client": "Nouveau client", "ref_externe": None}, "formulaire")
    assert new_id != deleted_id
    assert [event[0] for event in _events(engine, new_id)] == ["created"]
    restored = writes.undo_removal(token, "formulaire")
    assert (restored.id, restored.values.client, restored.values.statut) == (deleted_id, "Société Générale", "Gagné")


def _free_port() -> int:
    """A local port nothing listens on: a Redis there is a Redis that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _deleted(engine: Engine, writes: DealWrites) -> tuple[int, str]:
    reads = DealReads(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple"))))
    deal_id = writes.create_deal(VALID, "formulaire")
    record = reads.deal(deal_id)
    return deal_id, writes.remove_deal(deal_id, record.version, record.values, "formulaire")


def test_undo_works_while_the_cache_is_down(engine: Engine) -> None:
    """The deleted deal waits for its undo in the database, not in the cache: with Redis down the founder's
    « Annuler » still brings it back."""
    down = Settings(cache_type="redis", redis_url=f"redis://127.0.0.1:{_free_port()}/0")
    writes = DealWrites(engine, make_cache(down))
    deal_id, token = _deleted(engine, writes)

    restored = writes.undo_removal(token, "formulaire")

    assert restored.id == deal_id and restored.values.client == VALID["client"]


def test_undo_works_from_another_worker(engine: Engine) -> None:
    """Two workers, each with its own in-process cache: the undo click may reach the one that did not delete."""
    deleting, undoing = (DealWrites(engine, make_cache(Settings(cache_type="simple"))) for _ in range(2))
    deal_id, token = _deleted(engine, deleting)

    assert undoing.undo_removal(token, "formulaire").id == deal_id


def test_an_expired_undo_restores_nothing(engine: Engine, services) -> None:
    _reads, writes = services
    deal_id, token = _deleted(engine, writes)
    with engine.begin() as connection:  # the offer's seconds have passed
        connection.execute(text("UPDATE deal_undo SET expires_at = :past"), {"past": datetime(2000, 1, 1)})

    with pytest.raises(DealConflictError, match="Trop tard pour annuler"):
        writes.undo_removal(token, "formulaire")
    with engine.connect() as connection:
        assert connection.execute(select(Deal).where(Deal.id == deal_id)).first() is None


def test_a_deletion_purges_the_expired_undo_tickets(engine: Engine, services) -> None:
    _reads, writes = services
    _deleted(engine, writes)
    with engine.begin() as connection:
        connection.execute(text("UPDATE deal_undo SET expires_at = :past"), {"past": datetime(2000, 1, 1)})
    _deleted(engine, writes)

    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM deal_undo")).scalar_one() == 1


def test_an_unknown_or_forged_undo_token_restores_nothing(engine: Engine, services) -> None:
    _reads, writes = services
    before = deals_state(engine)
    for token in ("inconnu", "", None, {"id": 1}):
        with pytest.raises(DealConflictError):
            writes.undo_removal(token, "formulaire")  # type: ignore[arg-type]
    assert deals_state(engine) == before


def test_editing_a_deleted_deal_says_it_is_gone(engine: Engine, services) -> None:
    reads, writes = services
    deal_id = writes.create_deal(VALID, "formulaire")
    record = reads.deal(deal_id)
    writes.remove_deal(deal_id, record.version, record.values, "formulaire")
    with pytest.raises(DealGoneError):
        writes.change_deal(deal_id, record.version, record.values, VALID, "formulaire")
