"""`GET /exports/<token>`: the export the dashboard's button asked for, streamed as a download.

The export callback checks the view and signs a short-lived link (`services.exports.download_token`); the
browser follows it and this route streams the file chunk by chunk (`stream_with_context`), so no answer holds
the whole file and a long CSV takes a worker thread, not the callback queue. With AUTH=on the sign-in guard
stands in front of it like every page (no session: the sign-in page), and the link only serves the account it
was signed for.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, stream_with_context

from domain.errors import DatabaseUnavailableError
from services.exports import MEDIA_TYPES, DealExports, TooManyRowsError
from services.exports.download_token import DownloadTokens

EXPIRED = "Ce lien de téléchargement n'est plus valable : relancez l'export depuis le tableau de bord."
NOT_YOURS = "Ce lien de téléchargement a été créé pour un autre compte."


def _plain(message: str, status: int) -> Response:
    return Response(message, status=status, mimetype="text/plain", headers={"Cache-Control": "no-store"})


def export_download_blueprint(exports: DealExports, tokens: DownloadTokens,
                              signed_in: Callable[[], int | None]) -> Blueprint:
    """The download route; `signed_in` gives the asking account's id (None in solo mode)."""
    blueprint = Blueprint("export_download", __name__)

    @blueprint.get("/exports/<token>")
    def download(token: str) -> Response:
        asked = tokens.opened(token)
        if asked is None or asked.file_format not in MEDIA_TYPES:
            return _plain(EXPIRED, 404)
        if asked.account_id != signed_in():
            return _plain(NOT_YOURS, 403)
        try:
            chunks = exports.download(asked.file_format, asked.view)
        except TooManyRowsError as refused:
            return _plain(str(refused), 409)
        except DatabaseUnavailableError as down:
            return _plain(down.message, 503)
        name = exports.file_name(asked.file_format)
        return Response(stream_with_context(chunks), mimetype=MEDIA_TYPES[asked.file_format],
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})

    return blueprint
