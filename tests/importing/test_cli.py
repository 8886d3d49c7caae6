"""`crm import FICHIER [--dry-run] [--mapping JSON|FICHIER] [--rejets CSV]`, run as the installed command:
same pipeline, same report, options anywhere, an honest exit code (0 done, 1 nothing imported, 2 usage)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.importing.conftest import FIXTURES, deal_rows, deals_state
from tests.test_demo_and_cli import DB, UNTOUCHED, assert_usage_error, crm

UNKNOWN_STAGE = "Client;Statut;Montant\r\nAcme;Closed - Postponed;1 200\r\nBeta;Gagné;300\r\n"
OBJECT = '--mapping attend un objet {"columns": {"En-tête": "champ"}, "stages": {"Valeur": "Étape"}}'
NOT_JSON = "--mapping n'est pas du JSON valide (ligne 1, colonne 2)"


def _file(tmp_path: Path, text: str, name: str = "deals.csv") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


@pytest.mark.parametrize(("arguments", "line"), [
    pytest.param([], "il manque l'argument FICHIER", id="missing-file"),
    pytest.param(["absent.csv"], "le fichier « absent.csv » : introuvable", id="file-not-found"),
    pytest.param(["dossier"], "le fichier « dossier » : c'est un dossier", id="file-is-a-directory"),
    pytest.param(["deals.csv", "--mapping", "{pas du json"], NOT_JSON, id="mapping-text-not-json"),
    pytest.param(["deals.csv", "--mapping", "bad.json"], NOT_JSON, id="mapping-file-not-json"),
    pytest.param(["deals.csv", "--mapping", "absent.json"], "--mapping « absent.json » : introuvable",
                 id="mapping-file-not-found"),
    pytest.param(["deals.csv", "--mapping", "latin1.json"], "--mapping : le fichier n'est pas en UTF-8",
                 id="mapping-file-not-utf8"),
    pytest.param(["deals.csv", "--mapping", '["Statut"]'], OBJECT, id="mapping-not-an-object"),
    pytest.param(["deals.csv", "--mapping", '{"colonnes": {}}'], OBJECT, id="mapping-unknown-key"),
    pytest.param(["deals.csv", "--mapping", '{"stages": {"Closed": 3}}'],
                 '--mapping : "columns" et "stages" doivent associer des textes à des textes', id="mapping-not-text"),
    pytest.param(["deals.csv", "--max-bytes", "0"], "--max-bytes attend un nombre d'octets positif",
                 id="max-bytes-zero"),
    pytest.param(["deals.csv", "--max-bytes", "10Mo"], "--max-bytes attend un nombre entier",
                 id="max-bytes-not-a-number"),
    pytest.param(["deals.csv", "--rejets", "absent/rejets.csv"], "--rejets : le dossier « absent » n'existe pas",
                 id="rejets-folder-missing"),
    pytest.param(["deals.csv", "--rejets", "dossier"],
                 "--rejets « dossier » : c'est un dossier, il faut le chemin d'un fichier .csv",
                 id="rejets-is-a-directory"),
])
def test_bad_import_arguments_exit_2_before_the_database_is_opened(tmp_path: Path, arguments: list[str],
                                                                   line: str) -> None:
    _file(tmp_path, UNKNOWN_STAGE)
    _file(tmp_path, "{pas du json", "bad.json")
    (tmp_path / "latin1.json").write_bytes('{"stages": {"Différé": "Perdu"}}'.encode("latin-1"))
    (tmp_path / "dossier").mkdir()
    assert_usage_error(crm("import", *arguments, *DB, cwd=tmp_path), line)
    assert not (tmp_path / UNTOUCHED).exists()


def test_import_prints_the_report_and_succeeds(tmp_path: Path, database_url: str, engine: Engine) -> None:
    shutil.copy(FIXTURES / "excel_fr_cp1252.csv", tmp_path)
    result = crm("import", "excel_fr_cp1252.csv", "--database-url", database_url, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert "Fichier : excel_fr_cp1252.csv (Windows-1252, séparateur point-virgule)" in result.stdout
    assert "Nom du client -> Client" in result.stdout
    assert "Import de « excel_fr_cp1252.csv » terminé : 6 deals créés" in result.stdout.splitlines()[-1]
    assert len(deal_rows(engine)) == 6


def test_dry_run_writes_nothing(tmp_path: Path, database_url: str, engine: Engine) -> None:
    before = deals_state(engine)
    result = crm("import", str(FIXTURES / "zoho_deals.csv"), "--dry-run", "--database-url", database_url,
                 cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1].startswith(
        "Simulation de « zoho_deals.csv », rien n'a été écrit : 7 deals à créer")
    assert deals_state(engine) == before and before[0] == 0


def test_options_before_or_after_the_file_give_the_same_result(tmp_path: Path, database_url: str,
                                                               engine: Engine) -> None:
    _file(tmp_path, '{"columns": {"Catégorie": "secteur"}}', "m.json")
    _file(tmp_path, "Client;Statut;Montant;Catégorie\r\nAcme;Gagné;1 000;BTP\r\n")
    before = crm("import", "--dry-run", "--mapping", "m.json", "deals.csv", "--database-url", database_url,
                 cwd=tmp_path)
    after = crm("import", "deals.csv", "--database-url", database_url, "--mapping", "m.json", "--dry-run",
                cwd=tmp_path)
    assert (before.returncode, before.stderr) == (0, "")
    assert "Catégorie -> Secteur" in before.stdout and "rien n'a été écrit : 1 deal à créer" in before.stdout
    assert (after.returncode, after.stdout, after.stderr) == (before.returncode, before.stdout, before.stderr)
    assert deal_rows(engine) == []


def test_unknown_stage_is_listed_then_mapped_with_json_text(tmp_path: Path, database_url: str,
                                                            engine: Engine) -> None:
    _file(tmp_path, UNKNOWN_STAGE)
    listed = crm("import", "deals.csv", "--dry-run", "--database-url", database_url, cwd=tmp_path)
    assert "« Closed - Postponed »" in listed.stdout and "ligne 2, Statut : statut inconnu" in listed.stdout
    mapping = json.dumps({"stages": {"Closed - Postponed": "Perdu"}})
    assert crm("import", "deals.csv", "--mapping", mapping, "--database-url", database_url,
               cwd=tmp_path).returncode == 0
    assert sorted(row["statut"] for row in deal_rows(engine)) == ["Gagné", "Perdu"]


def test_mapping_can_come_from_a_json_file(tmp_path: Path, database_url: str, engine: Engine) -> None:
    _file(tmp_path, "Société;Phase commerciale;Valeur\r\nAcme;Gagné;1 000\r\n")
    _file(tmp_path, json.dumps({"columns": {"Phase commerciale": "statut", "Valeur": "montant_brut"}}), "m.json")
    assert crm("import", "deals.csv", "--mapping", "m.json", "--database-url", database_url,
               cwd=tmp_path).returncode == 0
    assert [(row["client"], row["statut"]) for row in deal_rows(engine)] == [("Acme", "Gagné")]


def test_rejets_writes_the_rejected_rows_with_their_reason(tmp_path: Path, database_url: str,
                                                           engine: Engine) -> None:
    _file(tmp_path, "Client;Statut;Montant\r\nAcme;Gagné;-5\r\nBeta;Gagné;300\r\n")
    result = crm("import", "deals.csv", "--rejets", "rejets.csv", "--database-url", database_url, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert "Lignes rejetées écrites dans rejets.csv" in result.stdout.splitlines()
    lines = (tmp_path / "rejets.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and lines[1].startswith("2;Acme;Gagné;'-5;montant négatif")
    assert [row["client"] for row in deal_rows(engine)] == ["Beta"]


def test_nothing_importable_exits_1_with_a_clear_line(tmp_path: Path, database_url: str, engine: Engine) -> None:
    before = deals_state(engine)
    _file(tmp_path, "Client;Statut;Montant\r\nAcme;Gagné;-5\r\n")
    result = crm("import", "deals.csv", "--database-url", database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Aucun deal importé depuis « deals.csv » : 1 ligne rejetée")
    assert deals_state(engine) == before


def test_header_only_file_exits_1(tmp_path: Path, database_url: str) -> None:
    _file(tmp_path, "Client;Statut;Montant\r\n")
    result = crm("import", "deals.csv", "--database-url", database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert "ne contient que son en-tête" in result.stderr.splitlines()[-1]


def test_file_over_max_bytes_exits_1_and_writes_nothing(tmp_path: Path, database_url: str, engine: Engine) -> None:
    _file(tmp_path, UNKNOWN_STAGE)
    result = crm("import", "deals.csv", "--max-bytes", "10", "--database-url", database_url, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("Le fichier « deals.csv » fait 0 Ko : la limite est de 0 Ko.")
    assert deal_rows(engine) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full (every write fails)")
def test_rejets_that_cannot_be_written_exit_1(tmp_path: Path, database_url: str) -> None:
    _file(tmp_path, "Client;Statut;Montant\r\nAcme;Gagné;-5\r\nBeta;Gagné;300\r\n")
    result = crm("import", "deals.csv", "--rejets", "/dev/full", "--database-url", database_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == ("Erreur : lignes rejetées non écrites dans « /dev/full » : "
                                             "erreur du système (errno 28)")


def test_reimport_exits_0_and_says_nothing_is_new(tmp_path: Path, database_url: str) -> None:
    path = str(FIXTURES / "zoho_deals.csv")
    crm("import", path, "--database-url", database_url, cwd=tmp_path)
    again = crm("import", path, "--database-url", database_url, cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.splitlines()[-1].startswith(
        "Rien de nouveau dans « zoho_deals.csv » : 7 lignes déjà présentes")
