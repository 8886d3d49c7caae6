"""`crm import FILE [--dry-run] [--mapping JSON] [--rejets CSV]`: same pipeline, same report, honest exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cli import main
from tests.importing.conftest import FIXTURES, deal_rows, deals_state

UNKNOWN_STAGE = "Client;Statut;Montant\r\nAcme;Closed - Postponed;1 200\r\nBeta;Gagné;300\r\n"


def _file(tmp_path: Path, text: str, name: str = "deals.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_prints_the_report_and_succeeds(database_url: str, engine: Engine,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", str(FIXTURES / "excel_fr_cp1252.csv"), "--database-url", database_url])
    out = capsys.readouterr().out
    assert code == 0
    assert "Fichier : excel_fr_cp1252.csv (Windows-1252, séparateur point-virgule)" in out
    assert "Nom du client -> Client" in out
    assert "Import de « excel_fr_cp1252.csv » terminé : 6 deals créés" in out
    assert len(deal_rows(engine)) == 6


def test_dry_run_writes_nothing(database_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    before = deals_state(engine)
    assert main(["import", str(FIXTURES / "zoho_deals.csv"), "--dry-run", "--database-url", database_url]) == 0
    assert "Simulation de « zoho_deals.csv », rien n'a été écrit : 7 deals à créer" in capsys.readouterr().out
    assert deals_state(engine) == before


def test_unknown_stage_is_listed_then_mapped_with_json(database_url: str, engine: Engine, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, UNKNOWN_STAGE)
    assert main(["import", path, "--dry-run", "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "« Closed - Postponed »" in out and "ligne 2, Statut : statut inconnu" in out
    mapping = json.dumps({"stages": {"Closed - Postponed": "Perdu"}})
    assert main(["import", path, "--mapping", mapping, "--database-url", database_url]) == 0
    assert sorted(row["statut"] for row in deal_rows(engine)) == ["Gagné", "Perdu"]


def test_mapping_can_come_from_a_json_file(database_url: str, engine: Engine, tmp_path: Path) -> None:
    path = _file(tmp_path, "Société;Phase commerciale;Valeur\r\nAcme;Gagné;1 000\r\n")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"Phase commerciale": "statut", "Valeur": "montant_brut"}}))
    assert main(["import", path, "--mapping", str(mapping), "--database-url", database_url]) == 0
    assert [(row["client"], row["statut"]) for row in deal_rows(engine)] == [("Acme", "Gagné")]


def test_nothing_importable_exits_non_zero_with_a_clear_line(database_url: str, engine: Engine, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    before = deals_state(engine)
    rejected = tmp_path / "rejets.csv"
    code = main(["import", _file(tmp_path, "Client;Statut;Montant\r\nAcme;Gagné;-5\r\n"), "--rejets", str(rejected),
                 "--database-url", database_url])
    captured = capsys.readouterr()
    assert code == 1
    assert "Aucun deal importé depuis « deals.csv » : 1 ligne rejetée" in captured.err
    assert rejected.read_text(encoding="utf-8-sig").splitlines()[1].startswith("2;Acme;Gagné;'-5;montant négatif")
    assert deals_state(engine) == before


def test_unreadable_file_exits_non_zero(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", _file(tmp_path, "Client;Statut;Montant\r\n"), "--database-url", database_url]) == 1
    assert "ne contient que son en-tête" in capsys.readouterr().err


def test_reimport_exits_zero_and_says_nothing_is_new(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "zoho_deals.csv")
    main(["import", path, "--database-url", database_url])
    capsys.readouterr()
    assert main(["import", path, "--database-url", database_url]) == 0
    assert "Rien de nouveau dans « zoho_deals.csv » : 7 lignes déjà présentes" in capsys.readouterr().out


@pytest.mark.parametrize(("arguments", "message"), [
    (["--mapping", "{pas du json"], "--mapping n'est pas du JSON valide"),
    (["--mapping", '{"colonnes": {}}'], '--mapping attend un objet'),
])
def test_bad_mapping_is_a_usage_error(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      arguments: list[str], message: str) -> None:
    assert main(["import", _file(tmp_path, UNKNOWN_STAGE), *arguments, "--database-url", database_url]) == 2
    assert message in capsys.readouterr().err


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "absent.csv"), "--database-url", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    assert "Erreur" in capsys.readouterr().err
