"""Workstation configuration: the home folder, its config file and the database location.

Secrets never live here; they are in the OS keyring (see notify.credentials).
Team-wide settings (business time zone, phone region) live in the shared database.
"""

import importlib.resources
import math
import os
import tomllib
import typing
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from dispatch_desktop.domain.errors import DispatchError, FileUnavailableError, ValidationError
from dispatch_desktop.storage.files import check_local_path, private_folder, write_private

APP_NAME = "dispatch-desktop"
CONFIG_FILE = "config.toml"
DATABASE_FILE = "dispatch.db"
CONFIG_HEADER = "# Dispatch Desktop workstation settings. Secrets are kept in the OS keyring, never here."


@dataclass
class TwilioConfig:
    account_sid: str | None = None
    phone_number: str | None = None
    messaging_service_sid: str | None = None  # MG...: send through a Messaging Service, not From
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
    # Send the password without TLS to a host that is not this machine (credentials show flags it).
    allow_plaintext_auth: bool = False
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
    sync_interval_seconds: int = 30  # how often the sync leader asks Twilio about sent texts
    unknown_grace_seconds: int = 300  # an unknown text absent from Twilio's log this long is sent again
    twilio: TwilioConfig = field(default_factory=TwilioConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_home(cli_home: str | None = None) -> Path:
    raw = cli_home or os.environ.get("DISPATCH_HOME")
    if not raw:
        return default_home()
    check_local_path(Path(raw).expanduser(), "home folder", folder=True)
    return Path(raw).expanduser().resolve()


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


# The ranges a number in the config file must be in; anything else is a mistake in the file.
_RANGES: dict[str, tuple[float, float]] = {
    "log_max_bytes": (0, 2**53),
    "log_backup_count": (0, 1000),
    "max_attempts": (1, 1000),
    "sync_interval_seconds": (5, 3600),
    # Under a minute a request still in flight could be missed in Twilio's log, and sent twice.
    "unknown_grace_seconds": (60, 86_400),
    "port": (1, 65535),
    "timeout_seconds": (0.1, 3600),
    "rate_limit_per_second": (0.001, 10_000),
}
_KIND_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _accepts(kind: type, value: Any) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, int | float)
    return isinstance(value, kind)


def _check_value(name: str, value: Any, annotation: Any, where: str) -> None:
    kinds = [kind for kind in typing.get_args(annotation) or (annotation,) if kind is not type(None)]
    if not any(_accepts(kind, value) for kind in kinds):
        raise ValidationError(f"{where} must be {_KIND_NAMES[kinds[0]]}", name)
    low, high = _RANGES.get(name, (-math.inf, math.inf))
    if isinstance(value, int | float) and not isinstance(value, bool) and not low <= value <= high:
        raise ValidationError(f"{where} must be between {low:g} and {high:g}, not {value!r}", name)


def _from_table(cls: type, table: Any, path: Path, prefix: str = "") -> Any:
    if not isinstance(table, dict):
        raise ValidationError(f"config file {path}: {prefix.rstrip('.')} must be a table")
    known = {f.name: f.type for f in fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        names = ", ".join(prefix + name for name in unknown)
        raise ValidationError(f"config file {path}: unknown setting(s) {names}")
    for name, value in table.items():
        _check_value(name, value, known[name], f"config file {path}: {prefix}{name}")
    return cls(**table)


def _parse(path: Path, text: str) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"config file {path} is not valid TOML: {exc}") from None
    twilio = _from_table(TwilioConfig, data.pop("twilio", {}), path, "twilio.")
    smtp = _from_table(SmtpConfig, data.pop("smtp", {}), path, "smtp.")
    config = _from_table(Config, data, path)
    config.twilio, config.smtp = twilio, smtp
    return config


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ValidationError(f"config file {path} is not valid TOML: not UTF-8 text") from None
    except OSError as exc:
        raise FileUnavailableError(f"cannot read config file {path}: {exc.strerror}") from None


def load_config(home: Path) -> Config:
    path = config_path(home)
    text = _read(path)
    return Config() if text is None else _parse(path, text)


def load_config_without(home: Path, table: str) -> Config:
    """The config as load_config reads it, or, when the file is broken, without its [table] section.

    So a section made unreadable (by hand, or by an older version) can still be deleted.
    """
    try:
        return load_config(home)
    except ValidationError:
        text = _read(config_path(home)) or ""
    kept, skipping = [], False
    for line in text.splitlines():
        header = line.strip()
        if header.startswith("["):
            skipping = header.strip("[] \t") == table
        if not skipping:
            kept.append(line)
    return _parse(config_path(home), "\n".join(kept))


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def save_config(home: Path, config: Config, before_replace: Callable[[], None] | None = None) -> Path:
    """Write the config file atomically; `before_replace` runs once the new file is safely written.

    A write that fails (read-only or full disk) leaves the old file as it was and no temp file.
    """
    data = asdict(config)
    twilio, smtp = _without_none(data.pop("twilio")), _without_none(data.pop("smtp"))
    document = tomli_w.dumps({**_without_none(data), "twilio": twilio, "smtp": smtp})
    path = config_path(home)
    tmp = path.with_suffix(".tmp")
    try:
        private_folder(path.parent)
        write_private(tmp, f"{CONFIG_HEADER}\n\n{document}")
        if before_replace is not None:
            before_replace()
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise FileUnavailableError(f"cannot write config file {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def database_url(home: Path, config: Config, cli_url: str | None = None) -> str:
    """--database-url, then DISPATCH_DATABASE_URL, then the config file, then SQLite in the home folder."""
    chosen = cli_url or os.environ.get("DISPATCH_DATABASE_URL") or config.database_url
    return chosen or f"sqlite:///{home / DATABASE_FILE}"
