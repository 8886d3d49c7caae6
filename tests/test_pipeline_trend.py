"""The trend's pure parts: a deal's history walked back into the open pipeline's daily moves, the weekly points
from today's totals and those moves, and the chart's French texts and empty states."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain.pipeline_trend import (
    DealState,
    HistoryRow,
    PipelineMove,
    PipelineTrend,
    TrendPoint,
    redated,
    replay,
    summed,
    trend_points,
)
from layouts.performance_figures import NO_TREND, PARTIAL_TREND, trend_figure

NOW = DealState("Négociation", Decimal("1000.05"), "BTP", "Léa")
CREATED = datetime(2026, 9, 1, 10)


def test_each_update_of_a_state_field_moves_the_pipeline_on_its_day() -> None:
    history = [HistoryRow(datetime(2026, 10, 20, 9), "updated", "statut", "Qualifié"),
               HistoryRow(datetime(2026, 10, 3, 9), "updated", "notes", "x"),
               HistoryRow(datetime(2026, 10, 2, 9), "updated", "montant_brut", None),
               HistoryRow(datetime(2026, 9, 1, 10), "created")]
    assert list(replay(NOW, CREATED, history)) == [
        PipelineMove(date(2026, 10, 20), ("Qualifié", "BTP", "Léa"), -1, Decimal("-300.02")),
        PipelineMove(date(2026, 10, 20), ("Négociation", "BTP", "Léa"), 1, Decimal("700.04")),  # half up
        PipelineMove(date(2026, 10, 2), ("Qualifié", "BTP", "Léa"), -1, Decimal("0.00")),
        PipelineMove(date(2026, 10, 2), ("Qualifié", "BTP", "Léa"), 1, Decimal("300.02")),
        PipelineMove(date(2026, 9, 1), ("Qualifié", "BTP", "Léa"), 1, Decimal("0.00")),
    ]


def test_a_deal_without_history_counts_from_its_creation_and_a_closed_one_never() -> None:
    assert list(replay(NOW, CREATED, [])) == [PipelineMove(date(2026, 9, 1), NOW.key, 1, Decimal("700.04"))]
    won = DealState("Gagné", Decimal("500"), None, None)
    assert list(replay(won, CREATED, [HistoryRow(datetime(2026, 10, 1), "updated", "statut", "Prospect")])) == [
        PipelineMove(date(2026, 10, 1), ("Prospect", None, None), -1, Decimal("-50.00")),
        PipelineMove(date(2026, 9, 1), ("Prospect", None, None), 1, Decimal("50.00")),
    ]


def test_a_deletion_undone_leaves_the_pipeline_in_between() -> None:
    history = [HistoryRow(datetime(2026, 11, 2), "restored"), HistoryRow(datetime(2026, 10, 1), "deleted"),
               HistoryRow(datetime(2026, 9, 1), "created")]
    moves = summed(replay(NOW, CREATED, history))
    assert [(week, move.deals) for (week, _), move in moves.items()] == [  # each on its week's Monday
        (date(2026, 11, 2), 1), (date(2026, 9, 28), -1), (date(2026, 8, 31), 1)]


def test_a_deal_written_in_one_go_is_taken_back_from_that_day_and_placed_on_its_history() -> None:
    history = [HistoryRow(datetime(2026, 10, 20, 9), "updated", "statut", "Qualifié"),
               HistoryRow(datetime(2026, 9, 1, 10), "created")]
    moves = summed(redated(date(2026, 12, 6), NOW, CREATED, history))
    assert {week: move.deals for (week, _), move in moves.items()} == {
        date(2026, 11, 30): -1, date(2026, 10, 19): 1, date(2026, 8, 31): 1}
    assert moves[(date(2026, 10, 19), ("Qualifié", "BTP", "Léa"))].deals == -1


def test_moves_that_cancel_out_within_a_week_are_left_out() -> None:
    key = ("Prospect", None, None)
    moves = [PipelineMove(date(2026, 10, 1), key, 1, Decimal("5")), PipelineMove(date(2026, 10, 4), key, -1,
                                                                                  Decimal("-5"))]
    assert summed(moves) == {}


def test_the_moves_of_a_week_add_up_on_its_monday_and_the_next_week_s_apart() -> None:
    key = ("Prospect", None, None)
    moves = [PipelineMove(date(2026, 9, 28), key, 1, Decimal("5")), PipelineMove(date(2026, 10, 4), key, 2,
                                                                                  Decimal("7.50")),
             PipelineMove(date(2026, 10, 5), key, 1, Decimal("1"))]
    assert summed(moves) == {(date(2026, 9, 28), key): PipelineMove(date(2026, 9, 28), key, 3, Decimal("12.50")),
                             (date(2026, 10, 5), key): PipelineMove(date(2026, 10, 5), key, 1, Decimal("1"))}


def test_each_past_week_is_today_less_the_moves_after_its_end() -> None:
    today = date(2026, 11, 25)  # a Wednesday: the current week starts on Monday 23
    daily = {date(2026, 11, 23): (2, Decimal("200")), date(2026, 11, 22): (1, Decimal("50")),
             date(2026, 11, 16): (-1, Decimal("-30")), date(2026, 6, 1): (5, Decimal("999"))}
    points = trend_points(today, 10, Decimal("1000.00"), daily, weeks=4)
    assert points == (
        TrendPoint(date(2026, 11, 2), 8, Decimal("780.00")),  # ends Monday 9: the moves of 16, 22 and 23 after
        TrendPoint(date(2026, 11, 9), 8, Decimal("780.00")),  # ends Monday 16: the same three after
        TrendPoint(date(2026, 11, 16), 8, Decimal("800.00")),  # Sunday 22 is inside: only Monday 23 after
        TrendPoint(date(2026, 11, 23), 10, Decimal("1000.00")),  # now
    )


def test_the_chart_writes_weeks_and_amounts_in_french_and_says_what_it_leaves_out() -> None:
    points = (TrendPoint(date(2026, 11, 16), 3, Decimal("12500.5")), TrendPoint(date(2026, 11, 23), 4,
                                                                                  Decimal("15000")))
    figure = trend_figure(PipelineTrend(points))
    counts, weighted = figure["data"]
    assert weighted["x"] == ["16/11", "23/11"]
    assert weighted["customdata"][0] == ["semaine du 16/11/2026", "12\u202f501\xa0€"]  # 12 500,50 € half up
    assert counts["y"] == [3, 4]
    assert not figure["layout"].get("annotations")
    partial = trend_figure(PipelineTrend(points, partial=True))
    assert partial["layout"]["annotations"][0]["text"] == PARTIAL_TREND


def test_a_selection_with_no_open_deal_over_the_weeks_says_so() -> None:
    empty = trend_figure(PipelineTrend((TrendPoint(date(2026, 11, 23), 0, Decimal("0.00")),)))
    assert empty["data"] == [] and empty["layout"]["annotations"][0]["text"] == NO_TREND
