"""The browser sends the files back at confirm time; the server imports only what it previewed.

Why a seal: the confirm request is built by the browser and can be forged (a file never previewed, other
mappings, the confirm sent while the button was disabled). Each preview answer carries a token signed with
the server's secret: per importable file, its SHA-256, its name and the mappings the preview used. Confirm
imports a file only when its bytes and name match an entry of a valid token, with that entry's mappings.
Stateless, so any worker can answer (they share the secret).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from itsdangerous import BadSignature, URLSafeSerializer

from domain.import_results import ImportPreview
from layouts.import_panel import shown_choices

SALT = "crm-import-preview"
Mappings = tuple[dict[str, str | None], dict[str, str]]


def digest(content: bytes) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    return hashlib.sha256(content).hexdigest()


class PreviewSeal:
    """Signs what was previewed and opens a returned token; a forged or damaged token opens to nothing."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=SALT)

    def seal(self, files: Sequence[tuple[bytes, str]], previews: Sequence[ImportPreview]) -> str:
        """A token naming every importable file of the preview, with the mappings it was computed with."""
        entries = [[digest(content), name, shown_choices(preview)]
                   for (content, name), preview in zip(files, previews, strict=True) if preview.importable]
        return self._serializer.dumps(entries)

    def opened(self, token: str | None) -> dict[tuple[str, str], Mappings]:
        """(digest, name) -> (column mapping, stage mapping) of each sealed file; empty for a bad token."""
        if not isinstance(token, str):
            return {}
        try:
            entries = self._serializer.loads(token)
        except BadSignature:
            return {}
        return {(entry[0], entry[1]): (entry[2]["columns"], entry[2]["stages"]) for entry in entries}
