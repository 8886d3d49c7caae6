"""Names as data: header synonyms (French, English and the common CRM exports) and stage names.

Why data and not code: supporting one more CRM is one more line in a table, reviewable at a glance, and the
matching rule (`normalise`) is the same for every name. Lists are in priority order: when a file has both
`Account Name` and `Opportunity Name`, the company wins the `client` field and the other stays unmapped.
"""

from __future__ import annotations

import re
import unicodedata

from domain.fields import (
    ASSIGNEE,
    CLIENT,
    ECHEANCE,
    MONTANT,
    NOTES,
    REF,
    RESULTAT,
    SECTEUR,
    STATUT,
)

# Whole words dropped from headers before matching: units and tax notes do not change what a column is.
IGNORED_HEADER_WORDS = frozenset({"eur", "euro", "euros", "en", "ht", "ttc", "converted", "convertie"})

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    CLIENT: (
        "Client", "Nom du client", "Nom client", "Société", "Entreprise", "Raison sociale", "Compte",
        "Nom du compte", "Organisation", "Affaire - Organisation", "Organisation - Nom",
        "Account", "Account Name", "Company", "Company Name", "Associated Company", "Customer",
        "Customer Name", "Organization", "Deal - Organization", "Organization - Name", "Partner",
        # Lower priority: the deal's own title, used when the file names no company.
        "Deal Name", "Deal - Title", "Opportunity Name", "Opportunity", "Affaire", "Affaire - Titre",
        "Nom de l'affaire", "Titre", "Opportunité", "Nom de l'opportunité", "Prospect",
    ),
    STATUT: (
        "Statut", "Étape", "Étape du pipeline", "Étape de vente", "Phase", "Affaire - Étape",
        "Stage", "Deal Stage", "Deal - Stage", "Pipeline Stage", "Sales Stage", "Opportunity Stage",
        "Status", "État",
    ),
    MONTANT: (
        "Montant brut", "Montant", "Montant HT", "Valeur", "Affaire - Valeur", "Chiffre d'affaires", "CA",
        "Amount", "Deal Amount", "Deal Value", "Deal - Value", "Value", "Close Value", "close_value",
        "Expected Revenue", "Revenue", "Opportunity Amount", "Total", "Prix",
    ),
    SECTEUR: (
        "Secteur", "Secteur d'activité", "Industrie", "Activité", "Branche",
        "Sector", "Industry", "Account - Industry", "Organization - Industry", "Deal - Industry",
    ),
    ECHEANCE: (
        "Date d'échéance", "Échéance", "Date de clôture", "Date de clôture prévue", "Clôture prévue",
        "Date de signature prévue", "Affaire - Date de clôture prévue", "Date prévue", "Date limite",
        "Close Date", "Closing Date", "Expected Close Date", "Deal - Expected close date", "Expected Closing",
        "close_date", "Due Date", "Deadline", "date_echeance",
    ),
    ASSIGNEE: (
        "Commercial", "Commerciale", "Responsable", "Propriétaire", "Vendeur", "Vendeuse", "Assigné à",
        "Affaire - Propriétaire", "Responsable du compte", "Chargé d'affaires",
        "Assignee", "Owner", "Deal Owner", "Deal - Owner", "Opportunity Owner", "Salesperson",
        "Sales Person", "Sales Rep", "Sales Agent", "sales_agent", "Assigned To", "User",
    ),
    NOTES: (
        "Notes", "Note", "Commentaire", "Commentaires", "Remarques", "Description",
        "Comments", "Deal Description", "Internal Notes",
    ),
    REF: (
        "Réf.", "Réf. externe", "Référence", "Référence externe", "ref_externe", "Identifiant", "ID",
        "Affaire - ID", "ID de l'affaire", "Record ID", "Deal ID", "Deal - ID", "Opportunity ID",
        "opportunity_id", "Opportunity ID (18)", "External ID",
    ),
    RESULTAT: ("Deal - Status", "Affaire - Statut", "Résultat", "Won/Lost"),
}

# Stage names seen in files -> our stage. Exact match after `normalise`.
STAGE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "Prospect": (
        "Prospect", "Prospection", "Prospecting", "Nouveau", "Nouvelle", "Lead", "Lead In", "New",
        "Piste", "Contact établi", "Contact Made", "Appointment scheduled", "Premier contact", "Cold",
    ),
    "Qualifié": (
        "Qualifié", "Qualifiée", "Qualification", "Qualified", "Qualified to buy", "Engaging", "Engaged",
        "Needs Analysis", "Analyse des besoins", "Value Proposition", "Id. Decision Makers",
        "Identify Decision Makers", "Perception Analysis", "Demo Scheduled", "Démo", "Démonstration",
        "Presentation scheduled", "Rendez-vous", "Découverte", "Discovery",
    ),
    "Négociation": (
        "Négociation", "Négociations", "En négociation", "Negotiation", "Negotiation/Review",
        "Negotiations Started", "Proposal", "Proposal Made", "Proposal/Price Quote", "Proposition",
        "Proposition commerciale", "Devis", "Devis envoyé", "Decision maker bought-in", "Contract Sent",
        "Contrat envoyé", "Closing",
    ),
    "Gagné": (
        "Gagné", "Gagnée", "Won", "Closed Won", "Closed - Won", "Deal Won", "Signé", "Signée", "Conclu",
        "Win",
    ),
    "Perdu": (
        "Perdu", "Perdue", "Lost", "Closed Lost", "Closed - Lost", "Deal Lost", "Closed-Lost to Competition",
        "Annulé", "Abandonné", "Sans suite", "Refusé",
    ),
}

# Stems that suggest a stage for a value the table does not know; the user still confirms the choice.
STAGE_HINTS: tuple[tuple[str, str], ...] = (
    ("lost", "Perdu"), ("perdu", "Perdu"), ("annul", "Perdu"), ("abandon", "Perdu"), ("refus", "Perdu"),
    ("dead", "Perdu"), ("echec", "Perdu"), ("won", "Gagné"), ("gagn", "Gagné"), ("signe", "Gagné"),
    ("nego", "Négociation"), ("propos", "Négociation"), ("devis", "Négociation"), ("quote", "Négociation"),
    ("contra", "Négociation"), ("qualif", "Qualifié"), ("demo", "Qualifié"), ("meeting", "Qualifié"),
    ("rdv", "Qualifié"), ("analys", "Qualifié"), ("lead", "Prospect"), ("prospect", "Prospect"),
    ("nouv", "Prospect"), ("new", "Prospect"), ("contact", "Prospect"),
)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(name: str) -> str:
    """Lower-case ASCII letters and digits only: `Date d'Échéance ` and `date_echeance` become equal."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(_NON_ALNUM.split(ascii_only))


def normalise_header(name: str) -> str:
    """`normalise` after dropping unit words: `Montant (EUR)` and `Montant en euros` match `Montant`."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = [word for word in _NON_ALNUM.split(ascii_only) if word and word not in IGNORED_HEADER_WORDS]
    return "".join(words)


def _ranked_headers() -> dict[str, list[tuple[int, str]]]:
    """Normalised header -> [(rank, field)], built once from HEADER_SYNONYMS."""
    ranked: dict[str, list[tuple[int, str]]] = {}
    for field, names in HEADER_SYNONYMS.items():
        for rank, name in enumerate(names):
            ranked.setdefault(normalise_header(name), []).append((rank, field))
    return ranked


HEADER_INDEX = _ranked_headers()
STAGE_INDEX: dict[str, str] = {
    normalise(name): stage for stage, names in STAGE_SYNONYMS.items() for name in (stage, *names)
}


def auto_mapping(headers: tuple[str, ...], taken: frozenset[str] = frozenset()) -> dict[str, str | None]:
    """Each header -> its field or None; each field (except `taken` ones) to at most one header, the
    best-ranked synonym first."""
    candidates = sorted(
        (rank, position, field)
        for position, header in enumerate(headers)
        for rank, field in HEADER_INDEX.get(normalise_header(header), ())
    )
    mapping: dict[str, str | None] = dict.fromkeys(headers)
    taken = set(taken)
    for _rank, position, field in candidates:
        header = headers[position]
        if mapping[header] is None and field not in taken:
            mapping[header] = field
            taken.add(field)
    return mapping


def known_header_count(headers: list[str] | tuple[str, ...]) -> int:
    """How many cells of a row are known header names: tells a header row (and its delimiter) apart."""
    return sum(1 for header in headers if normalise_header(header) in HEADER_INDEX)


def suggest_stage(value: str) -> str | None:
    """A likely stage for an unknown stage name, or None; a suggestion only, never applied silently."""
    key = normalise(value)
    return next((stage for stem, stage in STAGE_HINTS if stem in key), None)
