"""The weekly trend on both databases: against a plain-Python walk of a known history (each deal's stage at each
week's end), and the daily moves the triggers keep against those the history implies.

Expectations are computed from the scripted moves alone; the code under test reads `deal_totals` and
`pipeline_changes`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Connection, Engine, select

from data import pipeline_changes
from data.models import PipelineChange
from domain.stages import OPEN_STAGES
from services.cache import VersionedCache
from services.deal_input import typed_values
from services.performance import PerformanceReads
from services.reads import DealReads
from services.writes import DealWrites
from tests.service.known_deals import CENT, TODAY, Selection, as_filter
from tests.service.known_history import expected_trend, make_history, performance_on

HISTORY = make_history(count=60, seed=16)
WEEKS = 26
FOLLOWED = [
    Selection(),
    Selection(stages=("Prospect", "Négociation")),
    Selection(stages=("Gagné",)),
    Selection(sectors=("Banque", "Non renseigné")),
    Selection(assignees=("Camille Martin",)),
    Selection(sectors=("Industrie",), assignees=("Non attribué", "Léa Dubois")),
    Selection(missing=("secteur",)),
    Selection(assignees=("Personne",)),
]



@pytest.fixture
def performance(engine: Engine, cache: VersionedCache) -> PerformanceReads:
    return performance_on(engine, cache, HISTORY)


def test_the_history_moves_open_deals_within_the_weeks_shown() -> None:
    expected = expected_trend(HISTORY, Selection())
    assert len(set(expected)) > 5  # the trend is not flat: deals enter, move, leave
    start = datetime.combine(TODAY - timedelta(weeks=WEEKS), datetime.min.time())
    assert any(start < moved_at for item in HISTORY for moved_at, stage in item.moves if stage == "Perdu")
    assert any(item.deal.montant_brut is None and item.deal.statut in OPEN_STAGES for item in HISTORY)


@pytest.mark.parametrize("selection", FOLLOWED, ids=str)
def test_each_week_shows_the_open_pipeline_of_its_end(performance: PerformanceReads, selection: Selection) -> None:
    trend = performance.trend(as_filter(selection))
    assert [(point.deals, point.weighted) for point in trend.points] == expected_trend(HISTORY, selection)
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert [point.week_start for point in trend.points] == [monday - timedelta(weeks=back)
                                                            for back in range(WEEKS - 1, -1, -1)]
    assert not trend.partial


@pytest.mark.parametrize("selection", [Selection(search="relance"), Selection(due_from=TODAY),
                                       Selection(missing=("montant",))], ids=str)
def test_filters_the_moves_do_not_know_are_said_and_left_out(performance: PerformanceReads,
                                                              selection: Selection) -> None:
    trend = performance.trend(as_filter(selection))
    assert trend.partial
    assert [(point.deals, point.weighted) for point in trend.points] == expected_trend(HISTORY, Selection())


def _moves(connection: Connection) -> set[tuple]:
    c = PipelineChange
    return {(day, stage, sector, assignee, int(n), Decimal(str(weighted)).quantize(CENT))
            for day, stage, sector, assignee, n, weighted in connection.execute(
                select(c.change_day, c.statut, c.secteur, c.assignee, c.n, c.ponderee)) if n or weighted}


def test_the_triggers_keep_the_moves_the_history_implies(engine: Engine, cache: VersionedCache) -> None:
    """Creations, stage and amount changes, a salesperson change, a deletion and a deletion undone, all today:
    the moves the triggers wrote equal those rebuilt from the history afterwards."""
    reads, writes = DealReads(engine, cache), DealWrites(engine, cache)
    base = {"client": "Alpha", "statut": "Prospect", "montant_brut": "10 000", "secteur": "Banque",
            "assignee": "Léa Dubois", "date_echeance": "", "notes": "", "ref_externe": ""}
    first = writes.create_deal(base, "formulaire")
    second = writes.create_deal({**base, "client": "Beta", "montant_brut": ""}, "formulaire")
    third = writes.create_deal({**base, "client": "Gamma", "statut": "Négociation"}, "formulaire")
    gone = writes.create_deal({**base, "client": "Delta"}, "formulaire")
    for deal_id, change in [(first, {"statut": "Qualifié"}), (first, {"montant_brut": "12 500"}),
                            (second, {"montant_brut": "4 000", "assignee": "Hugo Bernard"}),
                            (third, {"statut": "Gagné"}), (first, {"notes": "rappeler"})]:
        record = reads.deal(deal_id)
        writes.change_deal(deal_id, record.version, record.values, {**typed_values(record.values), **change},
                           "formulaire")
    record = reads.deal(gone)
    writes.remove_deal(gone, record.version, record.values, "formulaire")
    record = reads.deal(second)
    writes.undo_removal(writes.remove_deal(second, record.version, record.values, "formulaire"), "formulaire")
    with engine.begin() as connection:
        kept = _moves(connection)
        pipeline_changes.rebuild(connection)
        rebuilt = _moves(connection)
    assert kept == rebuilt
    today = {row[0] for row in kept}
    assert len(today) == 1  # every write of this test is on one UTC day
    assert {(stage, sector, assignee, n, weighted) for _, stage, sector, assignee, n, weighted in kept} == {
        ("Qualifié", "Banque", "Léa Dubois", 1, Decimal("3750.00")),
        ("Prospect", "Banque", "Hugo Bernard", 1, Decimal("400.00")),
    }

