"""The KPI cards: their skeleton, and the French text each card shows for a `Kpis` value.

The card skeleton and the values are separate so the page renders at once with "—" and a callback fills
only the text; each value element carries the contract ID and holds the formatted value alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from dash import html
from dash.development.base_component import Component

from domain import formatting
from domain.pipeline_results import Kpis
from domain.stages import OPEN_STAGES, STAGES
from domain.staleness import ColdRule
from layouts import ids

NO_DEAL_AT_ALL = "Aucun deal dans la base pour l'instant : importez un fichier CSV pour remplir le tableau de bord."
NO_DEAL_SELECTED = ("Aucun deal ne correspond à ces filtres : les montants et les taux s'affichent « — ». "
                    "Élargissez la sélection ou cliquez sur « Réinitialiser ».")


@dataclass(frozen=True)
class KpiCard:
    """One headline card: the ID of its value, its title and the formula its tooltip states."""

    value_id: str
    title: str
    formula: str


HEADLINE_CARDS: tuple[KpiCard, ...] = (
    KpiCard(ids.KPI_WEIGHTED_PIPELINE, "Pipeline pondéré",
            "Somme des valeurs pondérées des deals sélectionnés (montant brut × probabilité du statut). "
            "Les deals sans montant (à estimer) n'y entrent pas ; un deal à 0 € y entre."),
    KpiCard(ids.KPI_AVERAGE_DEAL, "Panier moyen",
            "Moyenne des montants bruts des deals sélectionnés qui ont un montant (0 € compris) ; "
            "les deals sans montant (à estimer) n'y entrent pas."),
    KpiCard(ids.KPI_CONVERSION_RATE, "Taux de conversion",
            "Deals « Gagné » ÷ tous les deals sélectionnés × 100, deals sans montant compris."),
    KpiCard(ids.KPI_DEAL_COUNT, "Deals", "Nombre de deals sélectionnés, deals sans montant compris."),
)
WIN_RATE_CARD = KpiCard(ids.KPI_WIN_RATE, "Taux de gain",
                        "Deals « Gagné » ÷ (« Gagné » + « Perdu ») × 100 : la part des deals clos qui sont gagnés, "
                        "deals sans montant compris.")
# The cards that leave out the deals without an amount, and the element that says how many.
NOTE_IDS: dict[str, str] = {ids.KPI_WEIGHTED_PIPELINE: ids.KPI_WEIGHTED_PIPELINE_NOTE,
                            ids.KPI_AVERAGE_DEAL: ids.KPI_AVERAGE_DEAL_NOTE}
STAGE_CARDS: tuple[KpiCard, ...] = tuple(
    KpiCard(ids.kpi_count_id(stage.slug), stage.name, f"Nombre de deals sélectionnés au statut « {stage.name} ».")
    for stage in STAGES
)
VALUE_IDS: tuple[str, ...] = tuple(card.value_id for card in (*HEADLINE_CARDS, WIN_RATE_CARD, *STAGE_CARDS))


def cold_card(rule: ColdRule) -> KpiCard:
    """The cold-deal count beside the stage counts; its tooltip states the rule in force (`STALE_DAYS`)."""
    exceptions = [f"{stage} : {rule.days_for(stage)} j" for stage in OPEN_STAGES if rule.days_for(stage) != rule.days]
    rule_words = f"plus de {rule.days} jours" + (f" ({', '.join(exceptions)})" if exceptions else "")
    return KpiCard(ids.KPI_STALE, "Deals froids",
                   f"Deals ouverts sans aucun changement enregistré dans leur historique depuis {rule_words}. "
                   "Le périmètre « Froids » des échéances les liste.")


def _title(card: KpiCard, class_name: str, element: type[Component] = html.Div) -> Component:
    """The card's title; its formula shows in a tooltip on hover or focus (drawn by dashboard.css)."""
    return element(card.title, className=f"{class_name} kpi-formula", tabIndex=0,
                   **{"data-formula": card.formula, "aria-description": card.formula})


def _headline(card: KpiCard) -> html.Div:
    body = [_title(card, "kpi-title"), html.Div(formatting.NO_VALUE, id=card.value_id, className="kpi-value")]
    if card.value_id in NOTE_IDS:
        body.append(html.Div(id=NOTE_IDS[card.value_id], className="kpi-note"))
    if card.value_id == ids.KPI_CONVERSION_RATE:
        body.append(html.Div([_title(WIN_RATE_CARD, "kpi-aside-title", html.Span),
                              html.Span(formatting.NO_VALUE, id=WIN_RATE_CARD.value_id, className="kpi-aside-value")],
                             className="kpi-aside"))
    return html.Div(body, className="card kpi-card")


def _stage(card: KpiCard, extra_class: str = "") -> html.Div:
    return html.Div([_title(card, "kpi-stage-title"),
                     html.Div(formatting.NO_VALUE, id=card.value_id, className="kpi-stage-value")],
                    className=f"card kpi-card kpi-stage {extra_class}".rstrip())


def kpi_cards(cold_rule: ColdRule) -> html.Div:
    """The headline cards and the per-stage counts, showing "—" until the first figures arrive.

    Plain elements laid out by a CSS grid and tooltips drawn by CSS, not Bootstrap's Row/Col/Card/Tooltip
    components: every component on the page costs the renderer work on each of the hundred-odd store updates
    of a filter change, and these cards were half of the page's components.
    """
    return html.Div([
        html.Div([_headline(card) for card in HEADLINE_CARDS], className="kpi-grid kpi-headlines"),
        html.Div([*(_stage(card) for card in STAGE_CARDS), _stage(cold_card(cold_rule), "kpi-cold")],
                 className="kpi-grid kpi-stages"),
    ])


def kpi_texts(kpis: Kpis) -> tuple[str, ...]:
    """The formatted value of every card, in `VALUE_IDS` order; money to the euro, "—" where undefined."""
    return (
        formatting.euros(kpis.weighted_pipeline),
        formatting.euros(kpis.average_deal),
        formatting.percent(kpis.conversion_rate),
        formatting.count(kpis.deal_count),
        formatting.percent(kpis.win_rate),
        *(formatting.count(kpis.count_per_stage.get(stage.name, 0)) for stage in STAGES),
    )


def without_amount_note(kpis: Kpis) -> str:
    """What the pipeline and average-deal cards say of the selected deals they leave out: "hors 12 deals sans
    montant", or nothing when every selected deal has an amount."""
    if not kpis.without_amount:
        return ""
    return f"hors {formatting.count(kpis.without_amount)} deal{'s' if kpis.without_amount > 1 else ''} sans montant"


def selection_message(kpis: Kpis, filtered: bool) -> str | None:
    """Why the cards show "—": no deal at all, or none matching the filters; None when deals are selected."""
    if kpis.deal_count:
        return None
    return NO_DEAL_SELECTED if filtered else NO_DEAL_AT_ALL
