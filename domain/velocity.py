"""Sales velocity and the what-if projection: pure arithmetic on the levers, so a slider move costs no query.

Velocity (€ per day) = open deals × average deal × win rate ÷ average cycle days. Each what-if lever is a
change in percent of today's value; the win rate is capped at 100 %. The projected weighted pipeline scales
today's with the deal count, the average deal and the win rate (the stage probabilities move with the win
rate); the cycle changes only the velocity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.performance_results import VelocityLevers

ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
PRESET_AVERAGE_DEAL = 10  # the "+10 % panier moyen" preset, in percent


@dataclass(frozen=True)
class WhatIf:
    """Changes, in percent of today's value, of each lever."""

    average_deal: float = 0
    win_rate: float = 0
    cycle: float = 0
    deal_count: float = 0


@dataclass(frozen=True)
class Projection:
    """Today's and the projected velocity (€ per day) and weighted pipeline, with the projected levers."""

    velocity: Decimal | None
    projected_velocity: Decimal | None
    weighted_pipeline: Decimal
    projected_weighted_pipeline: Decimal
    levers: VelocityLevers


def velocity(levers: VelocityLevers) -> Decimal | None:
    """€ per day, or None when a lever is unknown (no amount, no closed deal, no won cycle) or the cycle is 0."""
    if levers.average_deal is None or levers.win_rate is None or not levers.average_cycle_days:
        return None
    value = levers.open_deals * levers.average_deal * levers.win_rate / levers.average_cycle_days
    return value.quantize(CENT)


def _factor(percent: float) -> Decimal:
    return ONE + Decimal(str(percent)) / HUNDRED


def projected_levers(levers: VelocityLevers, change: WhatIf) -> VelocityLevers:
    """The levers moved by `change`; the deal count rounds to whole deals, the win rate stays at most 100 %."""
    deals = int((levers.open_deals * _factor(change.deal_count)).to_integral_value())
    average = None if levers.average_deal is None else levers.average_deal * _factor(change.average_deal)
    win = None if levers.win_rate is None else min(ONE, levers.win_rate * _factor(change.win_rate))
    cycle = None if levers.average_cycle_days is None else levers.average_cycle_days * _factor(change.cycle)
    weighted = levers.weighted_pipeline * _factor(change.deal_count) * _factor(change.average_deal)
    if levers.win_rate:
        weighted = weighted * win / levers.win_rate
    return VelocityLevers(max(deals, 0), average, win, cycle, weighted.quantize(CENT))


def project(levers: VelocityLevers, change: WhatIf) -> Projection:
    """Today's figures and the figures `change` would give."""
    moved = projected_levers(levers, change)
    return Projection(velocity(levers), velocity(moved), levers.weighted_pipeline, moved.weighted_pipeline, moved)
