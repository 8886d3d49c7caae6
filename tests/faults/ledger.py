"""What the deals table should hold, computed from the imported files alone, and what it does hold.

Both sides reduce to the same ledger (row count and a digest of each deal's reference, client, stage and
amount), so "equal" means the database holds exactly the deals the completed operations imply."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, text

Deal = tuple[str, str, str, str]  # reference, client, stage, amount ("" when none)
CENTS = Decimal("0.01")


def _amount(value: object) -> str:
    return "" if value in (None, "") else str(Decimal(str(value)).quantize(CENTS))


def ledger(deals: Iterable[Deal]) -> tuple[int, str]:
    """Row count and an order-free digest of the deals."""
    rows = sorted(deals)
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def deals_in_database(engine: Engine) -> list[Deal]:
    """Every deal as the ledger sees it."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT ref_externe, client, statut, montant_brut FROM deals")).all()
    return [(ref or "", client, stage, _amount(amount)) for ref, client, stage, amount in rows]


def database_ledger(engine: Engine) -> tuple[int, str]:
    return ledger(deals_in_database(engine))


def deals_in_file(path: Path, encoding: str = "cp1252") -> list[Deal]:
    """The deals of a `;`-separated export (the benchmark's columns), read without the app's importer: French
    amounts like `12 345,60` become `12345.60`."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        return [(row["Réf."], row["Client"], row["Statut"],
                 _amount(row["Montant brut (€)"].replace("\xa0", "").replace(" ", "").replace(",", ".")))
                for row in reader]


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows of the tables an import writes: deals, its history events and the import history."""
    with engine.connect() as connection:
        return {table: connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("deals", "deal_events", "import_runs")}
