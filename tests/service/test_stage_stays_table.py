"""`stage_stays` on both databases: what the triggers keep at each write equals what the history implies when
rebuilt afterwards, and a small case worked by hand.

The figures read from the table (the stage movement) are checked against a plain-Python walk of a known history
in `test_performance.py`; here, the bookkeeping of the writes: creations, an import, stage, sector, salesperson
changes through the app, statements run with plain SQL (several rows at once, no write context), a deletion and
an undone one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select, text

from data import stage_stays
from data.models import StageStay
from services.cache import VersionedCache
from services.deal_input import typed_values
from services.reads import DealReads
from services.writes import DealWrites

BASE = {"client": "Alpha", "statut": "Prospect", "montant_brut": "10 000", "secteur": "Banque",
        "assignee": "Léa Dubois", "date_echeance": "", "notes": "", "ref_externe": ""}
CSV = ("client;statut;montant;secteur;commercial\n"
       "Import Un;Qualifié;5000;Industrie;Hugo Bernard\n"
       "Import Deux;Qualifié;7000;Industrie;Hugo Bernard\n"
       "Import Trois;Prospect;;;\n").encode()


def _kept(connection: Connection) -> set[tuple]:
    """The table's non-empty rows (a row whose stays all moved elsewhere stays at zero)."""
    s = StageStay
    return {tuple(row) for row in connection.execute(
        select(s.stage, s.entry_month, s.next_stage, s.statut, s.secteur, s.assignee, s.n, s.milliseconds))
        if row.n or row.milliseconds}


def _change(reads: DealReads, writes: DealWrites, deal_id: int, **change: str) -> None:
    record = reads.deal(deal_id)
    writes.change_deal(deal_id, record.version, record.values, {**typed_values(record.values), **change}, "formulaire")


def test_the_triggers_keep_the_stays_the_history_implies(engine: Engine, cache: VersionedCache) -> None:
    reads, writes = DealReads(engine, cache), DealWrites(engine, cache)
    first = writes.create_deal(BASE, "formulaire")
    second = writes.create_deal({**BASE, "client": "Beta", "statut": "Qualifié"}, "formulaire")
    gone = writes.create_deal({**BASE, "client": "Gamma"}, "formulaire")
    assert writes.import_file(CSV, "deals.csv").run_id is not None
    _change(reads, writes, first, statut="Qualifié")
    _change(reads, writes, first, statut="Négociation", secteur="Industrie")
    _change(reads, writes, second, assignee="Hugo Bernard")
    _change(reads, writes, second, statut="Perdu", motif_perte="Prix")
    _change(reads, writes, first, statut="Qualifié")  # a step back
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Négociation' WHERE secteur = 'Industrie'"))
        connection.execute(text("UPDATE deals SET assignee = 'Camille Martin' WHERE assignee = 'Hugo Bernard'"))
    record = reads.deal(gone)
    writes.remove_deal(gone, record.version, record.values, "formulaire")
    record = reads.deal(second)
    writes.undo_removal(writes.remove_deal(second, record.version, record.values, "formulaire"), "formulaire")
    with engine.begin() as connection:
        kept = _kept(connection)
        stage_stays.rebuild(connection)
        rebuilt = _kept(connection)
    assert kept == rebuilt
    # 5 deals present: 5 creation stays, and one more per stage change (first: 4, second: 1, the imported 2: 1).
    assert sum(row[6] for row in kept) == 5 + 4 + 1 + 2
    assert all(row[6] > 0 and row[7] >= 0 for row in kept)


def test_a_move_ends_the_stay_and_begins_the_next(engine: Engine, cache: VersionedCache) -> None:
    reads, writes = DealReads(engine, cache), DealWrites(engine, cache)
    deal_id = writes.create_deal(BASE, "formulaire")
    _change(reads, writes, deal_id, statut="Qualifié")
    with engine.connect() as connection:
        created_at, moved_at = connection.execute(text(
            "SELECT d.created_at, e.at FROM deals d JOIN deal_events e ON e.deal_id = d.id AND e.field = 'statut' "
            "WHERE d.id = :id"), {"id": deal_id}).one()
        rows = _kept(connection)
    created_at, moved_at = (datetime.fromisoformat(str(moment)) for moment in (created_at, moved_at))
    prospect, = (row for row in rows if row[0] == "Prospect")
    qualified, = (row for row in rows if row[0] == "Qualifié")
    assert prospect[:7] == ("Prospect", created_at.date().replace(day=1), "Qualifié", "Qualifié", "Banque",
                            "Léa Dubois", 1)
    assert abs(prospect[7] - (moved_at - created_at) / timedelta(milliseconds=1)) <= 1
    assert qualified == ("Qualifié", moved_at.date().replace(day=1), None, "Qualifié", "Banque", "Léa Dubois", 1, 0)
    assert len(rows) == 2
