"""The performance page's pure functions: figures valid for plotly, French texts, "—" for what has no meaning."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go

from domain.performance_results import (
    AssigneePerformance,
    Forecast,
    ForecastCell,
    StageConversion,
    StageMovement,
    VelocityLevers,
)
from domain.velocity import WhatIf, project
from layouts.performance import assignee_rows, lever_texts, performance_content, whatif_texts
from layouts.performance_figures import assignees_figure, forecast_figure, stage_conversion_figure

NNBSP, NBSP = "\u202f", "\u00a0"
LEA = AssigneePerformance("Léa Dubois", Decimal("12000.00"), Decimal("3600.00"), Decimal("5000.00"), 1, 1, 4, 2,
                          open_count=2, valued=4, amount_total=Decimal("17000.00"), cycles=1,
                          cycle_days_total=Decimal("32.5"))
HUGO = AssigneePerformance("Hugo Bernard", Decimal("800.00"), Decimal("80.00"), Decimal("0.00"), 0, 0, 1, 0,
                           open_count=1, valued=1, amount_total=Decimal("800.00"))


def _ids(component: object) -> set[str]:
    found = {component.id} if isinstance(getattr(component, "id", None), str) else set()
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "_prop_names"):
            found |= _ids(child)
    return found


def test_the_page_has_every_contract_id() -> None:
    shown = set().union(*(_ids(part) for part in performance_content((date(2025, 11, 21), date(2026, 11, 21)))))
    assert shown >= {"graph-assignees", "table-assignees", "graph-forecast", "graph-stage-conversion", "graph-trend",
                     "kpi-velocity", "whatif-average-deal", "whatif-win-rate", "whatif-cycle", "whatif-deal-count"}


def test_a_salesperson_without_closed_deal_shows_dashes() -> None:
    lea, hugo = assignee_rows([LEA, HUGO])
    assert (lea["win_rate_text"], lea["average_cycle_text"]) == (f"50,0{NBSP}%", f"32,5{NBSP}jours")
    assert (hugo["win_rate"], hugo["win_rate_text"], hugo["average_cycle_text"]) == (None, "—", "—")
    assert lea["open_gross_text"] == f"12{NNBSP}000{NBSP}€"


def test_assignee_bars_highlight_the_chosen_salesperson() -> None:
    figure = go.Figure(assignees_figure([LEA, HUGO], ["Hugo Bernard"]))
    weighted = figure.data[0]
    assert list(weighted.y) == ["Léa Dubois", "Hugo Bernard"] and list(weighted.x) == [3600.0, 80.0]
    assert weighted.marker.color[0].startswith("rgba") and not weighted.marker.color[1].startswith("rgba")


def test_a_team_of_many_draws_its_largest_pipelines_and_says_the_grid_has_everyone() -> None:
    """44 salespeople (the Maven sample): bars too thin to read under names drawn over each other. The chart keeps
    the 12 largest open pipelines, in order, and says so; a team of 12 gets no such note."""
    team = [replace(HUGO, assignee=f"Commercial {rank:02d}", open_gross=Decimal(1000 - rank)) for rank in range(44)]
    figure = assignees_figure(team, [])
    assert [len(trace["y"]) for trace in figure["data"]] == [12, 12]
    assert figure["data"][0]["y"][:2] == ["Commercial 00", "Commercial 01"]
    assert [note["text"] for note in figure["layout"]["annotations"]] == [
        "Les 12 plus gros pipelines sur 44 commerciaux : le tableau ci-dessous les montre tous."]
    assert assignees_figure(team[:12], [])["layout"]["annotations"] == []
    go.Figure(figure)


def test_a_cycle_with_no_won_deal_says_so() -> None:
    texts = lever_texts(VelocityLevers(3, Decimal("100.00"), None, None, Decimal("30.00")))
    assert texts == ("3", f"100{NBSP}€", "—", "— (aucun deal gagné avec historique)")


def test_whatif_texts_show_projection_and_today() -> None:
    levers = VelocityLevers(20, Decimal("5000.00"), Decimal("0.25"), Decimal("40.00"), Decimal("30000.00"))
    assert whatif_texts(project(levers, WhatIf(average_deal=10))) == (
        f"688{NBSP}€", f"625{NBSP}€", f"33{NNBSP}000{NBSP}€", f"30{NNBSP}000{NBSP}€")
    assert whatif_texts(None) == ("—",) * 4


def test_forecast_has_the_overdue_bucket_then_the_months_in_french() -> None:
    forecast = Forecast(("En retard", "2026-11", "2026-12"),
                        (ForecastCell("En retard", "Prospect", 1, Decimal("100.00"), Decimal("10.00")),
                         ForecastCell("2026-12", "Négociation", 2, Decimal("1000.00"), Decimal("700.00"))),
                        ("2026-10", "2026-11"), (Decimal("0.00"), Decimal("2500.00")), 0)
    figure = go.Figure(forecast_figure(forecast))
    by_name = {trace.name: trace for trace in figure.data}
    assert list(by_name["Pondéré – Négociation"].x) == ["En retard", "nov. 2026", "déc. 2026"]
    assert list(by_name["Pondéré – Négociation"].y) == [0, 0, 700.0]
    assert list(by_name["Montant brut"].y) == [100.0, 0, 1000.0]
    assert list(by_name["Gagné (12 derniers mois)"].x) == ["oct. 2026", "nov. 2026"]


def test_empty_answers_give_a_message_not_an_empty_frame() -> None:
    empty = StageConversion(date(2025, 11, 21), date(2026, 11, 21), (StageMovement("Prospect", 0, 0, 0, None),))
    for figure in (assignees_figure([], []), forecast_figure(Forecast((), (), (), (), 0)),
                   stage_conversion_figure(empty)):
        assert go.Figure(figure).data == () and figure["layout"]["annotations"]


def test_stage_movement_labels_each_stage_with_its_entries_and_stay() -> None:
    conversion = StageConversion(date(2025, 11, 21), date(2026, 11, 21), (
        StageMovement("Prospect", 4, 3, 1, Decimal("12.25")), StageMovement("Qualifié", 2, 0, 0, None)))
    advanced, lost = go.Figure(stage_conversion_figure(conversion)).data
    assert list(advanced.text) == [f"75,0{NBSP}%", f"0,0{NBSP}%"] and list(lost.text) == [f"25,0{NBSP}%", f"0,0{NBSP}%"]
    assert list(advanced.x) == [f"Prospect<br>4 entrées<br>12,3{NBSP}jours", "Qualifié<br>2 entrées<br>durée —"]


def test_a_forecast_side_with_nothing_says_so_instead_of_odd_ticks() -> None:
    forecast = Forecast(("En retard", "2026-11"), (ForecastCell("2026-11", "Prospect", 1, Decimal("100.00"),
                                                                Decimal("10.00")),),
                        ("2026-10", "2026-11"), (Decimal("0.00"), Decimal("0.00")), 0)
    figure = forecast_figure(forecast)
    assert figure["layout"]["yaxis"]["tickvals"] == [0] and "tickvals" not in figure["layout"]["yaxis2"]
    assert "Aucun deal gagné<br>sur ces 12 mois." in [note["text"] for note in figure["layout"]["annotations"]]
    go.Figure(figure)
