"""Short-lived signed links to an export: the view, the format and the account that asked, in the link itself.

Why a link: a file in a Dash callback answer travels base64 inside the JSON (111 MiB of CSV at a million
deals, held twice by the web process); a link lets the browser download the file from a plain HTTP route
that streams it. Why signed and short-lived: the route trusts only what the server signed a moment ago for
this account, so a link cannot be edited into another view, used by another account, or kept for later.
Stateless, so any worker can answer (they share the secret).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from domain.deal_filter import DealFilter
from domain.pipeline_results import DeadlineScope
from services.exports.view import ExportView

SALT = "crm-export-download"
# The browser follows the link as soon as the callback answers: a minute covers a slow network, no more.
MAX_AGE_SECONDS = 60


@dataclass(frozen=True)
class DownloadRequest:
    """What a valid link asks for: the file format, the view, and the account that asked (None in solo mode)."""

    file_format: str
    view: ExportView
    account_id: int | None


def _view_payload(view: ExportView) -> dict[str, Any]:
    chosen = asdict(view.deal_filter)
    for day in ("due_from", "due_to"):
        chosen[day] = chosen[day].isoformat() if chosen[day] else None
    return {"filter": chosen, "scope": view.scope.value, "sort": [list(pair) for pair in view.sort]}


def _view(payload: dict[str, Any]) -> ExportView:
    return ExportView(DealFilter.build(**payload["filter"]), DeadlineScope(payload["scope"]),
                      tuple((str(column), bool(descending)) for column, descending in payload["sort"]))


class DownloadTokens:
    """Signs download requests and opens them again; a forged, edited or expired token opens to None."""

    def __init__(self, secret: str, max_age: int = MAX_AGE_SECONDS) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self._max_age = max_age

    def issue(self, request: DownloadRequest) -> str:
        """The token of `request`, valid for `max_age` seconds from now."""
        return self._serializer.dumps({"format": request.file_format, "view": _view_payload(request.view),
                                       "account": request.account_id})

    def opened(self, token: str) -> DownloadRequest | None:
        """The request a valid token carries; None when it is forged, damaged or expired."""
        try:
            payload = self._serializer.loads(token, max_age=self._max_age)
        except BadSignature:  # SignatureExpired is one
            return None
        return DownloadRequest(payload["format"], _view(payload["view"]), payload["account"])
