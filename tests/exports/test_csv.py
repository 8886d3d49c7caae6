"""The CSV export: what French Excel opens by a double click, and what our own import takes back whole.

The round trip exports a view, imports the file into an empty database with the import service, and finds
the same deals and the same figures there."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from data import clock
from data.db import make_engine
from data.migrate import upgrade
from data.models import Deal
from domain.deal_filter import DealFilter
from domain.fields import DEAL_COLUMNS
from domain.pipeline_results import DeadlineScope
from domain.stages import PROBABILITY
from services.exports import DealExports, ExportView
from services.importing import run_import
from services.importing.synonyms import auto_mapping
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.exports.conftest import FORMULA_TRIGGERS, Known, csv_bytes, csv_cells, reads_on
from tests.importing.conftest import deal_rows
from tests.service.known_deals import TODAY, Selection, as_filter

IMPORTED = ("client", "statut", "montant_brut", "probabilite", "valeur_ponderee", "secteur", "date_echeance",
            "assignee", "notes", "ref_externe")


@pytest.fixture
def empty_engine(engine: Engine, tmp_path: Path, _migrated_sqlite_template: Path) -> Iterator[Engine]:
    """A second, empty migrated database on the same backend as `engine`."""
    if engine.dialect.name == "sqlite":
        shutil.copy(_migrated_sqlite_template, tmp_path / "other.sqlite3")
        other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
        yield other
        other.dispose()
        return
    url = create_postgres_database()
    other = make_engine(url)
    upgrade(other)
    yield other
    other.dispose()
    drop_postgres_database(url)


def _deals(engine: Engine) -> list[tuple]:
    """Every deal's importable and derived fields, in a stable order (ids differ between databases)."""
    return sorted((tuple(row[key] for key in IMPORTED) for row in deal_rows(engine)), key=repr)


def test_the_file_is_utf8_with_bom_semicolons_decimal_commas_and_french_dates(known: Known) -> None:
    content = csv_bytes(known.exports, ExportView(DealFilter.build(sectors=["Secteur unique"])))

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == [
        "Client;Statut;Montant brut (€);Probabilité;Valeur pondérée (€);Secteur;Commercial;Date d'échéance;"
        "Référence externe;Motif de perte;Notes",
        "Unique SA;Négociation;4321,99;70 %;3025,39;Secteur unique;Nina Solo;24/11/2026;;;",
    ]


def test_every_importable_field_has_a_header_the_import_maps_back(known: Known) -> None:
    header = csv_cells(csv_bytes(known.exports, ExportView()))[0]

    mapped = auto_mapping(tuple(header))

    assert {field for field in mapped.values() if field} == set(DEAL_COLUMNS)
    assert [name for name, field in mapped.items() if not field] == ["Probabilité", "Valeur pondérée (€)",
                                                                       "Motif de perte"]


@pytest.mark.parametrize("selection", [Selection(), Selection(sectors=("Logiciel", "Non renseigné"),
                                                               missing=("montant",)),
                                       Selection(search="societe")], ids=["everything", "filtered", "searched"])
def test_round_trip_through_our_import_gives_the_same_deals_and_figures(known: Known, engine: Engine,
                                                                        empty_engine: Engine,
                                                                        selection: Selection) -> None:
    view = ExportView(as_filter(selection), DeadlineScope.ALL, (("client", False),))
    content = csv_bytes(known.exports, view)

    outcome = run_import(empty_engine, content, "deals-2026-11-21.csv")

    chosen = {deal.client for deal in known.deals if selection.matches(deal)}
    assert (outcome.preview.created, outcome.preview.rejected, outcome.preview.duplicates) == (len(chosen), 0, 0)
    assert _deals(empty_engine) == [row for row in _deals(engine) if row[0] in chosen]
    reimported = reads_on(empty_engine)
    assert reimported.kpis(DealFilter()) == known.reads.kpis(view.deal_filter)
    assert reimported.stage_totals(DealFilter()) == known.reads.stage_totals(view.deal_filter)
    assert reimported.sectors(DealFilter()) == known.reads.sectors(view.deal_filter)


def test_an_empty_view_is_a_header_alone(known: Known) -> None:
    content = csv_bytes(known.exports, ExportView(DealFilter.build(search="zzz introuvable")))

    assert len(csv_cells(content)) == 1


# Text a CSV must quote or clean: the separator, quotes, line breaks of every system, COPY's end-of-data mark,
# control characters before a formula, accents, an empty text, a long one.
AWKWARD_TEXTS = ("Dupont; Fils", 'Le "Grand" Café', "ligne 1\nligne 2", "ligne 1\r\nligne 2", "avant\raprès", "\\.",
                 "", "\x01\x02=1+1", "\x07sonnerie", "Société Générale — façade", "  espacé  ", "n" * 90)
AWKWARD_AMOUNTS = (Decimal("0.00"), Decimal("0.50"), Decimal("9999999999.99"), None)


def _cleaned(text: str) -> str:
    """What the cell must hold: control characters gone (tab and line breaks kept), a formula behind a `'`."""
    kept = "".join(character for character in text if character in "\t\n\r" or ord(character) >= 0x20)
    return f"'{kept}" if kept.startswith(FORMULA_TRIGGERS) else kept


def test_awkward_cells_read_back_as_written(engine: Engine) -> None:
    stages = list(PROBABILITY)
    rows = [{"client": text or "Client sans autre texte", "statut": stages[index % len(stages)], "secteur": text,
             "assignee": text, "notes": text, "ref_externe": f"{text}#{index}", "motif_perte": text,
             "montant_brut": AWKWARD_AMOUNTS[index % len(AWKWARD_AMOUNTS)],
             "date_echeance": None if index % 3 == 0 else date(2026, 1 + index, 9)}
            for index, text in enumerate(AWKWARD_TEXTS)]
    with engine.begin() as connection:
        connection.execute(insert(Deal), rows)
    clock.fix_today(TODAY)

    header, *cells = csv_cells(csv_bytes(DealExports(engine, reads_on(engine)), ExportView(sort=(("client", False),))))

    def expected(row: dict) -> list[str]:
        amount, probability = row["montant_brut"], PROBABILITY[row["statut"]]
        weighted = "" if amount is None else str((amount * probability).quantize(Decimal("0.01"))).replace(".", ",")
        due = "" if row["date_echeance"] is None else row["date_echeance"].strftime("%d/%m/%Y")
        return [_cleaned(row["client"]), row["statut"], "" if amount is None else str(amount).replace(".", ","),
                f"{probability * 100:.0f} %", weighted, *(_cleaned(row[key]) for key in ("secteur", "assignee")), due,
                *(_cleaned(row[key]) for key in ("ref_externe", "motif_perte", "notes"))]

    assert len(header) == 11
    assert sorted(cells) == sorted(expected(row) for row in rows)
