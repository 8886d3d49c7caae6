"""Cold deals on both databases: an open deal with no history row for more than N days (`STALE_DAYS`, and a
per-stage override) is counted on the card, listed in the grid's "Froids" scope with its days without change, and
exported with that scope; a closed deal never is; an import that changes nothing warms nothing.

The deals are written through the write service (the triggers write their history), then each deal's history
is moved back to known days. Today is fixed 30 days after the real date, so every deal's creation (now) is
older than every cutoff; the expected lists are derived here from the days set, not from the service.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, text

from data import clock
from domain.deal_filter import DealFilter
from domain.deal_record import DealRecord
from domain.pipeline_results import DeadlineScope
from domain.staleness import ColdRule, start_of_paris_day
from services.cache import VersionedCache
from services.exports import CSV, DealExports, ExportView
from services.reads import DealReads
from services.writes import DealWrites
from settings import Settings
from wiring import make_cache_backend

TODAY = clock.today() + timedelta(days=30)
RULE = ColdRule(days=10, per_stage=(("Négociation", 5),))
OPEN = ("Prospect", "Qualifié", "Négociation")
EVERY_DEAL = DealFilter()


@dataclass(frozen=True)
class Quiet:
    """A deal and the days since its last history row, as the test sets them."""

    client: str
    stage: str
    days: int
    due: date | None = TODAY + timedelta(days=20)
    sector: str = "Banque"
    minutes: int = 12 * 60  # the time of its last change, in minutes after midnight in Paris


DEALS = (
    Quiet("Nine days", "Prospect", 9),
    Quiet("Ten days", "Prospect", 10),
    Quiet("Eleven days", "Prospect", 11, sector="Santé"),
    Quiet("Nego six days", "Négociation", 6),
    Quiet("Nego five days", "Négociation", 5),
    Quiet("Won long ago", "Gagné", 40),
    Quiet("Lost long ago", "Perdu", 40),
    Quiet("Qualified undated", "Qualifié", 20, due=None),
    Quiet("Qualified overdue", "Qualifié", 30, due=TODAY - timedelta(days=3), sector="Santé"),
    Quiet("Qualified dated", "Qualifié", 15),  # beside the undated one (same stage, sector and salesperson)
    # Around the Paris midnight that starts a cutoff day (23:00 UTC the day before, in winter): 10 and 11 days.
    Quiet("Ten days after midnight", "Prospect", 10, minutes=30, sector="Industrie"),
    Quiet("Eleven days before midnight", "Prospect", 11, minutes=23 * 60 + 30, sector="Industrie"),
)


def expected_cold(deals: tuple[Quiet, ...], rule: ColdRule) -> dict[str, int]:
    """Client -> days without change, of the deals cold under `rule`: open and quiet for more than the days of
    their stage."""
    return {deal.client: deal.days for deal in deals if deal.stage in OPEN and deal.days > rule.days_for(deal.stage)}


def _date_history(connection: Connection, deal_id: int, at: datetime) -> None:
    """Move a deal's whole history to `at`, and its last change with it (as the database would have kept it)."""
    connection.execute(text("UPDATE deal_events SET at = :at WHERE deal_id = :id"), {"at": at, "id": deal_id})
    connection.execute(text("UPDATE deals SET last_change_at = :at WHERE id = :id"), {"at": at, "id": deal_id})


def _noon_paris(days_ago: int, minutes: int = 12 * 60) -> datetime:
    return start_of_paris_day(TODAY - timedelta(days=days_ago)) + timedelta(minutes=minutes)


@pytest.fixture
def cold_book(engine: Engine) -> Iterator[tuple[DealReads, DealWrites, dict[str, int]]]:
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    reads, writes = DealReads(engine, cache, today=lambda: TODAY, cold_rule=RULE), DealWrites(engine, cache)
    ids = {}
    for number, deal in enumerate(DEALS):
        ids[deal.client] = writes.create_deal(
            {"client": deal.client, "statut": deal.stage, "montant_brut": "1000", "secteur": deal.sector,
             "date_echeance": deal.due.isoformat() if deal.due else "", "assignee": "Léa",
             "ref_externe": f"R-{number}"},
            "formulaire")
    with engine.begin() as connection:
        for deal in DEALS:
            _date_history(connection, ids[deal.client], _noon_paris(deal.days, deal.minutes))
    cache.bump()
    yield reads, writes, ids


def _cold_rows(reads: DealReads, deal_filter: DealFilter = EVERY_DEAL) -> dict[str, int | None]:
    page = reads.deadlines(deal_filter, DeadlineScope.COLD, limit=100)
    return {row.client: row.cold_days for row in page.rows}


def test_open_deals_quiet_for_more_than_their_stage_days_are_cold(cold_book) -> None:
    reads, _writes, _ids = cold_book
    cold = expected_cold(DEALS, RULE)
    assert cold == {"Eleven days": 11, "Nego six days": 6, "Qualified undated": 20, "Qualified overdue": 30,
                    "Qualified dated": 15, "Eleven days before midnight": 11}

    counts = reads.deadline_counts(DealFilter())
    assert counts.cold_deals == len(cold)
    listed = {client: days for client, days in cold.items() if client != "Qualified undated"}  # the grid: dated only
    assert counts.cold == len(listed)
    assert _cold_rows(reads) == listed
    page = reads.deadlines(DealFilter(), DeadlineScope.COLD, limit=100)
    assert [row.client for row in page.rows] == ["Qualified overdue", "Eleven days", "Nego six days",
                                                 "Qualified dated", "Eleven days before midnight"]  # soonest due
    assert page.total == len(listed)


def test_the_cold_mark_shows_in_every_scope_and_never_on_a_closed_deal(cold_book) -> None:
    reads, _writes, _ids = cold_book
    rows = {row.client: row.cold_days for row in reads.deadlines(DealFilter(), DeadlineScope.ALL, limit=100).rows}
    assert {client: days for client, days in rows.items() if days is not None} == {
        client: days for client, days in expected_cold(DEALS, RULE).items() if client != "Qualified undated"}
    assert rows["Won long ago"] is None and rows["Lost long ago"] is None


@pytest.mark.parametrize("rule", [ColdRule(), ColdRule(days=5), ColdRule(days=30), ColdRule(10, (("Prospect", 8),))])
def test_the_rule_moves_the_threshold(engine: Engine, cold_book, rule: ColdRule) -> None:
    _reads, _writes, _ids = cold_book
    cache = VersionedCache(make_cache_backend(Settings(cache_type="simple")))
    reads = DealReads(engine, cache, today=lambda: TODAY, cold_rule=rule)
    cold = expected_cold(DEALS, rule)
    assert reads.deadline_counts(DealFilter()).cold_deals == len(cold)
    assert _cold_rows(reads) == {client: days for client, days in cold.items() if client != "Qualified undated"}


@pytest.mark.parametrize("selection", [
    {"sectors": ["Santé"]},
    {"stages": ["Négociation", "Gagné"]},
    {"stages": ["Gagné", "Perdu"]},
    {"due_from": (TODAY - timedelta(days=10)).isoformat()},
    {"missing": ["echeance"]},
    {"search": "eleven"},
    {"search": "qualified"},
    {"search": "qualified", "missing": ["echeance"]},
    {"search": "e", "stages": ["Négociation", "Gagné"]},
    {"search": "e", "sectors": ["Santé"]},
])
def test_cold_deals_follow_the_filters(cold_book, selection: dict) -> None:
    reads, _writes, _ids = cold_book
    deal_filter = DealFilter.build(**selection)
    chosen = tuple(deal for deal in DEALS
                   if (not deal_filter.sectors or deal.sector in deal_filter.sectors)
                   and (not deal_filter.stages or deal.stage in deal_filter.stages)
                   and (not deal_filter.due_from or (deal.due is not None and deal.due >= deal_filter.due_from))
                   and ("echeance" not in deal_filter.missing or deal.due is None)
                   and (not deal_filter.search or deal_filter.search in deal.client.lower()))
    cold = expected_cold(chosen, RULE)
    listed = {client: days for client, days in cold.items()
              if ("echeance" in deal_filter.missing) == (client == "Qualified undated")}
    counts = reads.deadline_counts(deal_filter)
    assert (counts.cold_deals, counts.cold) == (len(cold), len(listed))
    assert _cold_rows(reads, deal_filter) == listed


def test_a_change_warms_a_deal_and_an_import_that_changes_nothing_does_not(engine: Engine, cold_book) -> None:
    reads, writes, ids = cold_book
    record = reads.deal(ids["Nego six days"])
    writes.change_deal(record.id, record.version, record.values, {**_typed(record), "montant_brut": "2000"},
                       "formulaire")
    with engine.begin() as connection:  # the change was written now, which is 30 days before TODAY: make it yesterday
        connection.execute(text("UPDATE deal_events SET at = :at WHERE deal_id = :id AND action = 'updated'"),
                           {"at": _noon_paris(1), "id": record.id})
        connection.execute(text("UPDATE deals SET last_change_at = :at WHERE id = :id"),
                           {"at": _noon_paris(1), "id": record.id})
    same = ("Client;Statut;Montant brut (€);Secteur;Date d'échéance;Commercial;Référence externe\r\n"
            f"Eleven days;Prospect;1000;Santé;{DEALS[2].due:%d/%m/%Y};Léa;R-2\r\n").encode()
    outcome = writes.import_file(same, "meme.csv")
    assert outcome.run_id is not None and outcome.preview.created == 0, outcome.message
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM deal_events WHERE deal_id = :id"),
                                  {"id": ids["Eleven days"]}).scalar_one() == 1  # still its creation alone

    cold = expected_cold(DEALS, RULE)
    del cold["Nego six days"]
    assert reads.deadline_counts(DealFilter()).cold_deals == len(cold)
    assert "Eleven days" in _cold_rows(reads) and "Nego six days" not in _cold_rows(reads)


def test_the_cold_scope_is_exported_as_listed(engine: Engine, cold_book) -> None:
    reads, _writes, _ids = cold_book
    exports = DealExports(engine, reads, today=lambda: TODAY)
    out = io.BytesIO()
    exports.write(CSV, ExportView(DealFilter(), DeadlineScope.COLD), out)
    lines = out.getvalue().decode("utf-8-sig").splitlines()[1:]
    assert [line.split(";")[0] for line in lines] == ["Qualified overdue", "Eleven days", "Nego six days",
                                                       "Qualified dated", "Eleven days before midnight",
                                                       "Qualified undated"]



def _typed(record: DealRecord) -> dict[str, str]:
    """The deal's stored values as the form sends them (text)."""
    return {name: "" if value is None else str(value) for name, value in asdict(record.values).items()}
