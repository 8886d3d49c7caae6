"""Application settings, read once from the environment and `.env`.

A variable set in the process environment wins over the same variable in `.env`, so a deployment can
override the file without editing it. Every setting has a safe default: a newcomer needs no `.env` at all.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from domain.staleness import ColdRule

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "instance" / "crm.sqlite3"
CACHE_TYPES = {"simple": "SimpleCache", "filesystem": "FileSystemCache", "redis": "RedisCache", "null": "NullCache"}


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment; frozen so it can be shared safely."""

    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    host: str = "127.0.0.1"
    port: int = 8050
    workers: int = 4
    app_env: str = "development"
    debug: bool = False
    cache_type: str = "simple"
    cache_dir: str = str(PROJECT_ROOT / "instance" / "cache")
    redis_url: str = "redis://127.0.0.1:6379/0"
    cache_timeout: int = 300
    demo_data: bool = True
    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_files: int = 5
    xlsx_max_unpacked_bytes: int = 200 * 1024 * 1024
    xlsx_max_cells: int = 5_000_000
    trusted_hosts: tuple[str, ...] = ()
    secret_key: str = ""
    auth: bool = False
    session_idle_minutes: int = 60
    mcp: bool = False
    stale_days: ColdRule = field(default_factory=ColdRule)
    public_url: str = "http://127.0.0.1:8050"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    digest_to: tuple[str, ...] = ()

    @property
    def accepted_hosts(self) -> tuple[str, ...]:
        """The Host names the app answers to: TRUSTED_HOSTS, else loopback and the configured HOST."""
        return self.trusted_hosts or tuple(dict.fromkeys(("127.0.0.1", "localhost", self.host)))

    @property
    def max_request_bytes(self) -> int:
        """The largest request body Flask reads: every file of one drop in base64 (4/3), plus the JSON around."""
        return self.upload_max_files * (self.upload_max_bytes * 4 // 3 + 4096) + 64 * 1024

    @property
    def flask_cache_config(self) -> dict[str, object]:
        """The flask-caching configuration for the chosen backend."""
        config: dict[str, object] = {
            "CACHE_TYPE": CACHE_TYPES[self.cache_type],
            "CACHE_DEFAULT_TIMEOUT": self.cache_timeout,
        }
        if self.cache_type == "filesystem":
            config["CACHE_DIR"] = self.cache_dir
        if self.cache_type == "redis":
            config["CACHE_REDIS_URL"] = self.redis_url
        return config


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def is_loopback(host: str) -> bool:
    """Whether `host` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


SECRET_KEY_MIN_LENGTH = 32
EXAMPLE_SECRET_KEY = "remplacez-moi"  # .env.example's value: a copied example must not sign real sessions


def _check(settings: Settings) -> Settings:
    """Refuse a configuration that would expose the Werkzeug debugger (tracebacks, file paths, a console), the
    deals to the network without a login, or sessions signed with a guessable key."""
    if settings.debug and settings.app_env == "production":
        raise ValueError("DEBUG=1 est refusé avec APP_ENV=production : le débogueur montrerait le code et les "
                         "chemins des fichiers.")
    if settings.debug and not is_loopback(settings.host):
        raise ValueError(f"DEBUG=1 est refusé avec HOST={settings.host} : le débogueur ne s'ouvre que sur "
                         "127.0.0.1 ou localhost.")
    if not settings.auth and not is_loopback(settings.host):
        raise ValueError(f"AUTH=off est refusé avec HOST={settings.host} : sans connexion, seul 127.0.0.1 ou "
                         "localhost est permis. Mettez AUTH=on et créez un compte (crm users add).")
    if settings.auth and (len(settings.secret_key) < SECRET_KEY_MIN_LENGTH
                          or settings.secret_key.startswith(EXAMPLE_SECRET_KEY)):
        raise ValueError(f"AUTH=on demande un SECRET_KEY d'au moins {SECRET_KEY_MIN_LENGTH} caractères, pas celui de "
                         "l'exemple : python -c \"import secrets; print(secrets.token_urlsafe(48))\"")
    return settings


def _on_off(name: str, value: str) -> bool:
    """AUTH, MCP, SMTP_STARTTLS: on or off, nothing else (a typo must neither leave the dashboard open, open an
    endpoint nor send a password in clear)."""
    choice = value.strip().lower()
    if choice not in {"on", "off"}:
        raise ValueError(f"{name} doit valoir on ou off, pas « {value} ».")
    return choice == "on"


def _hosts(value: str) -> tuple[str, ...]:
    return tuple(host.strip().lower() for host in value.split(",") if host.strip())


def _addresses(value: str) -> tuple[str, ...]:
    """DIGEST_TO: comma-separated e-mail addresses, each once, in the order written."""
    return tuple(dict.fromkeys(address.strip() for address in value.split(",") if address.strip()))


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Build settings from `.env` overlaid by the environment (the environment wins)."""
    file_values = {k: v for k, v in dotenv_values(env_file or PROJECT_ROOT / ".env").items() if v is not None}
    values = {**file_values, **(os.environ if environ is None else environ)}
    defaults = Settings()
    cache_type = values.get("CACHE_TYPE", defaults.cache_type).strip().lower()
    if cache_type not in CACHE_TYPES:
        raise ValueError(f"CACHE_TYPE must be one of {sorted(CACHE_TYPES)}, not {cache_type!r}")
    return _check(Settings(
        database_url=values.get("DATABASE_URL") or defaults.database_url,
        host=values.get("HOST", defaults.host),
        port=int(values.get("PORT", defaults.port)),
        workers=int(values.get("WORKERS") or defaults.workers),
        app_env=values.get("APP_ENV", defaults.app_env),
        debug=_as_bool(values.get("DEBUG", "0")),
        cache_type=cache_type,
        cache_dir=values.get("CACHE_DIR", defaults.cache_dir),
        # REDIS_URL names the server of the cache and the sign-in counts; CACHE_REDIS_URL, its older name, is read
        # when REDIS_URL is not set, so an existing .env keeps working.
        redis_url=values.get("REDIS_URL") or values.get("CACHE_REDIS_URL") or defaults.redis_url,
        cache_timeout=int(values.get("CACHE_TIMEOUT", defaults.cache_timeout)),
        demo_data=_as_bool(values.get("DEMO_DATA", "1")),
        upload_max_bytes=int(values.get("UPLOAD_MAX_BYTES", defaults.upload_max_bytes)),
        upload_max_files=int(values.get("UPLOAD_MAX_FILES", defaults.upload_max_files)),
        xlsx_max_unpacked_bytes=int(values.get("XLSX_MAX_UNPACKED_BYTES", defaults.xlsx_max_unpacked_bytes)),
        xlsx_max_cells=int(values.get("XLSX_MAX_CELLS", defaults.xlsx_max_cells)),
        trusted_hosts=_hosts(values.get("TRUSTED_HOSTS", "")),
        secret_key=values.get("SECRET_KEY", defaults.secret_key),
        auth=_on_off("AUTH", values.get("AUTH", "off")),
        mcp=_on_off("MCP", values.get("MCP", "off")),
        session_idle_minutes=int(values.get("SESSION_IDLE_MINUTES", defaults.session_idle_minutes)),
        stale_days=ColdRule.from_settings(values),
        public_url=(values.get("PUBLIC_URL") or defaults.public_url).strip().rstrip("/"),
        smtp_host=values.get("SMTP_HOST", defaults.smtp_host).strip(),
        smtp_port=int(values.get("SMTP_PORT") or defaults.smtp_port),
        smtp_starttls=_on_off("SMTP_STARTTLS", values.get("SMTP_STARTTLS", "on")),
        smtp_user=values.get("SMTP_USER", defaults.smtp_user).strip(),
        smtp_password=values.get("SMTP_PASSWORD", defaults.smtp_password),
        smtp_from=values.get("SMTP_FROM", defaults.smtp_from).strip(),
        digest_to=_addresses(values.get("DIGEST_TO", "")),
    ))
