"""The export buttons of the deadline card and the download they feed.

Three buttons and one store: a click puts the file's signed link in the store and the browser follows it (the
file streams from `/exports/<token>`, never through a callback answer); nothing is built on a filter change.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc

from layouts import ids


def export_controls() -> list:
    """"CSV", "Excel" and "PDF" of the current view (filters, scope, sort), and the store of the link to follow."""
    return [
        dbc.Button("Exporter en CSV", id=ids.EXPORT_CSV, size="sm", color="secondary", outline=True,
                   className="ms-auto", title="Les deals de la vue, pour Excel ou un autre CRM (réimportable)"),
        dbc.Button("Exporter en Excel", id=ids.EXPORT_XLSX, size="sm", color="secondary", outline=True,
                   title="Les deals de la vue et une feuille « Synthèse » des chiffres"),
        dbc.Button("Rapport PDF", id=ids.EXPORT_PDF, size="sm", color="secondary", outline=True,
                   title="Un rapport A4 de la vue : filtres, indicateurs, graphiques et prochaines échéances"),
        dcc.Store(id=ids.EXPORT_LINK),
    ]
