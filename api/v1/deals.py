"""`/deals`: list the selection's deals, read, create, change and delete one, through the one write service.

A change or a deletion names the version it was based on (`version`), as the deal form does: when someone
changed the deal since, the answer is 409 with what changed, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal

from flask import url_for
from flask_smorest import Blueprint

from api.v1 import schemas
from api.v1.selection import selection, sort_pairs
from api.v1.token_auth import current_actor
from data.write_context import API
from domain.deal_record import DealRecord, typed_amount
from domain.errors import DealConflictError, DealGoneError
from services.deal_input import typed_values
from services.reads import DealReads
from services.writes import DealWrites


def _detail(record: DealRecord) -> dict[str, object]:
    return {**asdict(record.values), "id": record.id, "version": record.version, "cree_le": record.created_at,
            "est_demo": record.est_demo}


def _typed(sent: Mapping[str, object]) -> dict[str, object]:
    """Checked JSON values as the deal form types them, so the service checks them with the same rules."""
    typed = {}
    for key, value in sent.items():
        if key == "montant_brut":
            typed[key] = typed_amount(None if value is None else Decimal(str(value).replace(",", ".")))
        elif key == "date_echeance":
            typed[key] = value.isoformat() if value else ""  # type: ignore[attr-defined]
        else:
            typed[key] = value
    return typed


def deals_blueprint(reads: DealReads, writes: DealWrites) -> Blueprint:
    blueprint = Blueprint("deals", __name__, url_prefix="/api/v1", description="Les deals, un par un ou par page")

    def stored(deal_id: int, version: int | None = None) -> DealRecord:
        """The deal as stored now; 404 when there is none, 409 when it is no longer at the `version` sent."""
        record = reads.deal(deal_id)
        if record is None:
            raise DealGoneError()
        if version is not None and record.version != version:
            raise DealConflictError(f"Ce deal est à la version {record.version}, pas à la version {version} envoyée : "
                                    "relisez-le avant de le modifier. Rien n'a été écrit.")
        return record

    @blueprint.get("/deals")
    @blueprint.arguments(schemas.DealListQuery, location="query", as_kwargs=True)
    @blueprint.response(200, schemas.DealList)
    def list_deals(page: int, par_page: int, tri: list[str] | None = None, **query: object) -> dict[str, object]:
        """Les deals de la sélection (filtres de l'URL du tableau de bord), page par page, dans l'ordre demandé
        (par défaut : du plus ancien au plus récent)."""
        found = reads.deals(selection(query), sort_pairs(tri or []), (page - 1) * par_page, par_page)
        return {"total": found.total, "page": page, "par_page": par_page, "deals": found.rows}

    @blueprint.get(f"/deals/<int(max={schemas.MAX_ID}):deal_id>")
    @blueprint.response(200, schemas.DealDetail)
    @blueprint.alt_response(404, schema=schemas.Error)
    def read_deal(deal_id: int) -> dict[str, object]:
        """Un deal, tous ses champs, et sa version (à renvoyer pour le modifier ou le supprimer)."""
        return _detail(stored(deal_id))

    @blueprint.post("/deals")
    @blueprint.arguments(schemas.NewDeal)
    @blueprint.response(201, schemas.DealDetail)
    @blueprint.alt_response(403, schema=schemas.Error)
    @blueprint.alt_response(422, schema=schemas.Error)
    def create_deal(sent: dict[str, object]) -> tuple[dict[str, object], int, dict[str, str]]:
        """Crée un deal (rôles admin et commercial), avec les règles du formulaire."""
        deal_id = writes.create_deal(_typed(sent), API, current_actor())
        return _detail(stored(deal_id)), 201, {"Location": url_for("deals.read_deal", deal_id=deal_id)}

    @blueprint.patch(f"/deals/<int(max={schemas.MAX_ID}):deal_id>")
    @blueprint.arguments(schemas.DealChange)
    @blueprint.response(200, schemas.DealDetail)
    @blueprint.alt_response(403, schema=schemas.Error)
    @blueprint.alt_response(404, schema=schemas.Error)
    @blueprint.alt_response(409, schema=schemas.Error)
    @blueprint.alt_response(422, schema=schemas.Error)
    def change_deal(sent: dict[str, object], deal_id: int) -> dict[str, object]:
        """Change les champs envoyés (admin ; commercial : ses deals). `version` est celle lue : si le deal a changé
        depuis, 409 et rien n'est écrit."""
        version = int(sent.pop("version"))  # type: ignore[call-overload]
        current = stored(deal_id, version)
        typed = {**typed_values(current.values), **_typed(sent)}
        return _detail(writes.change_deal(deal_id, version, current.values, typed, API, current_actor()))

    @blueprint.delete(f"/deals/<int(max={schemas.MAX_ID}):deal_id>")
    @blueprint.arguments(schemas.VersionQuery, location="query", as_kwargs=True)
    @blueprint.response(204)
    @blueprint.alt_response(403, schema=schemas.Error)
    @blueprint.alt_response(404, schema=schemas.Error)
    @blueprint.alt_response(409, schema=schemas.Error)
    def delete_deal(deal_id: int, version: int) -> tuple[str, int]:
        """Supprime le deal (admin ; commercial : ses deals) lu à `version` ; son historique reste."""
        writes.remove_deal(deal_id, version, stored(deal_id, version).values, API, current_actor())
        return "", 204

    return blueprint

