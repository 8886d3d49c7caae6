"""Reading real files: encodings, delimiters and their traps, quoted line breaks, footers, Excel workbooks."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from services.importing.reading import Source, UnreadableFileError, read_source

ROWS = [["Client", "Statut", "Montant"], ["Société Générale", "Négociation", "12 500,50"], ["Café", "Gagné", "10"]]


def _rows(source: Source) -> list[tuple[int, list]]:
    return list(source.records())


@pytest.mark.parametrize(("encoded", "label"), [
    pytest.param("Client;Statut\nSociété Générale;Négociation\n".encode(), "UTF-8", id="utf-8"),
    pytest.param("Client;Statut\nSociété Générale;Négociation\n".encode("utf-8-sig"), "UTF-8 (avec BOM)",
                 id="utf-8-bom"),
    pytest.param("Client;Statut\nSociété Générale;Négociation\n".encode("cp1252"), "Windows-1252", id="cp1252"),
    pytest.param("Client\tStatut\nSociété Générale\tNégociation\n".encode("utf-16"), "UTF-16",
                 id="excel-unicode-text"),
])
def test_accents_survive_every_common_encoding(encoded: bytes, label: str) -> None:
    source = read_source(encoded, "deals.csv")
    assert source.encoding == label
    assert source.header == ("Client", "Statut")
    assert _rows(source) == [(2, ["Société Générale", "Négociation"])]


def test_euro_sign_and_curly_quote_of_windows_1252_are_read() -> None:
    source = read_source("Client;Notes\nL’Oréal;Budget 12 000 € – validé\n".encode("cp1252"), "deals.csv")
    assert _rows(source) == [(2, ["L’Oréal", "Budget 12 000 € – validé"])]


@pytest.mark.parametrize(("text", "delimiter"), [
    pytest.param('Client;Statut;Montant\n"Dupont, Fils et Cie";Gagné;1 200,50\nB, C;Perdu;3,5\n', ";",
                 id="semicolon-with-commas-in-values"),
    pytest.param('Client,Statut,Montant\n"Dupont; Fils",Gagné,1200.50\nAcme; SA,Perdu,3.5\n', ",",
                 id="comma-with-semicolons-in-values"),
    pytest.param("Client\tStatut\tMontant\nDupont, Fils; Cie\tGagné\t1 200,50\n", "\t",
                 id="tab-with-commas-and-semicolons"),
    pytest.param("Client|Statut|Montant\nDupont, Fils|Gagné|1 200,50\n", "|", id="pipe"),
    pytest.param("Montant (HT, €);Client;Statut\n1 200,50;Acme;Gagné\n", ";", id="comma-inside-a-header"),
    pytest.param("sep=;\nClient;Statut;Montant\nA, B;Gagné;12,5\n", ";", id="excel-sep-line"),
])
def test_delimiter_is_found_despite_the_traps(text: str, delimiter: str) -> None:
    source = read_source(text.encode(), "deals.csv")
    assert source.delimiter == delimiter
    assert len(source.header) == 3
    assert all(len(cells) == 3 for _line, cells in _rows(source))


def test_quoted_fields_keep_delimiters_and_line_breaks_and_lines_are_counted_in_the_file() -> None:
    text = 'Client;Notes;Statut\n"A; B";"ligne 1\nligne 2\nligne 3";Gagné\n\nC;"x";Perdu\n'
    assert _rows(read_source(text.encode(), "deals.csv")) == [
        (2, ["A; B", "ligne 1\nligne 2\nligne 3", "Gagné"]),
        (6, ["C", "x", "Perdu"]),
    ]


def test_salesforce_footer_lines_are_dropped_and_counted() -> None:
    text = ('"Account Name","Stage","Amount"\n"Atos","Closed Won","1,000.00"\n\n'
            '"Grand Totals (1 records)","","1,000.00"\n\n"Confidential Information - Do Not Distribute"\n'
            '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n')
    records = read_source(text.encode(), "report.csv").records()
    assert list(records) == [(2, ["Atos", "Closed Won", "1,000.00"])]
    assert records.footer_lines == 3


def test_a_footer_looking_row_in_the_middle_is_kept_as_data() -> None:
    text = "Client;Statut;Montant\nTotal:;Gagné;5\nAcme;Gagné;10\n"
    assert [line for line, _cells in read_source(text.encode(), "deals.csv").records()] == [2, 3]


def test_title_lines_above_the_header_are_skipped() -> None:
    text = "Export CRM du 21/11/2026\n\nClient;Statut;Montant;Secteur\nAcme;Gagné;10;BTP\n"
    source = read_source(text.encode(), "deals.csv")
    assert source.header == ("Client", "Statut", "Montant", "Secteur")
    assert _rows(source) == [(4, ["Acme", "Gagné", "10", "BTP"])]
    assert source.notes == ("1 ligne(s) au-dessus de l'en-tête ignorée(s).",)


def test_empty_and_duplicate_header_names_are_made_unique() -> None:
    source = read_source(b"Client;;Montant;Montant\nA;x;1;2\n", "deals.csv")
    assert source.header == ("Client", "Colonne 2", "Montant", "Montant (2)")


def test_xlsx_cells_keep_their_types_and_excel_row_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Client", "Montant", "Échéance"])
    sheet.append(["Acme", 12500.5, date(2026, 12, 31)])
    sheet.append([])
    sheet.append(["Beta", 300, 46387])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = read_source(buffer.getvalue(), "export.xlsx")
    assert (source.kind, source.encoding, source.delimiter) == ("xlsx", None, None)
    rows = _rows(source)
    assert [line for line, _cells in rows] == [2, 4]
    assert rows[0][1][:2] == ["Acme", 12500.5]
    assert rows[0][1][2].date() == date(2026, 12, 31)
    assert rows[1][1] == ["Beta", 300, 46387]


def test_an_xlsx_renamed_to_csv_is_still_read_as_a_workbook() -> None:
    workbook = Workbook()
    workbook.active.append(["Client", "Statut", "Montant"])
    workbook.active.append(["Acme", "Gagné", 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_source(buffer.getvalue(), "deals.csv").kind == "xlsx"


def test_text_with_control_characters_is_refused_as_binary() -> None:
    with pytest.raises(UnreadableFileError, match="binaire"):
        read_source(b"Client;Statut\n" + b"\x01\x02\x03\x04\x05\x06" * 50, "deals.csv")
