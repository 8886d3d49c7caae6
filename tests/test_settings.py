"""Settings: safe defaults, `.env` read, the environment wins, PostgreSQL URLs mapped to psycopg 3."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from data.db import normalise_url
from settings import DEFAULT_SQLITE_PATH, Settings, load_settings


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    settings = load_settings(environ={}, env_file=tmp_path / "missing.env")
    assert settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH.parent.name == "instance"
    assert (settings.host, settings.port, settings.demo_data, settings.cache_timeout) == ("127.0.0.1", 8050, True, 300)


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9000\nDEMO_DATA=0\nCACHE_TYPE=filesystem\n")
    settings = load_settings(environ={"PORT": "9100"}, env_file=env_file)
    assert settings.port == 9100
    assert settings.demo_data is False
    assert settings.flask_cache_config["CACHE_TYPE"] == "FileSystemCache"


def test_unknown_cache_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CACHE_TYPE"):
        load_settings(environ={"CACHE_TYPE": "memcache"}, env_file=tmp_path / "none")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://user:pass@host/db?sslmode=require", "postgresql+psycopg://user:pass@host/db?sslmode=require"),
        ("postgres://user:pass@host:5433/db", "postgresql+psycopg://user:pass@host:5433/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///instance/crm.sqlite3", "sqlite:///instance/crm.sqlite3"),
    ],
)
def test_database_urls_are_mapped_to_psycopg3(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_env_example_lists_every_setting() -> None:
    """Each field of `Settings` is a variable of `.env.example`, and only those: a new setting must be documented."""
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    documented = {line.partition("=")[0] for line in example.splitlines() if line and not line.startswith("#")}
    assert documented == {field.name.upper() for field in fields(Settings)}


def test_every_setting_is_read_from_the_environment(tmp_path: Path) -> None:
    """A variable of `.env.example` that `load_settings` ignored would be documented and have no effect."""
    changed = {"DATABASE_URL": "sqlite:///autre.db", "HOST": "127.0.0.2", "PORT": "9001", "APP_ENV": "test",
               "WORKERS": "2", "DEBUG": "1", "CACHE_TYPE": "filesystem", "CACHE_DIR": "/tmp/x", "REDIS_URL": "redis://h/1",
               "CACHE_TIMEOUT": "7", "DEMO_DATA": "0", "UPLOAD_MAX_BYTES": "1234", "UPLOAD_MAX_FILES": "2",
               "XLSX_MAX_UNPACKED_BYTES": "99", "XLSX_MAX_CELLS": "98", "TRUSTED_HOSTS": "crm.example, 10.0.0.5",
               "SECRET_KEY": "s3cret-" * 6, "AUTH": "on", "SESSION_IDLE_MINUTES": "5", "MCP": "on",
               "STALE_DAYS": "7", "PUBLIC_URL": "https://crm.example/", "SMTP_HOST": "smtp.example",
               "SMTP_PORT": "2525", "SMTP_STARTTLS": "off", "SMTP_USER": "crm", "SMTP_PASSWORD": "mot de passe",
               "SMTP_FROM": "crm@example.fr", "DIGEST_TO": "lea@example.fr, hugo@example.fr"}
    assert set(changed) == {field.name.upper() for field in fields(Settings)}
    default, loaded = Settings(), load_settings(environ=changed, env_file=tmp_path / "none")
    assert [field.name for field in fields(Settings)
            if getattr(loaded, field.name) == getattr(default, field.name)] == []


@pytest.mark.parametrize(("environ", "expected"), [
    ({"CACHE_REDIS_URL": "redis://ancien/1"}, "redis://ancien/1"),
    ({"REDIS_URL": "redis://nouveau/2", "CACHE_REDIS_URL": "redis://ancien/1"}, "redis://nouveau/2"),
])
def test_redis_url_reads_its_older_name_which_loses_to_the_new_one(environ: dict[str, str], expected: str,
                                                                   tmp_path: Path) -> None:
    assert load_settings(environ=environ, env_file=tmp_path / "none").redis_url == expected


TEAM = {"AUTH": "on", "SECRET_KEY": "k" * 48}


@pytest.mark.parametrize(("environ", "named"), [
    ({"HOST": "0.0.0.0"}, "AUTH=off est refusé avec HOST=0.0.0.0"),
    ({"HOST": "192.168.1.20", "AUTH": "off"}, "AUTH=off est refusé avec HOST=192.168.1.20"),
    ({"AUTH": "on"}, "AUTH=on demande un SECRET_KEY"),
    ({"AUTH": "on", "SECRET_KEY": "trop-court"}, "AUTH=on demande un SECRET_KEY"),
    ({"AUTH": "on", "SECRET_KEY": "remplacez-moi-par-une-cle-longue-et-aleatoire"}, "pas celui de l'exemple"),
    ({"AUTH": "oui"}, "AUTH doit valoir on ou off"),
    ({"MCP": "1"}, "MCP doit valoir on ou off"),
    ({"SMTP_STARTTLS": "oui"}, "SMTP_STARTTLS doit valoir on ou off"),
    ({"STALE_DAYS": "dix"}, "STALE_DAYS doit être un nombre de jours entre 1 et 3650"),
    ({"STALE_DAYS": "0"}, "STALE_DAYS doit être un nombre de jours"),
    ({"STALE_DAYS_NEGOCIATION": "-5"}, "STALE_DAYS_NEGOCIATION doit être un nombre de jours"),
])
def test_an_open_or_badly_keyed_team_setup_is_refused(tmp_path: Path, environ: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        load_settings(environ=environ, env_file=tmp_path / "none")


def test_cold_days_have_a_default_and_per_stage_overrides(tmp_path: Path) -> None:
    rule = load_settings(environ={"STALE_DAYS": " 12 ", "STALE_DAYS_NEGOCIATION": "5", "STALE_DAYS_GAGNE": "3"},
                         env_file=tmp_path / "none").stale_days
    assert [rule.days_for(stage) for stage in ("Prospect", "Qualifié", "Négociation")] == [12, 12, 5]
    assert rule.per_stage == (("Négociation", 5),)  # a closed stage is never cold: its override means nothing
    assert load_settings(environ={}, env_file=tmp_path / "none").stale_days.days == 10


def test_a_team_setup_may_listen_on_the_network(tmp_path: Path) -> None:
    settings = load_settings(environ={"HOST": "0.0.0.0", **TEAM}, env_file=tmp_path / "none")
    assert settings.auth and settings.host == "0.0.0.0"
    assert not load_settings(environ={}, env_file=tmp_path / "none").auth


def test_trusted_hosts_default_to_loopback_and_the_configured_host(tmp_path: Path) -> None:
    def hosts(environ: dict[str, str]) -> tuple[str, ...]:
        return load_settings(environ=environ, env_file=tmp_path / "none").accepted_hosts

    assert hosts({}) == ("127.0.0.1", "localhost")
    assert hosts({"HOST": "crm.local", **TEAM}) == ("127.0.0.1", "localhost", "crm.local")
    assert hosts({"TRUSTED_HOSTS": "Crm.Example.com, 10.0.0.5"}) == ("crm.example.com", "10.0.0.5")


def test_the_request_limit_holds_a_full_drop_in_base64_and_no_more() -> None:
    settings = Settings(upload_max_bytes=10 * 1024 * 1024, upload_max_files=5)
    full_drop = 5 * (10 * 1024 * 1024) * 4 / 3
    assert full_drop < settings.max_request_bytes < full_drop * 1.01
