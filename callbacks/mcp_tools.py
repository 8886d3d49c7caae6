"""The MCP endpoint's one tool (MCP=on): the figures of a selection, for an AI assistant.

Dash 4.4's MCP server lists, by default, every server callback (the writing ones too), the whole layout and
a tool that reads any component. Only a plain read-only function is exposed here: nothing of the page, no
callback. Its answer is the REST API's (`domain.figure_payloads`), from the same cached reads.
"""

from __future__ import annotations

import json
from datetime import date

from dash.mcp import configure_mcp_server, mcp_enabled

from domain.deal_filter import DealFilter
from domain.figure_payloads import funnel_payload, kpis_payload, sectors_payload
from domain.stages import STAGE_BY_SLUG
from services.reads import DealReads

TOOL_NAME = "chiffres_de_la_selection"


def _texts(value: object, name: str) -> list[str]:
    """A list argument as the tool documents it (a lone text counts as a list of one); an assistant that sends
    another type gets a French sentence, not Python's words."""
    if value is None:
        return []
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
        raise ValueError(f"{name} : liste de textes attendue, par exemple [\"Gagné\"].")
    return listed


def _text(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{name} : texte attendu.")


def _day(value: object, name: str) -> date | None:
    text = _text(value, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} : date attendue au format AAAA-MM-JJ, pas « {text[:20]} ».") from None


def expose_figures(reads: DealReads) -> None:
    """Configure Dash's MCP server to list nothing but the figures tool (call before the first MCP request)."""
    configure_mcp_server(include_layout=False, include_callbacks=False, include_clientside_callbacks=False,
                         include_pages=False, expose_callback_docstrings=False)

    def chiffres_de_la_selection(statut: list[str] | None = None, secteur: list[str] | None = None,
                                 commercial: list[str] | None = None, du: str | None = None, au: str | None = None,
                                 q: str | None = None) -> dict[str, object]:
        """Les chiffres du tableau de bord CRM pour une sélection de deals (lecture seule) : cartes KPI (pipeline
        pondéré, deal moyen, taux de conversion et de gain, deals par étape), entonnoir pondéré et montants par
        secteur. Filtres, tous facultatifs : statut (étapes : Prospect, Qualifié, Négociation, Gagné, Perdu),
        secteur, commercial ("Non renseigné" / "Non attribué" pour les deals sans), du et au (échéance,
        AAAA-MM-JJ), q (mots cherchés dans le client, les notes, la référence). Montants en euros, en texte."""
        selection = DealFilter.build(stages=[STAGE_BY_SLUG.get(stage, stage) for stage in _texts(statut, "statut")],
                                     sectors=_texts(secteur, "secteur"), assignees=_texts(commercial, "commercial"),
                                     due_from=_day(du, "du"), due_to=_day(au, "au"), search=_text(q, "q"))
        figures = {**kpis_payload(reads.kpis(selection)), "entonnoir": funnel_payload(reads.funnel(selection)),
                   **sectors_payload(reads.sectors(selection))}
        return json.loads(json.dumps(figures, default=str))  # exact amounts as text, as the REST API writes them

    mcp_enabled(name=TOOL_NAME, expose_docstring=True)(chiffres_de_la_selection)
