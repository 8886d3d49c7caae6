"""Demo data and the `python cli.py` command line."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from data.demo import DEMO_PREFIX, generate_demo_deals
from data.sample_file import SAMPLE_PATH, write_sample_csv
from domain.stages import STAGE_NAMES
from services.cache import VersionedCache
from services.writes import DealWrites
from settings import Settings
from wiring import make_cache_backend

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 21)


def test_demo_deals_are_deterministic_and_realistic() -> None:
    deals = list(generate_demo_deals(TODAY))
    assert deals == list(generate_demo_deals(TODAY))
    assert set(Counter(deal.statut for deal in deals)) == set(STAGE_NAMES)
    assert len({deal.secteur for deal in deals if deal.secteur}) >= 12
    assert len({deal.assignee for deal in deals}) == 8
    amounts = [deal.montant_brut for deal in deals]
    assert min(amounts) < 1_000 and max(amounts) > 100_000
    assert any(deal.date_echeance and deal.date_echeance < TODAY for deal in deals)
    assert any(deal.date_echeance and 0 <= (deal.date_echeance - TODAY).days <= 30 for deal in deals)


def test_removing_demo_deals_keeps_the_users_own(engine: Engine) -> None:
    writes = DealWrites(engine, VersionedCache(make_cache_backend(Settings(cache_type="simple"))))
    seeded = writes.seed_demo(TODAY)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO deals (client, statut, montant_brut) VALUES ('Mon client', 'Gagné', 5)"))
    assert writes.remove_demo() == seeded
    with engine.connect() as connection:
        assert connection.execute(text("SELECT client FROM deals")).scalars().all() == ["Mon client"]


def test_shipped_sample_file_is_a_french_excel_export(tmp_path: Path) -> None:
    raw = SAMPLE_PATH.read_bytes()
    assert "Négociation".encode("cp1252") in raw
    rows = list(csv.reader(raw.decode("cp1252").splitlines(), delimiter=";"))
    assert len(rows) - 1 == 200
    regenerated = tmp_path / "sample.csv"
    write_sample_csv(regenerated, TODAY)
    assert regenerated.read_bytes() == raw


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, check=False)


def test_cli_init_seed_and_remove_demo(empty_database_url: str, engine_for_url) -> None:
    assert run_cli(empty_database_url, "init").returncode == 0
    seeded = run_cli(empty_database_url, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "ajoutés" in seeded.stdout
    engine = engine_for_url(empty_database_url)
    with engine.connect() as connection:
        count = connection.scalar(text("SELECT count(*) FROM deals WHERE ref_externe LIKE :p"),
                                  {"p": f"{DEMO_PREFIX}%"})
    assert count > 0
    assert "déjà présents" in run_cli(empty_database_url, "seed-demo").stdout
    assert run_cli(empty_database_url, "remove-demo").returncode == 0
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM deals")) == 0


def test_the_crm_command_takes_options_before_the_file(tmp_path: Path, empty_database_url: str) -> None:
    """The console script of pyproject.toml, installed by the set-up, with options in any order."""
    crm = Path(sys.executable).with_name("crm")
    mapping = tmp_path / "m.json"
    mapping.write_text('{"columns": {"Catégorie": "secteur"}}', encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text("Client;Statut;Montant;Catégorie\r\nAcme;Gagné;1 000;BTP\r\n", encoding="utf-8")
    environment = {"DATABASE_URL": empty_database_url, "PATH": "/usr/bin:/bin"}
    dry = subprocess.run([str(crm), "import", "--dry-run", "--mapping", str(mapping), str(deals)], cwd=tmp_path,
                         capture_output=True, text=True, env=environment, check=False)
    assert dry.returncode == 0, dry.stderr
    assert "Catégorie -> Secteur" in dry.stdout and "rien n'a été écrit : 1 deal à créer" in dry.stdout
    usage = subprocess.run([str(crm), "import"], capture_output=True, text=True, env=environment, check=False)
    assert usage.returncode == 2 and "crm import" in usage.stderr
