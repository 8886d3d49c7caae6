"""The role table of issue 14, enforced by the one write service on both databases: every write path × every
role × the actor's own deal or another's. An allowed write lands; a refused one raises a French
`PermissionDeniedError` and leaves every deal (row count and checksum) as it was. Solo mode (no actor) may
do everything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, text

from domain.accounts import Actor, PermissionDeniedError, Role
from domain.deal_record import DealRecord
from services.cache import VersionedCache
from services.deal_input import typed_values
from services.importing import writing
from services.imports import ImportService
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from tests.importing.conftest import deals_state, fixture_bytes
from wiring import make_cache_backend

OWNER = "Léa Dubois"
ACTORS = {"admin": Actor("Alice Admin", Role.ADMIN), "own commercial": Actor(OWNER, Role.COMMERCIAL),
          "other commercial": Actor("Hugo Bernard", Role.COMMERCIAL), "lecture": Actor(OWNER, Role.LECTURE),
          "solo": None}
Write = Callable[[DealWrites, DealRecord, Actor | None], object]


def _change(writes: DealWrites, deal: DealRecord, actor: Actor | None) -> object:
    typed = {**typed_values(deal.values), "montant_brut": "999"}
    return writes.change_deal(deal.id, deal.version, deal.values, typed, "formulaire", actor)


def _remove(writes: DealWrites, deal: DealRecord, actor: Actor | None) -> object:
    return writes.remove_deal(deal.id, deal.version, deal.values, "formulaire", actor)


def _undo(writes: DealWrites, deal: DealRecord, actor: Actor | None) -> object:
    token = writes.remove_deal(deal.id, deal.version, deal.values, "formulaire")  # removed in solo mode
    try:
        return writes.undo_removal(token, "formulaire", actor)
    except PermissionDeniedError:
        writes.undo_removal(token, "formulaire")  # a refused undo leaves it to the rightful user
        raise


def _create(writes: DealWrites, _deal: DealRecord, actor: Actor | None) -> object:
    return writes.create_deal({"client": "Nouveau", "statut": "Prospect"}, "formulaire", actor)


def _import(writes: DealWrites, _deal: DealRecord, actor: Actor | None) -> object:
    return writes.import_file(fixture_bytes("hubspot_deals.csv"), "hubspot.csv", actor=actor)


def _remove_demo(writes: DealWrites, _deal: DealRecord, actor: Actor | None) -> object:
    return writes.remove_demo(actor)


WRITES: dict[str, Write] = {"create": _create, "import": _import, "change": _change, "delete": _remove,
                            "undo": _undo, "remove demo": _remove_demo}
# Who may do what (the table): creating and importing for admin and commercial; changing, deleting and
# undoing for admin and the commercial whose deal it is; removing the demo data for admin only.
ALLOWED = {
    "create": {"admin", "own commercial", "other commercial", "solo"},
    "import": {"admin", "own commercial", "other commercial", "solo"},
    "change": {"admin", "own commercial", "solo"},
    "delete": {"admin", "own commercial", "solo"},
    "undo": {"admin", "own commercial", "solo"},
    "remove demo": {"admin", "solo"},
}


@pytest.fixture
def writes_and_deal(engine: Engine) -> tuple[DealWrites, DealRecord]:
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    writes = DealWrites(engine, cache)
    deal_id = writes.create_deal({"client": "Acme", "statut": "Qualifié", "montant_brut": "1 000",
                                  "assignee": OWNER, "ref_externe": "CRM-LEA-1"}, "formulaire")
    deal = DealReads(engine, cache, today=lambda: date(2026, 11, 21)).deal(deal_id)
    assert deal is not None
    return writes, deal


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("write", WRITES)
def test_each_write_follows_the_role_table(engine: Engine, writes_and_deal: tuple[DealWrites, DealRecord],
                                           write: str, who: str) -> None:
    writes, deal = writes_and_deal
    if who in ALLOWED[write]:
        WRITES[write](writes, deal, ACTORS[who])
        return
    before = deals_state(engine)
    with pytest.raises(PermissionDeniedError) as refused:
        WRITES[write](writes, deal, ACTORS[who])
    # An undo refused is still the rightful user's: the test puts the deal back itself, so only count it.
    after = deals_state(engine)
    assert after[0] == before[0] if write == "undo" else after == before
    assert refused.value.message.startswith(("Votre compte est en lecture seule", "Ce deal est suivi par Léa",
                                             "Seul un admin"))


def _csv(*rows: str) -> bytes:
    return "\r\n".join(("Client;Statut;Montant;Commercial;Réf.", *rows, "")).encode()


def test_a_commercial_s_file_changes_none_of_a_colleague_s_deals(
        engine: Engine, writes_and_deal: tuple[DealWrites, DealRecord]) -> None:
    """A reference names a deal of Léa's: Hugo's import of it is refused whole, preview included (it would have
    rewritten her deal and made it his), and changes nothing; Léa's own import of it updates it."""
    writes, deal = writes_and_deal
    imports = ImportService(engine, writes)
    takeover = _csv(f"Acme repris;Perdu;1;{ACTORS['other commercial'].name};{deal.values.ref_externe}")
    before = deals_state(engine)

    preview = imports.preview(takeover, "reprise.csv", actor=ACTORS["other commercial"])
    outcome = writes.import_file(takeover, "reprise.csv", actor=ACTORS["other commercial"])

    for error in (preview.error, outcome.error):
        assert error == ("Rien n'a été importé : 1 ligne(s) de ce fichier modifieraient des deals d'autres commerciaux "
                         "(ligne 2 : deal suivi par Léa Dubois). Un compte commercial ne modifie que ses propres "
                         "deals : retirez ces lignes, ou demandez à un admin d'importer le fichier.")
    assert outcome.run_id is None and deals_state(engine) == before
    own = writes.import_file(_csv(f"Acme;Négociation;2 000;{OWNER};{deal.values.ref_externe}"), "maj.csv",
                             actor=ACTORS["own commercial"])
    assert (own.error, own.preview.updated) == (None, 1)


def test_the_refusal_counts_every_line_of_the_file_not_only_the_first_batch(
        engine: Engine, writes_and_deal: tuple[DealWrites, DealRecord], monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is read in batches (one line each here): the message counts the colleague's deals the whole file
    would change, and names the first line, not only those of the batch where the first one appeared."""
    writes, deal = writes_and_deal
    writes.create_deal({"client": "Bolt", "statut": "Qualifié", "montant_brut": "500", "assignee": OWNER,
                        "ref_externe": "CRM-LEA-2"}, "formulaire")
    monkeypatch.setattr(writing, "BATCH_ROWS", 1)
    hugo = ACTORS["other commercial"].name
    takeover = _csv(f"Acme repris;Perdu;1;{hugo};{deal.values.ref_externe}", f"Neuf;Prospect;10;{hugo};",
                    f"Bolt repris;Perdu;1;{hugo};CRM-LEA-2")
    before = deals_state(engine)

    outcome = writes.import_file(takeover, "reprise.csv", actor=ACTORS["other commercial"])

    assert outcome.error is not None
    assert outcome.error.startswith("Rien n'a été importé : 2 ligne(s) de ce fichier modifieraient des deals "
                                    "d'autres commerciaux (ligne 2 : deal suivi par Léa Dubois).")
    assert deals_state(engine) == before


def test_the_history_names_the_actor(engine: Engine, writes_and_deal: tuple[DealWrites, DealRecord]) -> None:
    writes, deal = writes_and_deal
    _change(writes, deal, ACTORS["own commercial"])
    with engine.connect() as connection:
        named = connection.execute(text(
            "SELECT user_name FROM deal_events WHERE deal_id = :id AND action = 'updated'"), {"id": deal.id}).all()
    assert [row[0] for row in named] == [OWNER]
