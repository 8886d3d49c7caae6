"""Write the shipped sample `data/samples/crm_prospects_demo.csv` as a French Excel user would export it:
Windows-1252, semicolons, `12 500,50` amounts with no-break spaces, `31/12/2026` dates."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal

from data.demo import generate_demo_deals

SAMPLE_PATH = Path(__file__).resolve().parent / "samples" / "crm_prospects_demo.csv"
SAMPLE_DEAL_COUNT = 200
HEADER = ("Client", "Statut", "Montant brut (€)", "Secteur", "Date d'échéance", "Commercial", "Notes", "Réf.")


def write_sample_csv(path: Path, today: date) -> int:
    """Write the sample file from the demo generator (another seed than the built-in demo deals)."""
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for number, deal in enumerate(generate_demo_deals(today, SAMPLE_DEAL_COUNT, seed=75), start=1):
            amount = format_decimal(deal.montant_brut, format="#,##0.00", locale="fr_FR").replace("\u202f", "\xa0")
            due = format_date(deal.date_echeance, "dd/MM/yyyy", locale="fr_FR") if deal.date_echeance else ""
            writer.writerow((deal.client, deal.statut, amount, deal.secteur or "", due, deal.assignee,
                             deal.notes or "", f"XL-{number:04d}"))
    return SAMPLE_DEAL_COUNT
