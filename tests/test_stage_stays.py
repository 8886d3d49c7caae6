"""Stage movement summed from counted stays: entries, moved on, lost and the average stay per open stage, checked
against hand-worked numbers (the databases' groups are checked against a plain-Python history in
tests/service/test_performance.py)."""

from __future__ import annotations

from decimal import Decimal

from domain.stage_stays import StayGroup, movement


def figures(groups: list[StayGroup]) -> dict[str, tuple[int, int, int, Decimal | None]]:
    return {found.stage: (found.entered, found.advanced, found.lost, found.average_days) for found in movement(groups)}


def test_each_open_stage_counts_its_entries_moves_losses_and_average_stay() -> None:
    found = figures([
        StayGroup("Prospect", "Qualifié", 3, 30.0),  # moved on: 3 stays, 30 days in all
        StayGroup("Prospect", "Perdu", 1, 5.5),  # lost: not a move up the funnel
        StayGroup("Prospect", None, 2, 0.0),  # still there: an entry, no stay that ended
        StayGroup("Négociation", "Gagné", 2, 9.0),  # won counts as moved on
        StayGroup("Négociation", "Qualifié", 1, 4.0),  # a step back: neither moved on nor lost
    ])
    assert found == {
        "Prospect": (6, 3, 1, Decimal("8.88")),  # 35,5 days over the 4 stays that ended
        "Qualifié": (0, 0, 0, None),
        "Négociation": (3, 2, 0, Decimal("4.33")),
    }


def test_stays_in_closed_stages_or_without_a_stage_are_not_entries() -> None:
    found = figures([StayGroup("Gagné", None, 4, 0.0), StayGroup("Perdu", None, 2, 0.0),
                     StayGroup(None, "Qualifié", 0, 0.0), StayGroup("Qualifié", "Négociation", 0, 0.0)])
    assert found == {stage: (0, 0, 0, None) for stage in ("Prospect", "Qualifié", "Négociation")}


def test_groups_of_the_same_stage_add_up_whatever_their_order() -> None:
    groups = [StayGroup("Qualifié", "Négociation", 2, 10.0), StayGroup("Qualifié", "Perdu", 2, 30.0),
              StayGroup("Qualifié", "Négociation", 1, 2.0)]
    assert figures(groups)["Qualifié"] == figures(groups[::-1])["Qualifié"] == (5, 3, 2, Decimal("8.40"))
