"""The CSV upload area (placeholder): the IDs and the card, without the import logic that comes later."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids


def import_panel() -> dbc.Card:
    """Drop zone, preview area, confirm button and result message, wired by the import callbacks."""
    return dbc.Card([
        dbc.CardHeader(html.H2("Importer des deals (CSV)", className="h6 mb-0")),
        dbc.CardBody([
            dcc.Upload(
                id=ids.UPLOAD_CSV, multiple=False, accept=".csv,text/csv", className="upload-area",
                children=html.Div(["Glissez-déposez un fichier CSV ici, ou ", html.A("choisissez un fichier")]),
            ),
            html.Div(id=ids.IMPORT_PREVIEW, className="mt-3"),
            dbc.Button("Confirmer l'import", id=ids.IMPORT_CONFIRM, color="primary", disabled=True, className="mt-2"),
            html.Div(id=ids.IMPORT_RESULT, className="mt-2"),
        ]),
    ])
