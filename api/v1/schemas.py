"""What the REST API reads and answers, as marshmallow schemas: flask-smorest checks requests against them and
writes the OpenAPI document from them, so the document cannot drift from the code.

Names are the dashboard's: the filter parameters are the page URL's (`statut` takes the stage slugs of the
URL, `commercial` the salesperson), the deal fields are the database columns. Amounts are decimal strings
(`"12500.50"`), exact to the cent; dates are ISO (`2026-12-31`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from marshmallow import Schema, fields, validate

from domain.deal_filter import MISSING_LABELS, SEARCH_MAX_LENGTH
from domain.deal_record import LOSS_REASON_MAX, MAX_ID
from domain.fields import AMOUNT_SCALE, FIELD_BY_KEY
from domain.stages import STAGE_NAMES, STAGES
from services.importing.values import MAX_YEAR, MIN_YEAR
from services.queries import SORTABLE_COLUMNS

MAX_PAGE_SIZE = 500
DUE_DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
AMOUNT_PATTERN = r"^[0-9]{1,10}([.,][0-9]{1,2})?$"  # what numeric(12, 2) holds, with either decimal mark
DEFAULT_PAGE_SIZE = 50
SORT_KEYS = tuple(sorted({*SORTABLE_COLUMNS, *(f"-{name}" for name in SORTABLE_COLUMNS)}))


class DecimalText(fields.Decimal):
    """An exact decimal, written as a JSON string (`"12500.50"`); a JSON number is read too. Documented as a
    string of format `decimal` (`install_api` registers it), which is what goes over the wire."""

    def __init__(self, **options: object) -> None:
        super().__init__(as_string=True, **options)


class UtcDateTime(fields.DateTime):
    """A moment the database stores in UTC without a zone, written with it (`2026-12-06T07:17:57+00:00`)."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: object, **kwargs: object) -> str | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def _due_date(**options: object) -> fields.Date:
    """A due date in the years the import accepts (1900 to 2100), so that the document says what is refused."""
    return fields.Date(validate=validate.Range(min=date(MIN_YEAR, 1, 1), max=date(MAX_YEAR, 12, 31)),
                       metadata={"pattern": DUE_DATE_PATTERN, **options.pop("metadata", {})}, **options)


def _version() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID),
                          metadata={"description": "la version lue : 409 si le deal a changé"})


def _money(**options: object) -> DecimalText:
    return DecimalText(places=AMOUNT_SCALE, **options)


def _text(key: str, **options: object) -> fields.String:
    """A text field no longer than the database column (`domain.fields`)."""
    return fields.String(validate=validate.Length(max=FIELD_BY_KEY[key].max_length), **options)


def _client(**options: object) -> fields.String:
    """The client's name: required text, not only spaces."""
    return fields.String(validate=[validate.Length(min=1, max=FIELD_BY_KEY["client"].max_length),
                                   validate.Regexp(r"^\s*\S")], **options)


class SelectionQuery(Schema):
    """The dashboard's filters, as in its URL (`?statut=gagne&secteur=Banque&du=2026-11-01`)."""

    statut = fields.List(fields.String(validate=validate.OneOf([stage.slug for stage in STAGES])),
                         metadata={"description": "étape (slug de l'URL), répétable"})
    secteur = fields.List(fields.String(validate=validate.Length(max=100)), metadata={"description": "répétable"})
    commercial = fields.List(fields.String(validate=validate.Length(max=100)), metadata={"description": "répétable"})
    du = _due_date(metadata={"description": "échéance à partir de ce jour"})
    au = _due_date(metadata={"description": "échéance jusqu'à ce jour"})
    manque = fields.List(fields.String(validate=validate.OneOf(sorted(MISSING_LABELS))),
                         metadata={"description": "deals sans montant, échéance, secteur, commercial ; ou en retard"})
    q = fields.String(validate=validate.Length(max=SEARCH_MAX_LENGTH),
                      metadata={"description": "recherche dans le client, les notes et la référence"})


class DealListQuery(SelectionQuery):
    """The filters, a page and an order."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID // MAX_PAGE_SIZE))
    par_page = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    tri = fields.List(fields.String(validate=validate.OneOf(SORT_KEYS)),
                      metadata={"description": "colonne de tri, `-` devant pour décroissant ; répétable"})


class DealSummary(Schema):
    """A deal as the list gives it, with its urgency against today."""

    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    client = fields.String(required=True)
    statut = fields.String(required=True)
    montant_brut = _money(allow_none=True, required=True)
    valeur_ponderee = _money(allow_none=True, required=True)
    secteur = fields.String(allow_none=True, required=True)
    assignee = fields.String(allow_none=True, required=True)
    date_echeance = fields.Date(allow_none=True, required=True)
    jours_restants = fields.Integer(allow_none=True, required=True, attribute="days_left")
    en_retard = fields.Boolean(required=True, attribute="is_overdue")


class DealList(Schema):
    total = fields.Integer(required=True, metadata={"description": "deals de la sélection"})
    page = fields.Integer(required=True)
    par_page = fields.Integer(required=True)
    deals = fields.List(fields.Nested(DealSummary), required=True)


class DealFields(Schema):
    """The fields a person writes (the deal form's); on a PATCH, the fields sent are the ones changed."""

    client = _client()
    statut = fields.String(validate=validate.OneOf(STAGE_NAMES))
    montant_brut = fields.String(allow_none=True, validate=validate.Regexp(AMOUNT_PATTERN),
                                 metadata={"description": "en euros, au centime : \"12500.50\" ; null : à estimer"})
    secteur = _text("secteur", allow_none=True)
    date_echeance = _due_date(allow_none=True)
    assignee = _text("assignee", allow_none=True)
    notes = _text("notes", allow_none=True)
    ref_externe = _text("ref_externe", allow_none=True)
    motif_perte = fields.String(allow_none=True, validate=validate.Length(max=LOSS_REASON_MAX))


class NewDeal(DealFields):
    client = _client(required=True)
    statut = fields.String(required=True, validate=validate.OneOf(STAGE_NAMES))


class DealChange(DealFields):
    version = _version()


class VersionQuery(Schema):
    version = _version()


class DealDetail(DealFields):
    """A stored deal, every field given (null when not set)."""

    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    cree_le = UtcDateTime(allow_none=True, required=True)
    est_demo = fields.Boolean(required=True)


class Kpis(Schema):
    nombre_deals = fields.Integer(required=True)
    pipeline_pondere = _money(allow_none=True, required=True)
    deal_moyen = _money(allow_none=True, required=True)
    taux_conversion = DecimalText(allow_none=True, required=True,
                                     metadata={"description": "part des deals gagnés, de 0 à 1"})
    taux_gain = DecimalText(allow_none=True, required=True,
                               metadata={"description": "gagnés sur clos (gagnés + perdus), de 0 à 1"})
    deals_par_etape = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    sans_montant = fields.Integer(required=True, metadata={"description": "deals « à estimer », hors sommes"})


class FunnelStep(Schema):
    etape = fields.String(required=True)
    pondere = _money(required=True)
    brut = _money(required=True)
    nombre = fields.Integer(required=True)
    sans_montant = fields.Integer(required=True)


class SectorTotal(Schema):
    secteur = fields.String(required=True)
    total = _money(required=True)
    nombre = fields.Integer(required=True)
    sans_montant = fields.Integer(required=True)
    moyenne = _money(allow_none=True, required=True)


class Sectors(Schema):
    secteurs = fields.List(fields.Nested(SectorTotal), required=True)
    top_moyenne = fields.List(fields.Nested(SectorTotal), required=True,
                              metadata={"description": "les cinq secteurs au plus gros deal moyen"})


class ImportForm(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={"description": "montre ce que l'import ferait, sans écrire"})


class ImportFile(Schema):
    fichier = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class RejectedRow(Schema):
    ligne = fields.Integer(required=True)
    colonne = fields.String(required=True)
    motif = fields.String(required=True)


class ImportReport(Schema):
    fichier = fields.String(required=True)
    ecrit = fields.Boolean(required=True, metadata={"description": "faux pour un essai (`dry_run`) ou un refus"})
    message = fields.String(required=True)
    crees = fields.Integer(required=True)
    mis_a_jour = fields.Integer(required=True)
    deja_presents = fields.Integer(required=True)
    rejetes = fields.Integer(required=True)
    sans_montant = fields.Integer(required=True)
    lignes_rejetees = fields.List(fields.Nested(RejectedRow), required=True,
                                  metadata={"description": "les 20 premières"})


class ImportRun(Schema):
    id = fields.Integer(required=True)
    fichier = fields.String(required=True)
    le = UtcDateTime(required=True)
    crees = fields.Integer(required=True)
    mis_a_jour = fields.Integer(required=True)
    deja_presents = fields.Integer(required=True)
    rejetes = fields.Integer(required=True)
    par = fields.String(allow_none=True, required=True)


class Error(Schema):
    code = fields.String(required=True, metadata={"description": "le type d'erreur, stable (pour un script)"})
    message = fields.String(required=True, metadata={"description": "en français, pour une personne"})
    champs = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "champ → motif, quand des champs sont refusés"})
