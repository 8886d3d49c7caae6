"""Workbooks that are small on the wire and huge or broken inside get a French refusal and write nothing:
the ZIP directory is checked before anything is inflated, the cells are counted while the sheet is read once."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from services.importing import XlsxLimits, preview_import, run_import
from tests.security.conftest import deals_checksum

SHARED_STRING_BYTES = 400 * 1024 * 1024


def _workbook(rows: int = 3, columns: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Client", "Statut", "Montant", *(f"Colonne {n}" for n in range(4, columns + 1))])
    for number in range(rows):
        sheet.append([f"Client {number}", "Gagné", 1000 + number, *([""] * (columns - 3))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_part(content: bytes, name: str, write_part) -> bytes:
    """The workbook with part `name` replaced by what `write_part(stream)` writes (streamed, never in memory)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for entry in source.infolist():
            if entry.filename != name:
                target.writestr(entry, source.read(entry.filename))
        with target.open(name, "w", force_zip64=True) as stream:
            write_part(stream)
    return buffer.getvalue()


def _shared_string_bomb() -> bytes:
    """A valid workbook whose one shared string is 400 MB of text: about 400 KB on the wire."""
    def write(stream) -> None:
        stream.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
        chunk = b"A" * (1024 * 1024)
        for _ in range(SHARED_STRING_BYTES // len(chunk)):
            stream.write(chunk)
        stream.write(b"</t></si></sst>")
    return _with_part(_workbook(), "xl/sharedStrings.xml", write)


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_before_parsing(engine: Engine) -> None:
    bomb = _shared_string_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    before = deals_checksum(engine)
    preview = preview_import(engine, bomb, "bombe.xlsx")
    assert preview.error is not None and "se décompresse en" in preview.error and "Mo" in preview.error
    outcome = run_import(engine, bomb, "bombe.xlsx")
    assert outcome.run_id is None and outcome.error == preview.error
    assert deals_checksum(engine) == before


def test_a_sheet_with_more_cells_than_allowed_is_refused(engine: Engine) -> None:
    content = _workbook(rows=40, columns=10)
    before = deals_checksum(engine)
    outcome = run_import(engine, content, "large.xlsx", xlsx_limits=XlsxLimits(max_cells=100))
    assert outcome.error is not None and "plus de 100 cellules" in outcome.error
    assert deals_checksum(engine) == before
    assert run_import(engine, content, "large.xlsx").preview.created == 40


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml",
                                  "[Content_Types].xml"])
def test_broken_xml_in_any_part_is_an_unreadable_file(engine: Engine, part: str) -> None:
    broken = _with_part(_workbook(), part, lambda stream: stream.write(b"<?xml version='1.0'?><oops><unclosed>"))
    before = deals_checksum(engine)
    preview = preview_import(engine, broken, "abime.xlsx")
    assert preview.error is not None
    assert "pas un classeur Excel (.xlsx) lisible" in preview.error or "vide" in preview.error
    assert deals_checksum(engine) == before
