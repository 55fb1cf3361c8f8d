"""Twilio and SMTP credentials: secrets in the OS keyring, other fields in the config file,
and the seed's environment variables overriding both.

A secret is never written to the config file, the database, a log line or an error
message; each loaded secret is registered with notify.secrets so it is masked everywhere.
"""

import os
from dataclasses import dataclass, replace
from pathlib import Path

import keyring
import keyring.errors
import phonenumbers

from dispatch_desktop.config import Config, SmtpConfig, TwilioConfig, save_config
from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import DispatchError, ValidationError
from dispatch_desktop.notify.secrets import register_login, register_secret, scrub

SERVICE = "dispatch-desktop"
TWILIO_SECRET = "TWILIO_AUTH_TOKEN"
SMTP_SECRET = "SMTP_PASSWORD"
FALSE_WORDS = {"0", "false", "no", "off"}
PASSWORD_AUTH, OAUTH2_AUTH = "password", "oauth2"
AUTH_MODES = (PASSWORD_AUTH, OAUTH2_AUTH)
INSTALL_HINT = (
    "install a keyring backend (e.g. 'sudo apt install gnome-keyring' for a desktop session, "
    "or 'pip install keyrings.alt' for a file-based one) or set TWILIO_AUTH_TOKEN / SMTP_PASSWORD "
    "in the environment"
)


class KeyringUnavailableError(DispatchError):
    """No usable OS keyring: secrets cannot be stored here."""

    exit_code = 1


@dataclass(frozen=True)
class Value:
    value: str | None
    source: str  # "env", "keyring", "config", "default" or "missing"

    @property
    def present(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: Value
    auth_token: Value
    phone_number: Value
    api_base_url: str
    timeout_seconds: float
    rate_limit_per_second: float | None

    def missing(self) -> list[str]:
        names = {"TWILIO_ACCOUNT_SID": self.account_sid, TWILIO_SECRET: self.auth_token}
        names["TWILIO_PHONE_NUMBER"] = self.phone_number
        return [name for name, value in names.items() if not value.present]


@dataclass(frozen=True)
class SmtpCredentials:
    host: Value
    port: Value
    user: Value
    password: Value
    from_address: Value
    starttls: bool
    starttls_source: str
    timeout_seconds: float
    auth_mode: str = "password"
    tenant_id: Value = Value(None, "missing")
    client_id: Value = Value(None, "missing")
    authority: str = SmtpConfig.authority

    @property
    def oauth2(self) -> bool:
        return self.auth_mode == OAUTH2_AUTH

    def missing(self) -> list[str]:
        missing = [
            name
            for name, value in (
                ("SMTP_HOST", self.host),
                ("SMTP_PORT", self.port),
                ("EMAIL_FROM", self.from_address),
            )
            if not value.present
        ]
        if self.oauth2:
            # The app's client secret is kept as SMTP_PASSWORD; SMTP_USER is the mailbox it sends as.
            required = (("SMTP_USER", self.user), (SMTP_SECRET, self.password))
            required += (("SMTP_TENANT_ID", self.tenant_id), ("SMTP_CLIENT_ID", self.client_id))
            return missing + [name for name, value in required if not value.present]
        # A local relay may take mail without a login; a user without a password cannot log in.
        if self.user.present and not self.password.present:
            missing.append(SMTP_SECRET)
        return missing

    @property
    def port_number(self) -> int:
        return int(self.port.value or 0)


# --- the keyring -------------------------------------------------------------------------


def keyring_problem() -> str | None:
    """None when a usable keyring is configured, else one line saying what to do."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend must not stop the program
        return f"the OS keyring could not be opened ({type(exc).__name__}); {INSTALL_HINT}"
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring) or (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    ):
        return f"no usable OS keyring found; {INSTALL_HINT}"
    return None


def _read_secret(name: str) -> str | None:
    if keyring_problem():
        return None
    try:
        value = keyring.get_password(SERVICE, name)
    except Exception:  # locked or broken keyring: behave as if not stored, say so in `show`
        return None
    register_secret(value)
    return value


def _write_secret(name: str, value: str) -> None:
    problem = keyring_problem()
    if problem:
        raise KeyringUnavailableError(f"cannot store {name}: {problem}")
    register_secret(value)
    try:
        keyring.set_password(SERVICE, name, value)
    except Exception as exc:
        raise KeyringUnavailableError(
            f"cannot store {name} in the OS keyring: {scrub(str(exc)) or type(exc).__name__}; {INSTALL_HINT}"
        ) from None


def _delete_secret(name: str) -> bool:
    if keyring_problem():
        return False
    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise KeyringUnavailableError(
            f"cannot delete {name} from the OS keyring: {scrub(str(exc)) or type(exc).__name__}"
        ) from None
    return True


# --- loading ---------------------------------------------------------------------------


def _pick(env_name: str, configured: object, default: object = None) -> Value:
    raw = os.environ.get(env_name)
    if raw is not None and raw.strip():
        return Value(raw.strip(), "env")
    if default is not None and (configured is None or configured == default):
        return Value(str(default), "default")
    if configured is not None and str(configured).strip():
        return Value(str(configured).strip(), "config")
    return Value(None, "missing")


def _secret(env_name: str) -> Value:
    raw = os.environ.get(env_name)
    if raw:
        register_secret(raw)
        return Value(raw, "env")
    stored = _read_secret(env_name)
    return Value(stored, "keyring") if stored else Value(None, "missing")


def load_twilio(config: Config) -> TwilioCredentials:
    base_url = (
        os.environ.get("TWILIO_API_BASE_URL") or config.twilio.api_base_url or TwilioConfig.api_base_url
    )
    return TwilioCredentials(
        account_sid=_pick("TWILIO_ACCOUNT_SID", config.twilio.account_sid),
        auth_token=_secret(TWILIO_SECRET),
        phone_number=_pick("TWILIO_PHONE_NUMBER", config.twilio.phone_number),
        api_base_url=base_url.rstrip("/"),
        timeout_seconds=config.twilio.timeout_seconds,
        rate_limit_per_second=config.twilio.rate_limit_per_second,
    )


def load_smtp(config: Config) -> SmtpCredentials:
    port = _pick("SMTP_PORT", config.smtp.port, SmtpConfig.port)
    if port.value is not None and not port.value.isdigit():
        port = Value(None, f"{port.source} (not a port number)")
    user = _pick("SMTP_USER", config.smtp.user)
    password = _secret(SMTP_SECRET)
    register_login(user.value, password.value)
    raw_tls = os.environ.get("SMTP_STARTTLS")
    if raw_tls is not None and raw_tls.strip():
        starttls, tls_source = raw_tls.strip().lower() not in FALSE_WORDS, "env"
    else:
        starttls = config.smtp.starttls
        tls_source = "default" if starttls == SmtpConfig.starttls else "config"
    return SmtpCredentials(
        host=_pick("SMTP_HOST", config.smtp.host),
        port=port,
        user=user,
        password=password,
        from_address=_pick("EMAIL_FROM", config.smtp.from_address),
        starttls=starttls,
        starttls_source=tls_source,
        timeout_seconds=config.smtp.timeout_seconds,
        auth_mode=(os.environ.get("SMTP_AUTH_MODE") or config.smtp.auth_mode or PASSWORD_AUTH)
        .strip()
        .lower(),
        tenant_id=_pick("SMTP_TENANT_ID", config.smtp.tenant_id),
        client_id=_pick("SMTP_CLIENT_ID", config.smtp.client_id),
        authority=config.smtp.authority or SmtpConfig.authority,
    )


# --- changing ---------------------------------------------------------------------------


def _require_secret(name: str, secret: str | None) -> str:
    cleaned = (secret or "").strip()
    if not cleaned:
        raise ValidationError(f"{name} must not be empty", name)
    if any(ord(ch) < 32 for ch in cleaned):
        raise ValidationError(f"{name} contains control characters", name)
    return cleaned


def set_twilio(home: Path, config: Config, *, account_sid: str, phone_number: str, auth_token: str) -> Config:
    """Auth token to the keyring, SID and sending number to the config file. Returns the new config."""
    sid = validation.text(account_sid, "account SID", 64)
    if not sid.startswith("AC") or not sid.isalnum():
        raise ValidationError(
            f"account SID {sid!r} does not look like a Twilio account SID (AC...)", "account_sid"
        )
    try:
        number = phonenumbers.parse(phone_number.strip(), None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"phone number {phone_number!r} must be in international form, e.g. +15551234567", "phone_number"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"phone number {phone_number!r} is not a valid number", "phone_number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    _write_secret(TWILIO_SECRET, _require_secret("auth token", auth_token))
    updated = replace(config, twilio=replace(config.twilio, account_sid=sid, phone_number=e164))
    save_config(home, updated)
    return updated


def set_smtp(
    home: Path,
    config: Config,
    *,
    host: str,
    port: int,
    user: str | None,
    from_address: str,
    starttls: bool,
    password: str | None,
    auth_mode: str = PASSWORD_AUTH,
    tenant_id: str | None = None,
    client_id: str | None = None,
) -> Config:
    """Password (or OAuth2 client secret) to the keyring, the rest to the config file."""
    if auth_mode not in AUTH_MODES:
        raise ValidationError(f"unknown SMTP auth mode {auth_mode!r} (password or oauth2)", "auth_mode")
    if auth_mode == OAUTH2_AUTH and not (user and tenant_id and client_id):
        raise ValidationError("OAuth2 needs --user (the mailbox), --tenant-id and --client-id", "auth_mode")
    host = validation.text(host, "host", 255)
    if not 0 < port < 65536:
        raise ValidationError(f"port {port} is not a TCP port", "port")
    sender = validation.email(from_address, "from address")
    user = validation.optional_text(user, "user", 320)
    if user:
        _write_secret(SMTP_SECRET, _require_secret("SMTP password", password))
    updated = replace(
        config,
        smtp=replace(
            config.smtp,
            host=host,
            port=port,
            user=user,
            from_address=sender,
            starttls=starttls,
            auth_mode=auth_mode,
            tenant_id=(tenant_id or "").strip() or None,
            client_id=(client_id or "").strip() or None,
        ),
    )
    save_config(home, updated)
    return updated


def delete_twilio(home: Path, config: Config) -> Config:
    _delete_secret(TWILIO_SECRET)
    updated = replace(config, twilio=replace(config.twilio, account_sid=None, phone_number=None))
    save_config(home, updated)
    return updated


def delete_smtp(home: Path, config: Config) -> Config:
    _delete_secret(SMTP_SECRET)
    updated = replace(config, smtp=replace(config.smtp, host=None, user=None, from_address=None))
    save_config(home, updated)
    return updated


# --- showing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldStatus:
    channel: str
    name: str
    configured: bool
    source: str
    shown: str | None  # the value for non-secret fields; never a secret

    def to_json(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "field": self.name,
            "configured": self.configured,
            "source": self.source,
            "value": self.shown,
        }


def describe(config: Config) -> tuple[list[FieldStatus], str | None]:
    """Every credential field, whether it is set and where from. The second item is the keyring problem."""
    twilio, smtp = load_twilio(config), load_smtp(config)
    rows: list[FieldStatus] = []

    def add(channel: str, name: str, value: Value, *, secret: bool = False) -> None:
        shown = None if secret else value.value
        rows.append(FieldStatus(channel, name, value.present, value.source, shown))

    add("twilio", "TWILIO_ACCOUNT_SID", twilio.account_sid)
    add("twilio", TWILIO_SECRET, twilio.auth_token, secret=True)
    add("twilio", "TWILIO_PHONE_NUMBER", twilio.phone_number)
    base_url = _pick("TWILIO_API_BASE_URL", config.twilio.api_base_url, TwilioConfig.api_base_url)
    add("twilio", "TWILIO_API_BASE_URL", base_url)
    add("smtp", "SMTP_HOST", smtp.host)
    add("smtp", "SMTP_PORT", smtp.port)
    add("smtp", "SMTP_USER", smtp.user)
    add("smtp", SMTP_SECRET, smtp.password, secret=True)
    add("smtp", "EMAIL_FROM", smtp.from_address)
    add("smtp", "SMTP_STARTTLS", Value("true" if smtp.starttls else "false", smtp.starttls_source))
    if smtp.oauth2:
        add("smtp", "SMTP_AUTH_MODE", Value(smtp.auth_mode, "config"))
        add("smtp", "SMTP_TENANT_ID", smtp.tenant_id)
        add("smtp", "SMTP_CLIENT_ID", smtp.client_id)
    return rows, keyring_problem()
