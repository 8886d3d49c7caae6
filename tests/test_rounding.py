"""Figures rounded as a French reader rounds, half up, once: Babel's default (half to even) showed 1 000,50 € as
"1 000 €" and 6,25 % as "6,2 %", and the average deal, cut to the cent half to even first, lost its half cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import formatting
from domain.pipeline_results import StageTotal
from domain.stages import STAGE_NAMES
from services.queries import kpis_from_stages

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(("amount", "shown"), [
    (Decimal("1000.50"), f"1{NNBSP}001{NBSP}€"), (Decimal("1001.50"), f"1{NNBSP}002{NBSP}€"),
    (Decimal("0.5"), f"1{NBSP}€"), (Decimal("1000.49"), f"1{NNBSP}000{NBSP}€"),
])
def test_an_amount_to_the_euro_rounds_half_up(amount: Decimal, shown: str) -> None:
    assert formatting.euros(amount) == shown


@pytest.mark.parametrize(("ratio", "shown"), [
    (Decimal("0.0625"), f"6,3{NBSP}%"), (Decimal("0.4135"), f"41,4{NBSP}%"), (Decimal("0.06249"), f"6,2{NBSP}%"),
])
def test_a_rate_rounds_half_up(ratio: Decimal, shown: str) -> None:
    assert formatting.percent(ratio) == shown


def test_the_average_deal_keeps_its_half_cent_and_its_card_rounds_it_up() -> None:
    """Two deals of 1 000,00 € and 1 001,01 €: a mean of 1 000,505 €, which is 1 001 € to the euro."""
    totals = tuple(StageTotal(stage, 2 if stage == "Prospect" else 0,
                              Decimal("2001.01") if stage == "Prospect" else Decimal(0), Decimal(0), 0,
                              2 if stage == "Prospect" else 0) for stage in STAGE_NAMES)
    average = kpis_from_stages(totals).average_deal
    assert average == Decimal("1000.51")
    assert formatting.euros(average) == f"1{NNBSP}001{NBSP}€"
