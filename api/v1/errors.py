"""Every API error is JSON `{"code", "message"}` with a French message (and `champs`, field → reason, when
fields are refused), whatever raised it: Flask (404, 405, 413), the request checks (422), the service's
refusals (403, 409, 422) or an outage (503). Other routes keep the dashboard's own error pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from domain.accounts import PermissionDeniedError
from domain.errors import (
    DatabaseUnavailableError,
    DealConflictError,
    DealGoneError,
    DealInputError,
    DuplicateReferenceError,
)

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1/"

CODES: dict[int, tuple[str, str]] = {
    400: ("requete_invalide", "Requête invalide."),
    401: ("non_authentifie", "Jeton d'API manquant, inconnu ou révoqué : envoyez « Authorization: Bearer <jeton> »."),
    403: ("interdit", "Votre rôle ne permet pas cette action."),
    404: ("introuvable", "Cette ressource n'existe pas."),
    405: ("methode_refusee", "Méthode non permise sur cette ressource."),
    409: ("conflit", "La ressource a changé entre-temps : rien n'a été écrit."),
    413: ("trop_gros", "Requête trop volumineuse."),
    415: ("type_refuse", "Type de contenu non pris en charge."),
    422: ("donnees_invalides", "Données invalides : rien n'a été écrit."),
    500: ("erreur_interne", "Erreur inattendue du serveur."),
    503: ("indisponible", DatabaseUnavailableError.message),
}
# marshmallow's messages, in French; any other becomes "valeur invalide".
FRENCH_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), french) for pattern, french in (
    (r"^Missing data for required field", "champ obligatoire"),
    (r"^Unknown field", "champ inconnu"),
    (r"^Field may not be null", "ne peut pas être vide (null)"),
    (r"^Not a valid integer", "nombre entier attendu"),
    (r"^Not a valid number|^Not a valid decimal", "nombre décimal attendu (12500.50)"),
    (r"^Not a valid date", "date attendue au format AAAA-MM-JJ"),
    (r"^Not a valid boolean", "vrai ou faux attendu (true / false)"),
    (r"^Not a valid string", "texte attendu"),
    (r"^Not a valid list", "liste attendue"),
    (r"^Must be one of", "valeur non permise"),
    (r"^String does not match expected pattern", "format invalide"),
    (r"^Longer than maximum length (\d+).*", r"trop long (\1 caractères au plus)"),
    (r"^Shorter than minimum length", "ne peut pas être vide"),
    (r"^Length must be between (\d+) and (\d+).*", r"de \1 à \2 caractères"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+?)\.?$", r"doit être entre \1 et \2"),
    (r"^Must be greater than or equal to (\S+) and less than (\S+?)\.?$", r"doit être au moins \1 et moins de \2"),
    (r"^Invalid input type", "type de valeur invalide"),
    (r"^Special numeric values", "nombre fini attendu"),
))


def french_reason(message: str) -> str:
    for pattern, french in FRENCH_REASONS:
        if pattern.search(message):
            return pattern.sub(french, message) if "\\" in french else french
    return "valeur invalide"


def _flatten(messages: object, prefix: str = "") -> dict[str, str]:
    """webargs' nested messages (location → field → [index →] list of texts) as field → French reason."""
    if isinstance(messages, Mapping):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            name = str(key) if key != "_schema" else "corps"
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
        return flat
    if isinstance(messages, list) and messages and all(isinstance(item, str) for item in messages):
        return {prefix: french_reason(messages[0])}
    return {prefix or "corps": "valeur invalide"}


def api_error(status: int, message: str | None = None, fields: Mapping[str, str] | None = None,
              headers: Mapping[str, str] | None = None) -> tuple[Response, int]:
    code, default = CODES.get(status, ("erreur", "Erreur."))
    body: dict[str, object] = {"code": code, "message": message or default}
    if fields:
        body["champs"] = dict(fields)
    answer = jsonify(body)
    answer.headers.update(headers or {})
    if status == 401:
        answer.headers["WWW-Authenticate"] = 'Bearer realm="crm"'
    return answer, status


def http_error(error: HTTPException) -> tuple[Response, int] | HTTPException:
    """A Flask or webargs error on an API route as JSON; on any other route, Flask's own answer."""
    if not request.path.startswith(API_PREFIX):
        return error
    status = error.code or 500
    messages = (getattr(error, "data", None) or {}).get("messages")
    if status == 422 and messages is not None:
        # webargs nests by location (query, json, form, files); the field names are unique across them.
        by_field = {name: reason for location in messages.values() for name, reason in _flatten(location).items()}
        return api_error(422, fields=by_field)
    # The headers the error carries, such as the `Allow` list of a 405.
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    return api_error(status, headers=headers)


def service_error(error: Exception) -> tuple[Response, int]:
    """The service's refusals, with their own French message; nothing was written."""
    if isinstance(error, DuplicateReferenceError):
        return api_error(409, str(error), fields=error.problems)
    if isinstance(error, DealInputError):
        return api_error(422, fields=error.problems)
    if isinstance(error, PermissionDeniedError):
        return api_error(403, error.message)
    if isinstance(error, DealGoneError):
        return api_error(404, error.message)
    if isinstance(error, DealConflictError):
        return api_error(409, error.message)
    if isinstance(error, DatabaseUnavailableError):
        return api_error(503)
    raise error


SERVICE_ERRORS = (DealInputError, PermissionDeniedError, DealGoneError, DealConflictError, DatabaseUnavailableError)
