"""`stage_stays` and `deal_wins` on both databases: what the triggers keep at each write equals what the history
implies when rebuilt afterwards, and small cases worked by hand.

The figures read from the tables (stage movement, cycles, won amounts) are checked against a plain-Python walk of
a known history in `test_performance.py`; here, the bookkeeping of the writes: creations, an import, stage,
sector, salesperson and amount changes through the app, wins and a deal taken out of Gagné, statements run with
plain SQL (several rows at once, no write context), a deletion and an undone one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Engine, select, text

from data import deal_wins, stage_stays
from data.models import DealWin, StageStay
from services.cache import VersionedCache
from services.deal_input import typed_values
from services.reads import DealReads
from services.writes import DealWrites

BASE = {"client": "Alpha", "statut": "Prospect", "montant_brut": "10 000", "secteur": "Banque",
        "assignee": "Léa Dubois", "date_echeance": "", "notes": "", "ref_externe": ""}
CSV = ("client;statut;montant;secteur;commercial\n"
       "Import Un;Qualifié;5000;Industrie;Hugo Bernard\n"
       "Import Deux;Qualifié;7000;Industrie;Hugo Bernard\n"
       "Import Trois;Prospect;;;\n"
       "Import Gagné;Gagné;9000;Banque;Léa Dubois\n").encode()


def _kept(connection: Connection) -> set[tuple]:
    """The stays' non-empty rows (a row whose stays all moved elsewhere stays at zero)."""
    s = StageStay
    return {tuple(row) for row in connection.execute(
        select(s.stage, s.entry_month, s.next_stage, s.statut, s.secteur, s.assignee, s.n, s.milliseconds))
        if row.n or row.milliseconds}


def _wins(connection: Connection) -> set[tuple]:
    """The wins' non-empty rows."""
    w = DealWin
    return {(row[0], row[1], row[2], int(row[3]), Decimal(str(row[4])), int(row[5]), int(row[6]))
            for row in connection.execute(select(w.won_month, w.secteur, w.assignee, w.n, w.montant, w.cycles,
                                                 w.cycle_milliseconds)) if any(row[3:])}


def _created_and_moved(connection: Connection, deal_id: int) -> tuple[datetime, datetime]:
    """A deal's creation time and the time of its one stage change, as the database holds them."""
    created_at, moved_at = connection.execute(text(
        "SELECT d.created_at, e.at FROM deals d JOIN deal_events e ON e.deal_id = d.id AND e.field = 'statut' "
        "WHERE d.id = :id"), {"id": deal_id}).one()
    return datetime.fromisoformat(str(created_at)), datetime.fromisoformat(str(moved_at))


def _change(reads: DealReads, writes: DealWrites, deal_id: int, **change: str) -> None:
    record = reads.deal(deal_id)
    writes.change_deal(deal_id, record.version, record.values, {**typed_values(record.values), **change}, "formulaire")


def test_the_triggers_keep_the_stays_and_wins_the_history_implies(engine: Engine, cache: VersionedCache) -> None:
    reads, writes = DealReads(engine, cache), DealWrites(engine, cache)
    first = writes.create_deal(BASE, "formulaire")
    second = writes.create_deal({**BASE, "client": "Beta", "statut": "Qualifié"}, "formulaire")
    gone = writes.create_deal({**BASE, "client": "Gamma"}, "formulaire")
    won = writes.create_deal({**BASE, "client": "Delta", "statut": "Négociation"}, "formulaire")
    lost_again = writes.create_deal({**BASE, "client": "Epsilon"}, "formulaire")
    assert writes.import_file(CSV, "deals.csv").run_id is not None
    _change(reads, writes, first, statut="Qualifié")
    _change(reads, writes, first, statut="Négociation", secteur="Industrie")
    _change(reads, writes, second, assignee="Hugo Bernard")
    _change(reads, writes, second, statut="Perdu", motif_perte="Prix")
    _change(reads, writes, first, statut="Qualifié")  # a step back
    _change(reads, writes, won, statut="Gagné")
    _change(reads, writes, won, montant_brut="12 000", secteur="Industrie")
    _change(reads, writes, lost_again, statut="Gagné")
    _change(reads, writes, lost_again, statut="Perdu", motif_perte="Prix")  # no longer won
    with engine.begin() as connection:
        connection.execute(text("UPDATE deals SET statut = 'Négociation' WHERE secteur = 'Industrie' "
                                "AND statut <> 'Gagné'"))
        connection.execute(text("UPDATE deals SET assignee = 'Camille Martin' WHERE assignee = 'Hugo Bernard'"))
    record = reads.deal(gone)
    writes.remove_deal(gone, record.version, record.values, "formulaire")
    record = reads.deal(won)
    writes.undo_removal(writes.remove_deal(won, record.version, record.values, "formulaire"), "formulaire")
    record = reads.deal(second)
    writes.undo_removal(writes.remove_deal(second, record.version, record.values, "formulaire"), "formulaire")
    with engine.begin() as connection:
        kept, kept_wins = _kept(connection), _wins(connection)
        stage_stays.rebuild(connection)
        deal_wins.rebuild(connection)
        rebuilt, rebuilt_wins = _kept(connection), _wins(connection)
    assert kept == rebuilt
    assert kept_wins == rebuilt_wins
    # 8 deals present (4 typed, 4 imported): a creation stay each, and one more per stage change (first: 4,
    # second: 1, won: 1, lost_again: 2, the two imported Qualifié ones in Industrie: 1 each).
    assert sum(row[6] for row in kept) == 8 + 4 + 1 + 1 + 2 + 2
    assert all(row[6] > 0 and row[7] >= 0 for row in kept)
    # Won now: `won` (a win in the history, so a cycle) and the imported one (won since its creation, no cycle).
    assert sum(row[3] for row in kept_wins) == 2 and sum(row[5] for row in kept_wins) == 1
    assert sum(row[4] for row in kept_wins) == Decimal("21000.00")


def test_a_move_ends_the_stay_and_begins_the_next(engine: Engine, cache: VersionedCache) -> None:
    reads, writes = DealReads(engine, cache), DealWrites(engine, cache)
    deal_id = writes.create_deal(BASE, "formulaire")
    _change(reads, writes, deal_id, statut="Qualifié")
    with engine.connect() as connection:
        created_at, moved_at = _created_and_moved(connection, deal_id)
        rows = _kept(connection)
    prospect, = (row for row in rows if row[0] == "Prospect")
    qualified, = (row for row in rows if row[0] == "Qualifié")
    assert prospect[:7] == ("Prospect", created_at.date().replace(day=1), "Qualifié", "Qualifié", "Banque",
                            "Léa Dubois", 1)
    assert abs(prospect[7] - (moved_at - created_at) / timedelta(milliseconds=1)) <= 1
    assert qualified == ("Qualifié", moved_at.date().replace(day=1), None, "Qualifié", "Banque", "Léa Dubois", 1, 0)
    assert len(rows) == 2


def test_a_win_counts_in_its_month_with_its_cycle(engine: Engine, cache: VersionedCache) -> None:
    reads, writes = DealReads(engine, cache), DealWrites(engine, cache)
    deal_id = writes.create_deal(BASE, "formulaire")
    _change(reads, writes, deal_id, statut="Gagné")
    with engine.connect() as connection:
        created_at, won_at = _created_and_moved(connection, deal_id)
        (month, sector, assignee, count, amount, cycles, milliseconds), = _wins(connection)
    assert (month, sector, assignee, count, amount, cycles) == (
        won_at.date().replace(day=1), "Banque", "Léa Dubois", 1, Decimal("10000.00"), 1)
    assert abs(milliseconds - (won_at - created_at) / timedelta(milliseconds=1)) <= 1
