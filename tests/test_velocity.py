"""The sales velocity and the what-if projection: pure arithmetic, checked against hand-worked numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.performance_results import AssigneePerformance, VelocityLevers, levers_of
from domain.velocity import WhatIf, project, projected_levers, velocity

LEVERS = VelocityLevers(open_deals=20, average_deal=Decimal("5000.00"), win_rate=Decimal("0.25"),
                        average_cycle_days=Decimal("40.00"), weighted_pipeline=Decimal("30000.00"))


def test_velocity_is_deals_times_average_times_win_rate_over_cycle() -> None:
    assert velocity(LEVERS) == Decimal("625.00")  # 20 × 5 000 × 0,25 / 40


@pytest.mark.parametrize("missing", [{"average_deal": None}, {"win_rate": None}, {"average_cycle_days": None},
                                     {"average_cycle_days": Decimal(0)}])
def test_velocity_is_unknown_without_every_lever(missing: dict) -> None:
    assert velocity(VelocityLevers(**{**LEVERS.__dict__, **missing})) is None


def test_no_change_projects_today() -> None:
    projection = project(LEVERS, WhatIf())
    assert (projection.velocity, projection.projected_velocity) == (Decimal("625.00"), Decimal("625.00"))
    assert projection.projected_weighted_pipeline == projection.weighted_pipeline == Decimal("30000.00")


def test_ten_percent_more_average_deal_adds_ten_percent_to_both() -> None:
    projection = project(LEVERS, WhatIf(average_deal=10))
    assert projection.projected_velocity == Decimal("687.50")
    assert projection.projected_weighted_pipeline == Decimal("33000.00")


def test_a_shorter_cycle_speeds_velocity_but_leaves_the_pipeline() -> None:
    projection = project(LEVERS, WhatIf(cycle=-20))  # 32 days
    assert projection.projected_velocity == Decimal("781.25")
    assert projection.projected_weighted_pipeline == Decimal("30000.00")


def test_every_lever_at_once() -> None:
    moved = projected_levers(LEVERS, WhatIf(average_deal=-10, win_rate=20, cycle=25, deal_count=50))
    assert (moved.open_deals, moved.average_deal, moved.win_rate, moved.average_cycle_days) == (
        30, Decimal("4500.00"), Decimal("0.30"), Decimal("50.00"))
    assert velocity(moved) == Decimal("810.00")  # 30 × 4 500 × 0,3 / 50
    assert moved.weighted_pipeline == Decimal("48600.00")  # 30 000 × 1,5 × 0,9 × 1,2


def test_the_win_rate_stops_at_one_hundred_percent() -> None:
    moved = projected_levers(LEVERS, WhatIf(win_rate=400))
    assert moved.win_rate == Decimal(1)
    assert moved.weighted_pipeline == Decimal("120000.00")  # × 4, not × 5


def test_a_selection_without_closed_deal_projects_no_velocity() -> None:
    thin = VelocityLevers(3, Decimal("100.00"), None, None, Decimal("30.00"))
    projection = project(thin, WhatIf(average_deal=10, win_rate=10))
    assert (projection.velocity, projection.projected_velocity) == (None, None)
    assert projection.projected_weighted_pipeline == Decimal("33.00")


def test_the_levers_of_a_selection_sum_its_salespeople() -> None:
    lea = AssigneePerformance("Léa", Decimal("9000.00"), Decimal("2700.00"), Decimal("4000.00"), 1, 1, 5, 0,
                              open_count=3, valued=4, amount_total=Decimal("17000.00"), cycles=1,
                              cycle_days_total=Decimal("30"))
    hugo = AssigneePerformance("Hugo", Decimal("1000.00"), Decimal("300.00"), Decimal("2000.00"), 2, 0, 3, 0,
                               open_count=1, valued=3, amount_total=Decimal("4000.00"), cycles=2,
                               cycle_days_total=Decimal("60"))
    assert levers_of([lea, hugo], ()) == VelocityLevers(4, Decimal("3000.00"), Decimal("0.75"), Decimal("30.00"),
                                                        Decimal("3000.00"))
    assert levers_of([lea, hugo], ["Hugo"]) == VelocityLevers(1, Decimal("1333.33"), Decimal(1), Decimal("30.00"),
                                                              Decimal("300.00"))
    assert levers_of([lea], ["Personne"]) == VelocityLevers(0, None, None, None, Decimal("0.00"))
