"""Workstation configuration: the home folder, its config file and the database location.

Secrets never live here; they are in the OS keyring (see notify.credentials).
Team-wide settings (business time zone, phone region) live in the shared database.
"""

import importlib.resources
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import platformdirs

from dispatch_desktop.domain.errors import DispatchError, ValidationError

APP_NAME = "dispatch-desktop"
CONFIG_FILE = "config.toml"
DATABASE_FILE = "dispatch.db"


@dataclass
class TwilioConfig:
    account_sid: str | None = None
    phone_number: str | None = None
    api_base_url: str = "https://api.twilio.com"
    timeout_seconds: float = 10.0
    rate_limit_per_second: float | None = None


@dataclass
class SmtpConfig:
    host: str | None = None
    port: int = 587
    user: str | None = None
    from_address: str | None = None
    starttls: bool = True
    timeout_seconds: float = 15.0
    auth_mode: str = "password"
    tenant_id: str | None = None
    client_id: str | None = None
    authority: str = "https://login.microsoftonline.com"


@dataclass
class Config:
    database_url: str | None = None
    environment: str | None = None
    redirect_to_phone: str | None = None
    redirect_to_email: str | None = None
    log_max_bytes: int = 5_000_000
    log_backup_count: int = 5
    max_attempts: int = 8
    twilio: TwilioConfig = field(default_factory=TwilioConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_home(cli_home: str | None = None) -> Path:
    raw = cli_home or os.environ.get("DISPATCH_HOME")
    return Path(raw).expanduser().resolve() if raw else default_home()


class ResourcesUnavailableError(DispatchError):
    """The shipped templates or icons cannot be found or read: the installation is damaged."""

    exit_code = 5


def resources() -> Traversable:
    """The shipped resources/ folder, installed as dispatch_desktop.resources (wheel, checkout or bundle)."""
    try:
        return importlib.resources.files("dispatch_desktop.resources")
    except ModuleNotFoundError:  # an editable install made before the folder was mapped, or a damaged one
        raise ResourcesUnavailableError(
            "the package dispatch_desktop.resources is not installed; reinstall dispatch-desktop"
            " (in a checkout: .venv/bin/pip install -e .)"
        ) from None


def config_path(home: Path) -> Path:
    return home / CONFIG_FILE


def _from_table(cls: type, table: dict[str, Any], where: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = set(table) - known
    if unknown:
        raise ValidationError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    return cls(**table)


def load_config(home: Path) -> Config:
    path = config_path(home)
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"config file {path} is not valid TOML: {exc}") from None
    twilio = _from_table(TwilioConfig, data.pop("twilio", {}), f"{path} [twilio]")
    smtp = _from_table(SmtpConfig, data.pop("smtp", {}), f"{path} [smtp]")
    config = _from_table(Config, data, str(path))
    config.twilio, config.smtp = twilio, smtp
    return config


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _toml_table(values: dict[str, Any]) -> list[str]:
    return [f"{key} = {_toml_value(value)}" for key, value in values.items() if value is not None]


def save_config(home: Path, config: Config) -> Path:
    data = asdict(config)
    twilio, smtp = data.pop("twilio"), data.pop("smtp")
    lines = ["# Dispatch Desktop workstation settings. Secrets are kept in the OS keyring, never here.", ""]
    lines += _toml_table(data)
    lines += ["", "[twilio]", *_toml_table(twilio), "", "[smtp]", *_toml_table(smtp), ""]
    path = config_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)
    return path


def database_url(home: Path, config: Config, cli_url: str | None = None) -> str:
    """--database-url, then DISPATCH_DATABASE_URL, then the config file, then SQLite in the home folder."""
    chosen = cli_url or os.environ.get("DISPATCH_DATABASE_URL") or config.database_url
    return chosen or f"sqlite:///{home / DATABASE_FILE}"
