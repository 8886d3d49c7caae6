"""The pipeline stages, in funnel order, with the probability the database assigns to each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Stage:
    """One pipeline stage; `slug` is its ASCII form, used in component IDs and URLs."""

    name: str
    slug: str
    probability: Decimal
    is_open: bool


STAGES: tuple[Stage, ...] = (
    Stage("Prospect", "prospect", Decimal("0.10"), True),
    Stage("Qualifié", "qualifie", Decimal("0.30"), True),
    Stage("Négociation", "negociation", Decimal("0.70"), True),
    Stage("Gagné", "gagne", Decimal("1.00"), False),
    Stage("Perdu", "perdu", Decimal("0.00"), False),
)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)
OPEN_STAGES: tuple[str, ...] = tuple(stage.name for stage in STAGES if stage.is_open)
FUNNEL_STAGES: tuple[str, ...] = (*OPEN_STAGES, "Gagné")
WON, LOST = "Gagné", "Perdu"
PROBABILITY: dict[str, Decimal] = {stage.name: stage.probability for stage in STAGES}
STAGE_BY_SLUG: dict[str, str] = {stage.slug: stage.name for stage in STAGES}  # the URL's and the API's `statut=`
