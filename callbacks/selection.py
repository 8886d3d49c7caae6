"""The filter controls as callback dependencies, and the one place their values become a `DealFilter`."""

from __future__ import annotations

from dash import Input, State

from domain.deal_filter import DealFilter
from layouts import ids

FILTER_PROPS: tuple[tuple[str, str], ...] = (
    (ids.FILTER_STATUS, "value"),
    (ids.FILTER_SECTOR, "value"),
    (ids.FILTER_ASSIGNEE, "value"),
    (ids.FILTER_DUE_DATES, "start_date"),
    (ids.FILTER_DUE_DATES, "end_date"),
    (ids.FILTER_MISSING, "value"),
    (ids.FILTER_SEARCH, "value"),
)
FilterValues = tuple[list[str] | None, list[str] | None, list[str] | None, str | None, str | None, list[str] | None,
                     str | None]
EMPTY_VALUES: FilterValues = ([], [], [], None, None, [], "")


def filter_inputs() -> list[Input]:
    """The filter values, as inputs, in `FILTER_PROPS` order."""
    return [Input(component, prop) for component, prop in FILTER_PROPS]


def filter_states() -> list[State]:
    """The filter values, read without being triggered by them (the grid's paging)."""
    return [State(component, prop) for component, prop in FILTER_PROPS]


def selection(
    stages: list[str] | None, sectors: list[str] | None, assignees: list[str] | None,
    due_from: str | None, due_to: str | None, missing: list[str] | None, search: str | None,
) -> DealFilter:
    """The normalised filter of the controls' values."""
    return DealFilter.build(stages=stages, sectors=sectors, assignees=assignees, due_from=due_from, due_to=due_to,
                            missing=missing, search=search)
