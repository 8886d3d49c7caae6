"""The performance page's charts as pure functions of the performance reads' answers.

Plain dicts in plotly.js's schema, with the dashboard's look (`layouts.figures`): amounts and rates are written
as French text (Babel), never with plotly's English number formats; an empty answer gives a message.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from domain import formatting
from domain.performance_results import AssigneePerformance, Forecast, StageConversion
from domain.pipeline_trend import PipelineTrend
from domain.stages import OPEN_STAGES
from layouts.figures import (
    PRIMARY,
    STAGE_COLOURS,
    TEXT_MARGIN,
    Figure,
    _figure,
    empty_figure,
    highlight,
    label_margin,
    plotly_text,
    short_label,
)

WON_COLOUR = "#16a34a"
LOST_COLOUR = "#dc2626"
GROSS_COLOUR = "#f59e0b"
NO_ASSIGNEE_DEAL = "Aucun deal dans cette sélection :<br>aucun commercial à afficher."
NO_FORECAST = "Aucun deal ouvert avec une échéance<br>dans les 12 mois, ni gain sur les 12 derniers."
NO_MOVEMENT = "Aucune entrée dans une étape ouverte<br>sur cette période."
NO_TREND = "Aucun deal ouvert dans cette sélection<br>sur les 26 dernières semaines."
PARTIAL_TREND = ("La tendance suit les étapes, secteurs et commerciaux choisis ; "
                 "pas l'échéance, la recherche ni les montants ou échéances manquants.")
COUNT_COLOUR = "#dee2e6"  # light: the weighted line is the figure, the count its context
NO_WON = "Aucun deal gagné<br>sur ces 12 mois."
NO_DUE = "Aucun deal ouvert avec une échéance<br>dans les 12 mois."
TREND_NOTE_DROP = 84  # px under the plot: past the slanted week labels (about 45) and the axis title
MAX_ASSIGNEE_BARS = 12  # salespeople in the chart: two bars and an amount each still readable in its 380 px
ZERO_ONLY = {"tickvals": [0], "range": [0, 1]}  # an axis with nothing on it: "0 €", not "0 €, 0 €, 1 €…"
LEGEND = {"orientation": "h", "x": 0, "y": -0.12, "xanchor": "left", "yanchor": "top"}
# The forecast's two panels, one above the other (fractions of its height, bottom to top): room between them
# for the upper one's month names and the lower one's title.
WON_PANEL = (0.68, 1.0)
DUE_PANEL = (0.0, 0.36)


def assignees_figure(everyone: Sequence[AssigneePerformance], selected: Collection[str]) -> Figure:
    """Open pipeline per salesperson, weighted and gross side by side, largest first; a click on a salesperson
    sends their name (`y`), as a sector bar does. The largest `MAX_ASSIGNEE_BARS` only, saying so: 44 salespeople
    in the chart's height were bars too thin to read under names drawn over each other (the grid lists them all)."""
    if not everyone:
        return empty_figure(NO_ASSIGNEE_DEAL)
    people = everyone[:MAX_ASSIGNEE_BARS]
    cut_note = [] if len(everyone) <= MAX_ASSIGNEE_BARS else [{
        "text": f"Les {MAX_ASSIGNEE_BARS} plus gros pipelines sur {formatting.count(len(everyone))} commerciaux : "
                "le tableau ci-dessous les montre tous.", "showarrow": False, "xref": "paper", "yref": "paper",
        "x": 0, "y": 1, "xanchor": "left", "yanchor": "bottom", "font": {"size": 12, "color": "#6c757d"}}]
    labels = [person.assignee for person in people]
    shown = [plotly_text(label) for label in labels]
    cut = [short_label(label) for label in labels]
    hover = [[formatting.euros(p.won_amount), formatting.percent(p.win_rate), formatting.count(p.won),
              formatting.count(p.lost)] for p in people]
    template = ("<b>%{y}</b><br>%{fullData.name} : %{text}<br>Gagné : %{customdata[0]} (%{customdata[2]} deals, "
                "perdus : %{customdata[3]})<br>Taux de gain : %{customdata[1]}<extra></extra>")

    def bars(name: str, values: list, colour: str) -> dict:
        return {"type": "bar", "orientation": "h", "name": name, "y": shown, "x": [float(v) for v in values],
                "text": [plotly_text(formatting.euros(v)) for v in values], "textposition": "outside",
                "cliponaxis": False, "constraintext": "none", "customdata": hover, "hovertemplate": template,
                "marker": {"color": highlight(labels, selected, [colour] * len(labels))}}

    weighted = bars("Pipeline pondéré", [p.open_weighted for p in people], PRIMARY)
    gross = bars("Pipeline brut", [p.open_gross for p in people], STAGE_COLOURS["Prospect"])
    largest = max(float(p.open_gross) for p in people)
    return _figure(
        [weighted, gross], barmode="group", showlegend=True, legend=LEGEND,
        xaxis={"visible": False, "range": [0, largest * 1.02 or 1], "fixedrange": True},
        yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True, "ticksuffix": " ",
               "tickmode": "array", "tickvals": shown, "ticktext": [plotly_text(label) for label in cut]},
        bargap=0.25, margin={"l": label_margin(cut), "r": TEXT_MARGIN, "b": 40, "t": 28 if cut_note else 8},
        annotations=cut_note,
    )


def _month_label(bucket: str) -> str:
    """`2026-11` as `nov. 2026`; the overdue bucket keeps its name."""
    if len(bucket) != 7 or bucket[4] != "-":
        return bucket
    return formatting.month(date(int(bucket[:4]), int(bucket[5:]), 1))


def forecast_figure(forecast: Forecast) -> Figure:
    """Above: the won amount of each of the last 12 months. Below: the open deals by expected close month
    (overdue first), weighted value stacked by stage, gross amount as a line. One above the other, each the
    chart's whole width: side by side, on a phone, the lower one's amounts were drawn over the other's bars."""
    if not forecast.cells and not any(forecast.won_by_month):
        return empty_figure(NO_FORECAST)
    past = [_month_label(month) for month in forecast.past_months]
    ahead = [_month_label(bucket) for bucket in forecast.months]
    won = {"type": "bar", "name": "Gagné (12 derniers mois)", "x": past,
           "y": [float(amount) for amount in forecast.won_by_month], "marker": {"color": WON_COLOUR},
           "customdata": [formatting.euros(amount) for amount in forecast.won_by_month],
           "hovertemplate": "<b>%{x}</b><br>Gagné : %{customdata}<extra></extra>", "xaxis": "x", "yaxis": "y"}
    traces = [won]
    for stage in OPEN_STAGES:
        cells = {cell.bucket: cell for cell in forecast.cells if cell.stage == stage}
        weighted = [cells[bucket].weighted if bucket in cells else 0 for bucket in forecast.months]
        counts = [cells[bucket].count if bucket in cells else 0 for bucket in forecast.months]
        traces.append({
            "type": "bar", "name": f"Pondéré – {stage}", "x": ahead, "y": [float(value) for value in weighted],
            "marker": {"color": STAGE_COLOURS[stage]}, "xaxis": "x2", "yaxis": "y2",
            "customdata": [[formatting.euros(value), formatting.count(n)] for value, n in zip(weighted, counts,
                                                                                             strict=True)],
            "hovertemplate": f"<b>%{{x}}</b><br>{stage} : %{{customdata[0]}} pondérés (%{{customdata[1]}} deals)"
                             "<extra></extra>",
        })
    gross = [sum((cell.gross for cell in forecast.cells if cell.bucket == bucket), start=0)
             for bucket in forecast.months]
    traces.append({"type": "scatter", "mode": "lines+markers", "name": "Montant brut", "x": ahead,
                   "y": [float(value) for value in gross], "line": {"color": GROSS_COLOUR}, "xaxis": "x2",
                   "yaxis": "y2", "customdata": [formatting.euros(value) for value in gross],
                   "hovertemplate": "<b>%{x}</b><br>Montant brut : %{customdata}<extra></extra>"})
    money_axis = {"tickformat": ",.0f", "ticksuffix": " €", "showgrid": True, "gridcolor": "#e9ecef",
                  "fixedrange": True, "rangemode": "tozero"}
    annotations = [_title("Gagné par mois", WON_PANEL[1]), _title("Ouverts, par mois d'échéance", DUE_PANEL[1])]
    nothing_won, nothing_due = not any(forecast.won_by_month), not forecast.cells
    annotations += [_nothing(NO_WON, sum(WON_PANEL) / 2)] if nothing_won else []
    annotations += [_nothing(NO_DUE, sum(DUE_PANEL) / 2)] if nothing_due else []
    return _figure(
        traces, barmode="stack", showlegend=True, legend={**LEGEND, "y": 1.08, "yanchor": "bottom"},
        xaxis={"type": "category", "fixedrange": True, "anchor": "y"},
        xaxis2={"type": "category", "fixedrange": True, "anchor": "y2"},
        yaxis={**money_axis, "domain": list(WON_PANEL), "anchor": "x", **(ZERO_ONLY if nothing_won else {})},
        yaxis2={**money_axis, "domain": list(DUE_PANEL), "anchor": "x2", **(ZERO_ONLY if nothing_due else {})},
        margin={"l": 100, "r": 8, "t": 72, "b": 88}, annotations=annotations,  # "16 000 000 €" fits
    )


def _nothing(text: str, y: float) -> dict:
    """A message in the middle of an empty panel of the forecast."""
    return {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": y,
            "xanchor": "center", "font": {"size": 12, "color": "#6c757d"}}


def _title(text: str, top: float) -> dict:
    """A panel's name, above its top left corner."""
    return {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0, "y": top + 0.01,
            "xanchor": "left", "yanchor": "bottom", "font": {"size": 13, "color": "#6c757d"}}


def stage_conversion_figure(conversion: StageConversion) -> Figure:
    """Per open stage, the share of entries that went on and the share lost, the entries and the average stay
    under each stage's name (the rule for deals without history is written under the chart, in its card)."""
    if not any(movement.entered for movement in conversion.stages):
        return empty_figure(NO_MOVEMENT)
    labels = [f"{m.stage}<br>{formatting.count(m.entered)} entrées<br>{formatting.days(m.average_days)}"
              if m.average_days is not None else f"{m.stage}<br>{formatting.count(m.entered)} entrées<br>durée —"
              for m in conversion.stages]

    def bars(name: str, rates: list, colour: str) -> dict:
        texts = [formatting.percent(rate) for rate in rates]
        return {"type": "bar", "name": name, "x": labels, "y": [float(rate or 0) for rate in rates],
                "text": texts, "textposition": "outside", "cliponaxis": False, "marker": {"color": colour},
                "hovertemplate": f"<b>%{{x}}</b><br>{name} : %{{text}}<extra></extra>"}

    return _figure(
        [bars("Passés à une étape suivante", [m.advanced_rate for m in conversion.stages], PRIMARY),
         bars("Perdus", [m.lost_rate for m in conversion.stages], LOST_COLOUR)],
        barmode="group", showlegend=True, legend={**LEGEND, "y": 1.12, "yanchor": "bottom"},
        xaxis={"type": "category", "fixedrange": True, "tickangle": 0},  # three short lines fit a phone upright
        yaxis={"visible": False, "range": [0, 1.15], "fixedrange": True},
        margin={"l": 8, "r": 8, "t": 36, "b": 64},
    )


def trend_figure(trend: PipelineTrend) -> Figure:
    """The weighted open pipeline (line, euros, left axis) and the open deal count (bars, right axis) at the end
    of each week; the current week's point is now. A note says when some filters are not followed."""
    if not any(point.deals for point in trend.points):
        return empty_figure(NO_TREND)
    weeks = [formatting.day(point.week_start)[:5] for point in trend.points]
    week_names = [f"semaine du {formatting.day(point.week_start)}" for point in trend.points]
    counts = {"type": "bar", "name": "Deals ouverts", "x": weeks, "y": [point.deals for point in trend.points],
              "marker": {"color": COUNT_COLOUR},
              "customdata": [[name, formatting.count(point.deals)] for name, point in zip(week_names, trend.points,
                                                                                          strict=True)],
              "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]} deals ouverts<extra></extra>"}
    weighted = {"type": "scatter", "mode": "lines+markers", "name": "Pipeline pondéré", "x": weeks,
                "y": [float(point.weighted) for point in trend.points], "line": {"color": PRIMARY, "width": 3},
                "yaxis": "y2",  # the overlaying axis: drawn over the bars
                "customdata": [[name, formatting.euros(point.weighted)] for name, point in zip(week_names,
                                                                                               trend.points,
                                                                                               strict=True)],
                "hovertemplate": "<b>%{customdata[0]}</b><br>Pipeline pondéré : %{customdata[1]}<extra></extra>"}
    # The note hangs a fixed distance under the plot (below the week labels and their title), not at a fraction of
    # the chart's height, which put it over "Semaine du".
    annotations = [{"text": PARTIAL_TREND, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0, "y": 0,
                    "yanchor": "top", "yshift": -TREND_NOTE_DROP, "xanchor": "left",
                    "font": {"size": 12, "color": "#b45309"}}] if trend.partial else []
    return _figure(
        [counts, weighted], showlegend=True, legend={**LEGEND, "y": 1.02, "yanchor": "bottom"},
        xaxis={"type": "category", "tickangle": -45, "fixedrange": True, "title": {"text": "Semaine du"}},
        yaxis={"side": "right", "rangemode": "tozero", "fixedrange": True, "tickformat": ",d", "showgrid": False,
               "title": {"text": "Deals ouverts"}},
        yaxis2={"overlaying": "y", "side": "left", "tickformat": ",.0f", "ticksuffix": " €", "showgrid": True,
                "gridcolor": "#e9ecef", "fixedrange": True, "rangemode": "tozero", "tickmode": "auto"},
        margin={"l": 100, "r": 64, "t": 40, "b": TREND_NOTE_DROP + 28 if trend.partial else 80},
        annotations=annotations,
    )
