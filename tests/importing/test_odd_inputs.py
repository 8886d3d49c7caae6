"""Odd and bad files, each with the outcome a founder should see: a French message that names the problem,
the bad rows listed with their line, and the database left exactly as it was whenever nothing was valid.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import Engine, inspect

from services.importing import preview_import, rejected_rows_csv, run_import
from tests.importing.conftest import deal_rows, deals_state, import_run_count

HEADER = "Client;Statut;Montant\r\n"


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "pas un classeur")
    return buffer.getvalue()


# (content, file name, options, words the French message must contain)
UNREADABLE_FILES = [
    pytest.param(b"", "deals.csv", {}, ["deals.csv", "est vide"], id="empty-file"),
    pytest.param(b"\xef\xbb\xbf\r\n  \r\n", "deals.csv", {}, ["est vide"], id="bom-and-blank-lines-only"),
    pytest.param(HEADER.encode(), "deals.csv", {}, ["ne contient que son en-tête"], id="header-only"),
    pytest.param((HEADER + "\r\n;;\r\n \r\n").encode(), "deals.csv", {}, ["ne contient que son en-tête"],
                 id="header-and-empty-rows"),
    pytest.param((HEADER + "Grand Totals (0 records);;\r\n").encode(), "report.csv", {},
                 ["ne contient que son en-tête"], id="header-and-footer-only"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(300), "deals.csv", {}, ["n'est pas un fichier CSV", "image PNG"],
                 id="png-named-csv"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "deals.csv", {}, ["document PDF"], id="pdf-named-csv"),
    pytest.param(bytes(range(256)) * 8, "deals.csv", {}, ["binaire"], id="random-binary"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "deals.xls", {}, ["Excel 97-2003 (.xls)"],
                 id="old-xls-workbook"),
    pytest.param(_zip_without_workbook(), "deals.csv", {}, ["archive ZIP", "pas un classeur Excel"],
                 id="zip-that-is-not-xlsx"),
    pytest.param(HEADER.encode() + b"Acme;Gagn\xc3\xa9;12\r\n", "deals.xlsx", {}, ["pas un classeur Excel lisible"],
                 id="csv-named-xlsx"),
    pytest.param(HEADER.encode() + b"x" * (10 * 1024 * 1024), "big.csv", {}, ["fait 10 Mo", "la limite est de 10 Mo"],
                 id="over-the-size-limit"),
    pytest.param("Montant;Étape\r\n12;Gagné\r\n".encode(), "deals.csv", {},
                 ["Colonne obligatoire introuvable : Client"], id="missing-client-column"),
    pytest.param(b"Nom;Montant\r\nAcme;12\r\n", "deals.csv", {},
                 ["Colonnes obligatoires introuvables : Client, Statut"], id="missing-two-columns"),
    pytest.param(b"Client:Statut:Montant\r\nAcme:Won:12\r\n", "deals.csv", {}, ["qu'une colonne", "séparateur"],
                 id="unknown-delimiter"),
    pytest.param((HEADER + "Acme;Gagné;12\r\n").encode(), "deals.csv", {"column_mapping": {"Client": "societe"}},
                 ["Champ inconnu", "societe"], id="mapping-to-unknown-field"),
    pytest.param("Client;Société;Statut;Montant\r\nA;B;Gagné;12\r\n".encode(), "deals.csv",
                 {"column_mapping": {"Client": "client", "Société": "client"}},
                 ["« Client » et « Société »", "« Client »"], id="two-columns-on-one-field"),
    pytest.param((HEADER + "Acme;Closed - Postponed;12\r\n").encode(), "deals.csv",
                 {"stage_mapping": {"Closed - Postponed": "Reporté"}}, ["Étape inconnue", "Reporté"],
                 id="stage-mapping-to-unknown-stage"),
]


@pytest.mark.parametrize(("content", "name", "options", "words"), UNREADABLE_FILES)
def test_unreadable_file_is_refused_in_french_and_nothing_is_written(
    seeded: Engine, content: bytes, name: str, options: dict, words: list[str]
) -> None:
    before, runs = deals_state(seeded), import_run_count(seeded)
    preview = preview_import(seeded, content, name, **options)
    outcome = run_import(seeded, content, name, **options)
    for word in words:
        assert word in preview.error
        assert word in outcome.message
    assert outcome.run_id is None
    assert (outcome.preview.created, outcome.preview.updated, preview.total_rows) == (0, 0, 0)
    assert deals_state(seeded) == before
    assert import_run_count(seeded) == runs


def test_a_file_without_amount_column_imports_deals_to_estimate_and_says_so(seeded: Engine) -> None:
    preview = preview_import(seeded, "Société;Étape;Valeur estimée\r\nAcme;Gagné;12\r\n".encode(), "deals.csv")
    assert (preview.error, preview.created, preview.without_amount) == (None, 1, 1)
    assert any("Aucune colonne de montant reconnue" in note for note in preview.notes)
    assert preview.columns == {"Société": "client", "Étape": "statut", "Valeur estimée": None}
    mapped = preview_import(seeded, "Société;Étape;Valeur estimée\r\nAcme;Gagné;12\r\n".encode(), "deals.csv",
                            column_mapping={"Valeur estimée": "montant_brut"})
    assert (mapped.error, mapped.created, mapped.without_amount) == (None, 1, 0)


# (one data row under HEADER, column named in the report, words of the French reason)
BAD_ROWS = [
    pytest.param("Acme;Gagné;-1 200,00", "Montant", ["montant négatif", "-1 200,00"], id="negative-amount"),
    pytest.param("Acme;Gagné;à définir", "Montant", ["montant illisible", "à définir"], id="amount-not-a-number"),
    pytest.param("Acme;Gagné;$1,200.00", "Montant", ["autre devise que l'euro"], id="amount-in-dollars"),
    pytest.param("Acme;Gagné;12 345 678 901,00", "Montant", ["trop élevé"], id="amount-over-numeric-12-2"),
    pytest.param("Acme;Closed - Postponed;1200", "Statut", ["statut inconnu", "Closed - Postponed"],
                 id="unknown-stage"),
    pytest.param("Acme;;1200", "Statut", ["statut manquant"], id="missing-stage"),
    pytest.param("   ;Gagné;1200", "Client", ["client manquant"], id="blank-client"),
    pytest.param(f"{'A' * 300};Gagné;1200", "Client", ["client trop long", "300 caractères", "255 au plus"],
                 id="client-over-255-characters"),
    pytest.param("Acme;Gagné;1200;oups", "", ["4 valeurs pour 3 colonnes"], id="unquoted-delimiter-in-a-value"),
]


@pytest.mark.parametrize(("row", "column", "words"), BAD_ROWS)
def test_a_bad_row_is_rejected_with_its_line_column_and_reason(
    seeded: Engine, row: str, column: str, words: list[str]
) -> None:
    before = deals_state(seeded)
    content = (HEADER + row + "\r\n").encode()
    outcome = run_import(seeded, content, "deals.csv")
    (rejected,) = outcome.preview.first_rejected
    assert (rejected.line, rejected.column) == (2, column)
    for word in words:
        assert word in rejected.reason
    assert (outcome.preview.created, outcome.preview.rejected) == (0, 1)
    assert "Aucun deal importé" in outcome.message and "1 ligne rejetée" in outcome.message
    assert deals_state(seeded) == before


DATE_HEADER = "Client;Statut;Montant;Échéance\r\n"


@pytest.mark.parametrize(("due", "words"), [
    pytest.param("31/02/2026", ["date impossible", "31/02/2026"], id="february-31st"),
    pytest.param("2026-13-01", ["date impossible"], id="month-13"),
    pytest.param("fin mars", ["date illisible", "fin mars"], id="words-for-a-date"),
    pytest.param("01/01/1850", ["hors limites"], id="year-1850"),
])
def test_impossible_or_unreadable_dates_are_rejected_not_shifted(seeded: Engine, due: str, words: list[str]) -> None:
    before = deals_state(seeded)
    outcome = run_import(seeded, f"{DATE_HEADER}Acme;Gagné;1200;{due}\r\n".encode(), "deals.csv")
    (rejected,) = outcome.preview.first_rejected
    assert (rejected.line, rejected.column) == (2, "Échéance")
    assert all(word in rejected.reason for word in words)
    assert deals_state(seeded) == before


def test_mixed_file_imports_the_good_rows_and_lists_the_bad_ones_with_file_line_numbers(engine: Engine) -> None:
    content = (
        "Client;Statut;Montant;Notes\r\n"
        "Alpha;Gagné;1 000,00;\r\n"                       # line 2
        'Beta;Perdu;-5;"note sur\r\ndeux lignes"\r\n'     # lines 3-4, rejected
        "\r\n"                                            # line 5, blank
        "Gamma;Négociation;2 500,50;\r\n"                 # line 6
        ";Prospect;300;\r\n"                              # line 7, rejected
        "Delta;Inconnu;400;\r\n"                          # line 8, rejected
        "Epsilon;qualifie;750;fin\r\n"                    # line 9
    ).encode()
    outcome = run_import(engine, content, "mixte.csv")
    assert (outcome.preview.created, outcome.preview.rejected, outcome.preview.duplicates) == (3, 3, 0)
    assert [(row.line, row.column) for row in outcome.preview.rejected_rows] == [(3, "Montant"), (7, "Client"),
                                                                                 (8, "Statut")]
    stored = {(row["client"], row["statut"], row["montant_brut"]) for row in deal_rows(engine)}
    assert stored == {("Alpha", "Gagné", Decimal("1000.00")), ("Gamma", "Négociation", Decimal("2500.50")),
                      ("Epsilon", "Qualifié", Decimal("750.00"))}


def test_a_row_with_several_problems_names_them_all(engine: Engine) -> None:
    outcome = run_import(engine, f"{DATE_HEADER};Bof;-3;31/04/2026\r\n".encode(), "deals.csv")
    (rejected,) = outcome.preview.rejected_rows
    assert rejected.column == "Client, Statut, Montant, Échéance"
    for word in ("client manquant", "statut inconnu « Bof »", "montant négatif", "date impossible"):
        assert word in rejected.reason


def test_duplicate_rows_inside_one_file_are_imported_once(engine: Engine) -> None:
    content = (HEADER + "Acme;Gagné;1 200,00\r\n" * 3 + "Acme;Gagné;1 300,00\r\n").encode()
    outcome = run_import(engine, content, "doublons.csv")
    assert (outcome.preview.created, outcome.preview.duplicates, outcome.preview.rejected) == (2, 2, 0)
    assert sorted(row["montant_brut"] for row in deal_rows(engine)) == [Decimal("1200.00"), Decimal("1300.00")]


def test_same_reference_twice_in_a_file_keeps_the_first_and_rejects_a_contradiction(engine: Engine) -> None:
    content = ("Réf;Client;Statut;Montant\r\n"
               "R1;Acme;Prospect;100\r\n"
               "R1;Acme;Prospect;100\r\n"
               "R1;Acme;Gagné;900\r\n").encode()
    outcome = run_import(engine, content, "refs.csv")
    assert (outcome.preview.created, outcome.preview.duplicates, outcome.preview.rejected) == (1, 1, 1)
    (rejected,) = outcome.preview.rejected_rows
    assert (rejected.line, rejected.column) == (4, "Réf")
    assert "référence « R1 » déjà présente ligne 2" in rejected.reason
    assert [(row["statut"], row["montant_brut"]) for row in deal_rows(engine)] == [("Prospect", Decimal("100.00"))]


def test_injection_strings_are_stored_as_plain_text(engine: Engine) -> None:
    names = ["'; DROP TABLE deals;--", "<script>alert('x')</script>", '=HYPERLINK("http://evil.example","clic")',
             "Robert\"); DELETE FROM deals; --"]
    content = "Client;Statut;Montant\r\n" + "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}";Gagné;{index + 1}00\r\n' for index, name in enumerate(names))
    outcome = run_import(engine, content.encode(), "injection.csv")
    assert outcome.preview.created == 4
    assert inspect(engine).has_table("deals")
    assert [row["client"] for row in deal_rows(engine)] == names


def test_formula_cells_are_neutralised_in_the_rejected_rows_download(engine: Engine) -> None:
    content = ('Client;Statut;Montant\r\n"=HYPERLINK(""http://evil.example"",""clic"")";Gagné;-1\r\n'
               "@SUM(A1);+Gagné;-2\r\n").encode()
    download = rejected_rows_csv(run_import(engine, content, "formules.csv").preview)
    lines = download.splitlines()
    assert lines[0] == "ligne;Client;Statut;Montant;motif"
    assert lines[1].startswith('2;"\'=HYPERLINK(""http://evil.example"",""clic"")";Gagné;\'-1;')
    assert lines[2].startswith("3;'@SUM(A1);'+Gagné;'-2;")
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line.split(";"))


def test_very_long_fields_long_notes_are_kept_whole_long_sector_is_rejected(engine: Engine) -> None:
    notes = "Compte rendu. " * 15_000
    content = ("Client;Statut;Montant;Notes;Secteur\r\n"
               f'Acme;Gagné;100;"{notes}";Logiciel\r\n'
               f"Beta;Gagné;200;;{'S' * 101}\r\n").encode()
    outcome = run_import(engine, content, "longs.csv")
    assert (outcome.preview.created, outcome.preview.rejected) == (1, 1)
    assert "secteur trop long (101 caractères, 100 au plus)" in outcome.preview.rejected_rows[0].reason
    (stored,) = deal_rows(engine)
    assert stored["notes"] == notes.strip() and len(stored["notes"]) > 200_000


def test_blank_and_whitespace_rows_are_skipped_not_rejected(engine: Engine) -> None:
    content = (HEADER + "\r\n ; ; \r\nAcme;Gagné;10\r\n\r\n;;\r\n").encode()
    outcome = run_import(engine, content, "blancs.csv")
    assert (outcome.preview.created, outcome.preview.rejected, outcome.preview.total_rows) == (1, 0, 1)


def test_a_client_named_total_at_the_end_is_data_not_a_footer(engine: Engine) -> None:
    content = (HEADER + "Acme;Gagné;10\r\nTotal Energies;Négociation;5 000\r\n").encode()
    outcome = run_import(engine, content, "total.csv")
    assert outcome.preview.created == 2
    assert {row["client"] for row in deal_rows(engine)} == {"Acme", "Total Energies"}


def test_probability_in_the_file_is_ignored_the_database_sets_it(engine: Engine) -> None:
    content = "Client;Statut;Montant;Probabilité;Valeur pondérée\r\nAcme;Prospect;1000;0,99;990\r\n".encode()
    outcome = run_import(engine, content, "proba.csv")
    assert outcome.preview.columns["Probabilité"] is None
    (stored,) = deal_rows(engine)
    assert (stored["probabilite"], stored["valeur_ponderee"]) == (Decimal("0.10"), Decimal("100.00"))


@pytest.mark.parametrize(("cell", "stored"), [
    pytest.param("", None, id="empty-is-to-estimate"),
    pytest.param("   ", None, id="blank-is-to-estimate"),
    pytest.param("0,00", Decimal("0.00"), id="zero-is-an-amount"),
])
def test_a_deal_without_amount_or_at_zero_is_imported_as_such(engine: Engine, cell: str, stored: Decimal | None
                                                              ) -> None:
    outcome = run_import(engine, (HEADER + f"Acme;Perdu;{cell}\r\n").encode(), "deals.csv")
    assert (outcome.preview.created, outcome.preview.rejected) == (1, 0)
    assert outcome.preview.without_amount == (1 if stored is None else 0)
    (deal,) = deal_rows(engine)
    assert deal["montant_brut"] == stored
    assert deal["valeur_ponderee"] == (None if stored is None else Decimal("0.00"))
