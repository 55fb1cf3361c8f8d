"""What each credential field may hold: explicit ASCII patterns and sizes.

A line break, DEL, a bidi control, Arabic-Indic digits or megabytes of text are refused
before they reach the config file or the keyring. Errors about secrets never repeat them.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from dispatch_desktop.domain.errors import ValidationError

ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,253}")
LOGIN = re.compile(r"[!-~]{1,320}")  # visible ASCII: an email address, DOMAIN\user, a relay account
_LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
HOST_MAX = 253


class SecretRule:
    """A secret's pattern, and how to say what it must be without showing it."""

    def __init__(self, pattern: str, description: str) -> None:
        self.pattern = re.compile(pattern)
        self.description = description


AUTH_TOKEN = SecretRule(r"[!-~]{8,128}", "8 to 128 visible ASCII characters")
PASSWORD = SecretRule(r"[!-~]([ -~]{0,254}[!-~])?", "1 to 256 printable ASCII characters")
CLIENT_SECRET = SecretRule(r"[!-~]{1,256}", "1 to 256 visible ASCII characters")


def secret(value: str | None, name: str, rule: SecretRule) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(f"{name} must not be empty", name)
    if not rule.pattern.fullmatch(cleaned):
        raise ValidationError(f"{name} must be {rule.description} (not shown)", name)
    return cleaned


def account_sid(value: str) -> str:
    sid = value.strip()
    if not ACCOUNT_SID.fullmatch(sid):
        raise ValidationError(
            f"account SID {sid!r} does not look like a Twilio account SID (AC and 32 hex digits)",
            "account_sid",
        )
    return sid


def messaging_service_sid(value: str) -> str:
    sid = value.strip()
    if not MESSAGING_SERVICE_SID.fullmatch(sid):
        raise ValidationError(
            f"Messaging Service SID {sid!r} does not look like one (MG and 32 hex digits)",
            "messaging_service_sid",
        )
    return sid


def host(value: str, field: str = "host") -> str:
    raw = value.strip()
    try:
        ipaddress.ip_address(raw.removeprefix("[").removesuffix("]"))
        return raw
    except ValueError:
        pass
    labels = raw.removesuffix(".").split(".")
    if not raw or len(raw) > HOST_MAX or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValidationError(
            f"{field} {raw!r} is not a host name or IP address "
            "(ASCII letters, digits, '-' and '.'; an international name as xn--...)",
            field,
        )
    return raw


def login(value: str | None, field: str = "user") -> str | None:
    raw = (value or "").strip()
    if not raw:
        return None
    if not LOGIN.fullmatch(raw):
        raise ValidationError(
            f"{field} {raw!r} must be 1 to 320 visible ASCII characters (no spaces or controls)", field
        )
    return raw


def https_url(value: str, field: str) -> str:
    base = value.strip().rstrip("/")
    try:
        parts = urlsplit(base)
        parts.port  # noqa: B018  a bad port raises here
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme != "https"
        or not parts.hostname
        or not re.fullmatch(r"[!-~]{1,2000}", base)
        or parts.query
        or parts.fragment
    ):
        raise ValidationError(f"{field} {base!r} must be an https:// URL", field)
    host(parts.hostname, field)
    return base


def is_loopback(host: str | None) -> bool:
    """This machine: localhost or a loopback address (where nothing crosses a network)."""
    import ipaddress

    name = (host or "").strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def url_is_private(url: str) -> bool:
    """https://, or any scheme to this machine (the test servers): a token sent there stays private."""
    parts = urlsplit(url.strip())
    return parts.scheme == "https" or is_loopback(parts.hostname)
