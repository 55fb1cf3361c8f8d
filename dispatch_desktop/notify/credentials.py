"""Twilio and SMTP credentials: secrets in the OS keyring, other fields in the config file,
and the seed's environment variables overriding both.

A secret is never written to the config file, the database, a log line or an error
message; each loaded secret is registered with notify.secrets so it is masked everywhere.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dispatch_desktop.config import Config, SmtpConfig, TwilioConfig, save_config
from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import DispatchError, ValidationError
from dispatch_desktop.notify import credential_fields
from dispatch_desktop.notify.secrets import register_login, register_secret, scrub

SERVICE = "dispatch-desktop"
TWILIO_SECRET = "TWILIO_AUTH_TOKEN"
MESSAGING_SERVICE_ENV = "TWILIO_MESSAGING_SERVICE_SID"
SMTP_SECRET = "SMTP_PASSWORD"
# Office 365 OAuth2: the Entra app's client secret has its own keyring entry, so switching
# between password and OAuth2 never leaves one secret standing in for the other.
O365_SECRET = "O365_CLIENT_SECRET"
SMTP_AUTH_ENV = "SMTP_AUTH"
O365_TENANT_ENV, O365_CLIENT_ENV, O365_AUTHORITY_ENV = "O365_TENANT_ID", "O365_CLIENT_ID", "O365_AUTHORITY"
FALSE_WORDS = {"0", "false", "no", "off"}
PASSWORD_AUTH, OAUTH2_AUTH = "password", "oauth2"
AUTH_MODES = (PASSWORD_AUTH, OAUTH2_AUTH)
IMPLICIT_TLS_PORT = 465
INSTALL_HINT = (
    "install a keyring backend (e.g. 'sudo apt install gnome-keyring' for a desktop session, "
    "or 'pip install keyrings.alt' for a file-based one) or set TWILIO_AUTH_TOKEN / SMTP_PASSWORD "
    "/ O365_CLIENT_SECRET in the environment"
)
LOCKED = "locked"  # the source of a secret a locked keyring would not give
KEYRING_LOCKED = (
    "the OS keyring is locked; unlock it (log in to the desktop session, or on Linux run "
    "'gnome-keyring-daemon --replace --unlock' and type the keyring's password), or set TWILIO_AUTH_TOKEN / "
    "SMTP_PASSWORD / O365_CLIENT_SECRET in the environment"
)
# Never stored: reading it asks the keyring whether it is usable and unlocked.
PROBE_ENTRY = "keyring-check"


class KeyringUnavailableError(DispatchError):
    """No usable OS keyring: secrets cannot be stored here."""

    exit_code = 1


@dataclass(frozen=True)
class Value:
    value: str | None
    source: str  # "env", "keyring", "config", "default", "missing" or LOCKED

    @property
    def present(self) -> bool:
        return bool(self.value)


def _absent(fields: tuple[tuple[str, Value], ...]) -> list[str]:
    """The names of the fields without a value; one held back by a locked keyring says so."""
    return [
        f"{name} ({KEYRING_LOCKED})" if value.source == LOCKED else name
        for name, value in fields
        if not value.present
    ]


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: Value
    auth_token: Value
    phone_number: Value
    api_base_url: str
    timeout_seconds: float
    rate_limit_per_second: float | None
    messaging_service_sid: Value = Value(None, "missing")
    messaging_service_problem: str | None = None  # set, but not MG and 32 hex digits

    def missing(self) -> list[str]:
        if self.messaging_service_problem:
            return [self.messaging_service_problem]
        sender = (
            (MESSAGING_SERVICE_ENV, self.messaging_service_sid)
            if self.messaging_service_sid.present
            else ("TWILIO_PHONE_NUMBER", self.phone_number)
        )
        missing = _absent(
            (("TWILIO_ACCOUNT_SID", self.account_sid), (TWILIO_SECRET, self.auth_token), sender)
        )
        if not credential_fields.url_is_private(self.api_base_url):
            # The auth token travels in every request's Authorization header.
            missing.append("TWILIO_API_BASE_URL (must be https:// except on this machine)")
        return missing


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
    auth_mode: str = PASSWORD_AUTH
    tenant_id: Value = Value(None, "missing")
    client_id: Value = Value(None, "missing")
    authority: str = SmtpConfig.authority
    client_secret: Value = Value(None, "missing")
    auth_mode_source: str = "default"
    authority_source: str = "default"
    allow_plaintext_auth: bool = False
    from_problem: str | None = None  # EMAIL_FROM is set but is not an address validation.email takes

    @property
    def oauth2(self) -> bool:
        return self.auth_mode == OAUTH2_AUTH

    @property
    def encrypted(self) -> bool:
        return self.starttls or self.port_number == IMPLICIT_TLS_PORT

    @property
    def plaintext_auth(self) -> bool:
        """A password would cross the network in the clear (allowed only by allow_plaintext_auth)."""
        return (
            not self.oauth2
            and self.user.present
            and not self.encrypted
            and not credential_fields.is_loopback(self.host.value)
        )

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
        if self.from_problem:
            missing = [self.from_problem if name == "EMAIL_FROM" else name for name in missing]
        if self.auth_mode not in AUTH_MODES:
            return [*missing, f"{SMTP_AUTH_ENV} ({self.auth_mode!r} is neither password nor oauth2)"]
        if self.oauth2:
            # SMTP_USER is the mailbox the app signs in as and sends from.
            required = (
                ("SMTP_USER", self.user),
                (O365_TENANT_ENV, self.tenant_id),
                (O365_CLIENT_ENV, self.client_id),
                (O365_SECRET, self.client_secret),
            )
            missing += _absent(required)
            if not self.encrypted:
                # A bearer token must never cross the network in the clear.
                missing.append("SMTP_STARTTLS (OAuth2 needs STARTTLS or port 465)")
            return missing
        # A local relay may take mail without a login; a user without a password cannot log in.
        if self.user.present:
            missing += _absent(((SMTP_SECRET, self.password),))
        if self.plaintext_auth and not self.allow_plaintext_auth:
            missing.append(
                "SMTP_STARTTLS (a password needs STARTTLS or port 465; --allow-plaintext-auth sends it in the clear)"
            )
        return missing

    @property
    def port_number(self) -> int:
        return int(self.port.value or 0)


# --- the keyring -------------------------------------------------------------------------


def _backend_problem() -> str | None:
    """None when a keyring backend is configured, else one line saying what to do."""
    import keyring  # here, not at module level: it costs start-up time and is needed only here

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


def _is_locked(exc: Exception) -> bool:
    """KeyringLocked: Secret Service (or KWallet) stayed locked, its unlock prompt refused or not shown."""
    from keyring.errors import KeyringLocked

    if isinstance(exc, KeyringLocked):
        return True
    try:
        from secretstorage.exceptions import LockedException
    except ImportError:  # not Linux
        return False
    return isinstance(exc, LockedException)


def _keyring_failure(exc: Exception) -> str:
    if _is_locked(exc):
        return KEYRING_LOCKED
    return f"the OS keyring failed: {scrub(str(exc)) or type(exc).__name__}; {INSTALL_HINT}"


def keyring_problem() -> str | None:
    """None when a usable, unlocked keyring is configured, else one line saying what to do."""
    problem = _backend_problem()
    if problem:
        return problem
    import keyring

    try:
        keyring.get_password(SERVICE, PROBE_ENTRY)
    except Exception as exc:
        return _keyring_failure(exc)
    return None


def _read_secret(name: str) -> Value:
    if _backend_problem():
        return Value(None, "missing")
    import keyring

    try:
        value = keyring.get_password(SERVICE, name)
    except Exception as exc:  # a broken keyring behaves as if nothing were stored; `show` says why
        return Value(None, LOCKED if _is_locked(exc) else "missing")
    register_secret(value)
    return Value(value, "keyring") if value else Value(None, "missing")


def _write_secret(name: str, value: str) -> None:
    problem = _backend_problem()
    if problem:
        raise KeyringUnavailableError(f"cannot store {name}: {problem}")
    register_secret(value)
    import keyring

    try:
        keyring.set_password(SERVICE, name, value)
    except Exception as exc:
        raise KeyringUnavailableError(f"cannot store {name}: {_keyring_failure(exc)}") from None


def _delete_secret(name: str) -> bool:
    if _backend_problem():
        return False
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise KeyringUnavailableError(f"cannot delete {name}: {_keyring_failure(exc)}") from None
    return True


def database_password(key: str) -> str | None:
    """The database password `dispatch-desktop login` stored under `key` (None: libpq's own means)."""
    return _read_secret(key).value


def store_database_password(key: str, password: str) -> None:
    _write_secret(key, password)


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
    return _read_secret(env_name)


def _env_only(env_name: str) -> Value:
    raw = os.environ.get(env_name)
    if raw:
        register_secret(raw)
        return Value(raw, "env")
    return Value(None, "missing")


def load_twilio(config: Config) -> TwilioCredentials:
    base_url = (
        os.environ.get("TWILIO_API_BASE_URL") or config.twilio.api_base_url or TwilioConfig.api_base_url
    )
    service = _pick(MESSAGING_SERVICE_ENV, config.twilio.messaging_service_sid)
    problem = None
    if service.present:
        try:
            credential_fields.messaging_service_sid(service.value or "")
        except ValidationError as exc:
            problem = f"{MESSAGING_SERVICE_ENV} ({exc})"
    account_sid, auth_token = _pick("TWILIO_ACCOUNT_SID", config.twilio.account_sid), _secret(TWILIO_SECRET)
    # The Authorization header is basic auth of SID:token: a server that echoes it must not leak it.
    register_login(account_sid.value, auth_token.value)
    return TwilioCredentials(
        account_sid=account_sid,
        auth_token=auth_token,
        phone_number=_pick("TWILIO_PHONE_NUMBER", config.twilio.phone_number),
        api_base_url=base_url.rstrip("/"),
        timeout_seconds=config.twilio.timeout_seconds,
        rate_limit_per_second=config.twilio.rate_limit_per_second,
        messaging_service_sid=service,
        messaging_service_problem=problem,
    )


def smtp_auth_mode(config: Config) -> Value:
    """password or oauth2 (as written, lower-cased): SMTP_AUTH, then the config file, then password."""
    picked = _pick(SMTP_AUTH_ENV, (config.smtp.auth_mode or "").strip().lower() or None, PASSWORD_AUTH)
    return Value((picked.value or PASSWORD_AUTH).strip().lower(), picked.source)


def smtp_host(config: Config) -> Value:
    """The SMTP host without touching the keyring (for warnings on the UI thread)."""
    return _pick("SMTP_HOST", config.smtp.host)


def _sender(config: Config) -> tuple[Value, str | None]:
    """EMAIL_FROM or the config file's from address, checked like `credentials set smtp --from`."""
    picked = _pick("EMAIL_FROM", config.smtp.from_address)
    if picked.value is None:
        return picked, None
    try:
        return Value(validation.email(picked.value, "EMAIL_FROM"), picked.source), None
    except ValidationError as exc:
        return Value(None, f"{picked.source}: {exc}"), str(exc)


def email_sender(config: Config | None) -> str | None:
    """The From address emails go out with (EMAIL_FROM, else the config file's), if a valid one is set."""
    return _sender(config or Config())[0].value


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
    mode = smtp_auth_mode(config)
    authority = _pick(O365_AUTHORITY_ENV, config.smtp.authority or None, SmtpConfig.authority)
    sender, sender_problem = _sender(config)
    return SmtpCredentials(
        host=smtp_host(config),
        port=port,
        user=user,
        password=password,
        from_address=sender,
        from_problem=sender_problem,
        starttls=starttls,
        starttls_source=tls_source,
        timeout_seconds=config.smtp.timeout_seconds,
        auth_mode=mode.value or PASSWORD_AUTH,
        auth_mode_source=mode.source,
        tenant_id=_pick(O365_TENANT_ENV, config.smtp.tenant_id),
        client_id=_pick(O365_CLIENT_ENV, config.smtp.client_id),
        # Only read when it is needed, so a password workstation never touches this entry.
        client_secret=_secret(O365_SECRET) if mode.value == OAUTH2_AUTH else _env_only(O365_SECRET),
        authority=(authority.value or SmtpConfig.authority).rstrip("/"),
        authority_source=authority.source,
        allow_plaintext_auth=config.smtp.allow_plaintext_auth,
    )


def plaintext_auth_warning(config: Config) -> str | None:
    """Said by credentials show and the PROD badge while a password crosses the network in the clear."""
    smtp = load_smtp(config)
    if smtp.plaintext_auth and smtp.allow_plaintext_auth:
        return f"the SMTP password is sent to {smtp.host.value} without TLS (--allow-plaintext-auth)"
    return None


# --- changing ---------------------------------------------------------------------------


def _writing(secrets: list[tuple[str, str]]) -> Callable[[], None]:
    """Stores the secrets once the config file is written, so a full disk stores neither."""

    def write() -> None:
        for name, value in secrets:
            _write_secret(name, value)

    return write


def set_twilio(
    home: Path,
    config: Config,
    *,
    account_sid: str,
    phone_number: str,
    auth_token: str,
    messaging_service_sid: str | None = None,
) -> Config:
    """Auth token to the keyring, SID, sending number and Messaging Service (None: kept as it is)
    to the config file. Returns the new config."""
    import phonenumbers

    sid = credential_fields.account_sid(account_sid)
    try:
        number = phonenumbers.parse(phone_number.strip(), None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"phone number {phone_number!r} must be in international form, e.g. +15551234567", "phone_number"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"phone number {phone_number!r} is not a valid number", "phone_number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    token = credential_fields.secret(auth_token, "auth token", credential_fields.AUTH_TOKEN)
    service = config.twilio.messaging_service_sid
    if messaging_service_sid is not None:
        service = credential_fields.messaging_service_sid(messaging_service_sid)
    twilio = replace(config.twilio, account_sid=sid, phone_number=e164, messaging_service_sid=service)
    updated = replace(config, twilio=twilio)
    save_config(home, updated, _writing([(TWILIO_SECRET, token)]))
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
    password: str | None = None,
    auth_mode: str | None = None,
    allow_plaintext_auth: bool = False,
    tenant_id: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    authority: str | None = None,
) -> Config:
    """Store an SMTP setup: the secret to the keyring, everything else to the config file.

    auth_mode "password" stores `password` as SMTP_PASSWORD (when there is a user). "oauth2"
    (Office 365) needs the mailbox as `user`, the tenant and client ids, and stores
    `client_secret` as O365_CLIENT_SECRET (None keeps a stored one). None keeps the mode the
    config already has, so a dialog that only knows about passwords never switches it back.
    """
    mode = (auth_mode or config.smtp.auth_mode or PASSWORD_AUTH).strip().lower()
    if mode not in AUTH_MODES:
        raise ValidationError(f"unknown SMTP auth mode {mode!r} (password or oauth2)", "auth_mode")
    host = credential_fields.host(host)
    if not 0 < port < 65536:
        raise ValidationError(f"port {port} is not a TCP port", "port")
    sender = validation.email(from_address, "from address")
    user = credential_fields.login(user)
    smtp = replace(
        config.smtp,
        host=host,
        port=port,
        user=user,
        from_address=sender,
        starttls=starttls,
        auth_mode=mode,
        allow_plaintext_auth=config.smtp.allow_plaintext_auth
        if allow_plaintext_auth is None
        else allow_plaintext_auth,
    )
    plaintext = mode == PASSWORD_AUTH and user and not starttls and port != IMPLICIT_TLS_PORT
    if plaintext and not smtp.allow_plaintext_auth and not credential_fields.is_loopback(host):
        raise ValidationError(
            f"a password sent to {host} without TLS could be read on the network: use STARTTLS or port 465, "
            "or --allow-plaintext-auth if you accept that",
            "starttls",
        )
    secrets: list[tuple[str, str]] = []
    if mode == OAUTH2_AUTH:
        smtp = _oauth2_settings(smtp, tenant_id, client_id, authority)
        if client_secret is not None:
            rule = credential_fields.CLIENT_SECRET
            secrets.append((O365_SECRET, credential_fields.secret(client_secret, "client secret", rule)))
        if user and password is not None:  # kept for switching back; OAuth2 does not use it
            secrets.append((SMTP_SECRET, _password(password)))
    elif user and (password is not None or auth_mode is not None or not _read_secret(SMTP_SECRET).present):
        secrets.append((SMTP_SECRET, _password(password)))
    updated = replace(config, smtp=smtp)
    save_config(home, updated, _writing(secrets))
    return updated


def _password(password: str | None) -> str:
    return credential_fields.secret(password, "SMTP password", credential_fields.PASSWORD)


def _oauth2_settings(
    smtp: SmtpConfig, tenant_id: str | None, client_id: str | None, authority: str | None
) -> SmtpConfig:
    tenant = (tenant_id if tenant_id is not None else smtp.tenant_id or "").strip()
    client = (client_id if client_id is not None else smtp.client_id or "").strip()
    if not (smtp.user and tenant and client):
        raise ValidationError(
            "OAuth2 needs the mailbox as --user, plus --tenant-id and --client-id", "auth_mode"
        )
    if not credential_fields.TENANT.fullmatch(tenant):
        raise ValidationError(
            f"tenant id {tenant!r} is neither a GUID nor a domain such as contoso.onmicrosoft.com",
            "tenant_id",
        )
    if not credential_fields.GUID.fullmatch(client):
        raise ValidationError(
            f"client id {client!r} is not a GUID (the app registration's Application (client) ID)",
            "client_id",
        )
    if not smtp.starttls and smtp.port != IMPLICIT_TLS_PORT:
        raise ValidationError("OAuth2 sends a bearer token: it needs STARTTLS (or port 465)", "starttls")
    chosen = authority if authority is not None else smtp.authority or SmtpConfig.authority
    base = credential_fields.https_url(chosen, "authority")
    return replace(smtp, tenant_id=tenant, client_id=client, authority=base)


def _deleting(*names: str) -> Callable[[], None]:
    def delete() -> None:
        for name in names:
            _delete_secret(name)

    return delete


def delete_twilio(home: Path, config: Config) -> Config:
    updated = replace(config, twilio=replace(config.twilio, account_sid=None, phone_number=None))
    save_config(home, updated, _deleting(TWILIO_SECRET))
    return updated


def delete_smtp(home: Path, config: Config) -> Config:
    smtp = replace(
        config.smtp,
        host=None,
        user=None,
        from_address=None,
        auth_mode=SmtpConfig.auth_mode,
        tenant_id=None,
        client_id=None,
        authority=SmtpConfig.authority,
    )
    updated = replace(config, smtp=smtp)
    save_config(home, updated, _deleting(SMTP_SECRET, O365_SECRET))
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


def describe(
    config: Config, loaded: tuple[TwilioCredentials, SmtpCredentials] | None = None
) -> tuple[list[FieldStatus], str | None]:
    """Every credential field, whether it is set and where from. The second item is the keyring problem.

    `loaded`: the credentials the caller already read, so the keyring is not read a second time.
    """
    twilio, smtp = loaded or (load_twilio(config), load_smtp(config))
    rows: list[FieldStatus] = []

    def add(channel: str, name: str, value: Value, *, secret: bool = False) -> None:
        shown = None if secret else value.value
        rows.append(FieldStatus(channel, name, value.present, value.source, shown))

    add("twilio", "TWILIO_ACCOUNT_SID", twilio.account_sid)
    add("twilio", TWILIO_SECRET, twilio.auth_token, secret=True)
    add("twilio", "TWILIO_PHONE_NUMBER", twilio.phone_number)
    add("twilio", MESSAGING_SERVICE_ENV, twilio.messaging_service_sid)
    base_url = _pick("TWILIO_API_BASE_URL", config.twilio.api_base_url, TwilioConfig.api_base_url)
    add("twilio", "TWILIO_API_BASE_URL", base_url)
    add("smtp", "SMTP_HOST", smtp.host)
    add("smtp", "SMTP_PORT", smtp.port)
    add("smtp", "SMTP_USER", smtp.user)
    add("smtp", SMTP_AUTH_ENV, Value(smtp.auth_mode, smtp.auth_mode_source))
    if not smtp.oauth2 or smtp.password.present:
        add("smtp", SMTP_SECRET, smtp.password, secret=True)
    add("smtp", "EMAIL_FROM", smtp.from_address)
    add("smtp", "SMTP_STARTTLS", Value("true" if smtp.starttls else "false", smtp.starttls_source))
    if smtp.oauth2 or smtp.tenant_id.present or smtp.client_id.present:
        add("smtp", O365_TENANT_ENV, smtp.tenant_id)
        add("smtp", O365_CLIENT_ENV, smtp.client_id)
        secret = smtp.client_secret if smtp.client_secret.present else _secret(O365_SECRET)
        add("smtp", O365_SECRET, secret, secret=True)
        add("smtp", O365_AUTHORITY_ENV, Value(smtp.authority, smtp.authority_source))
    return rows, keyring_problem()
