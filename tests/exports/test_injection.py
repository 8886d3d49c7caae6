"""Every text cell an export writes that begins with a formula trigger (`=`, `+`, `-`, `@`, tab, carriage return)
is neutralised with a leading `'`, in the CSV and in the workbook, in every text column; amounts stay numbers.
The strings are the import's bad-input list and one per trigger."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from openpyxl.utils.escape import unescape
from sqlalchemy import Engine, insert

from data import clock
from data.models import Deal
from services.exports import DealExports, ExportView
from tests.exports.conftest import FORMULA_TRIGGERS, INJECTIONS, csv_bytes, csv_cells, reads_on, workbook_of
from tests.service.known_deals import TODAY


@pytest.fixture
def exports_of_injections(engine: Engine) -> Iterator[DealExports]:
    """One deal per injection string, the string in every text field (its reference made unique)."""
    rows = [{"client": value, "statut": "Négociation", "montant_brut": Decimal("1000.00") * (index + 1),
             "secteur": value, "assignee": value, "notes": value, "ref_externe": f"{value}#{index}",
             "motif_perte": value, "date_echeance": TODAY}
            for index, value in enumerate(INJECTIONS)]
    with engine.begin() as connection:
        connection.execute(insert(Deal), rows)
    clock.fix_today(TODAY)
    yield DealExports(engine, reads_on(engine))
    clock.fix_today(None)


def _shown(value: str) -> str:
    """What a spreadsheet must show: the value itself, behind a `'` when it begins with a trigger."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def test_csv_cells_never_begin_with_a_formula_trigger(exports_of_injections: DealExports) -> None:
    header, *rows = csv_cells(csv_bytes(exports_of_injections, ExportView(sort=(("montant_brut", False),))))

    assert not any(cell.startswith(FORMULA_TRIGGERS) for row in rows for cell in row)
    texts = [header.index(name) for name in ("Client", "Secteur", "Commercial", "Motif de perte", "Notes")]
    assert [[row[at] for at in texts] for row in rows] == [[_shown(value)] * 5 for value in INJECTIONS]
    assert [row[header.index("Montant brut (€)")] for row in rows] == [f"{1000 * n},00" for n in range(1, 10)]


def test_workbook_has_no_formula_and_no_text_beginning_with_a_trigger(exports_of_injections: DealExports) -> None:
    workbook = workbook_of(exports_of_injections, ExportView(sort=(("montant_brut", False),)))

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not [cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS)]
    rows = list(workbook["Deals"].iter_rows(min_row=2, values_only=True))
    # A carriage return is stored as `_x000D_`, which Excel reads back as the character; openpyxl decodes it in
    # shared strings only, and the constant-memory writer stores inline strings: decode as Excel does.
    assert [unescape(row[0]) for row in rows] == [_shown(value) for value in INJECTIONS]
    assert [row[2] for row in rows] == [1000 * n for n in range(1, 10)]
    sectors = [unescape(line[0]) for line in workbook["Synthèse"].iter_rows(values_only=True) if line[0]]
    assert {_shown(value) for value in INJECTIONS} <= set(sectors)
