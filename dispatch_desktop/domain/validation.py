"""Input validation. Every failure is a ValidationError with a one-line message."""

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import email_validator
import phonenumbers
from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from dispatch_desktop.domain.errors import ValidationError

MAX_DURATION = timedelta(hours=24)
NAME_MAX = 120
ADDRESS_MAX = 300
SERVICE_MAX = 200
NOTES_MAX = 2000
REASON_MAX = 500
USERNAME_MAX = 64
# Special-use names that company mail servers use for their own domains (corp.local, as Active
# Directory sets up); .internal and .lan are not special-use to email-validator at all. Its
# documented SPECIAL_USE_DOMAIN_NAMES list is its only switch for this; the product has one email
# rule for every address (EMAIL_FROM, `credentials set smtp --from`, people), so it changes the list.
COMPANY_NETWORK_DOMAINS = ("local",)
email_validator.SPECIAL_USE_DOMAIN_NAMES = [
    name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES if name not in COMPANY_NETWORK_DOMAINS
]


def text(value: str | None, field: str, max_length: int, *, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationError(f"{field} must not be empty", field)
    if len(cleaned) > max_length:
        raise ValidationError(f"{field} is too long ({len(cleaned)} characters, at most {max_length})", field)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned):
        raise ValidationError(f"{field} contains control characters", field)
    return cleaned


def optional_text(value: str | None, field: str, max_length: int) -> str | None:
    return text(value, field, max_length, required=False) or None


def phone(value: str | None, region: str, field: str = "phone") -> str:
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(f"{field} must not be empty", field)
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"{field} {raw!r} is not a phone number", field) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(f"{field} {raw!r} is not a valid phone number for region {region}", field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def optional_phone(value: str | None, region: str, field: str = "phone") -> str | None:
    return phone(value, region, field) if (value or "").strip() else None


def _checked(address: str) -> ValidatedEmail:
    return validate_email(address, check_deliverability=False)


def email(value: str | None, field: str = "email") -> str:
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(f"{field} must not be empty", field)
    try:
        return _checked(raw).normalized
    except EmailNotValidError as exc:
        raise ValidationError(f"{field} {raw!r} is not a valid email address: {exc}", field) from None


def ascii_domain(address: str) -> str:
    """The part after the @ in ASCII (punycode), as DNS, Message-IDs and servers without SMTPUTF8 take it."""
    try:
        return _checked(address).ascii_domain
    except EmailNotValidError:
        return address.rpartition("@")[2]


def ascii_email(address: str) -> str | None:
    """The address with its domain in ASCII; None when the part before the @ is not ASCII (only a
    server offering SMTPUTF8 can take it)."""
    local = address.rpartition("@")[0]
    return f"{local}@{ascii_domain(address)}" if local.isascii() else None


def optional_email(value: str | None, field: str = "email") -> str | None:
    return email(value, field) if (value or "").strip() else None


def region(value: str) -> str:
    code = value.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            f"unknown phone region {value!r} (use a two-letter code such as US or GB)", "region"
        )
    return code


def timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"unknown time zone {name!r} (use a name such as America/Chicago)", "timezone"
        ) from None


def parse_time(value: str, zone: tzinfo, field: str) -> datetime:
    """An ISO 8601 time; without an offset it is read in the business time zone. Returns UTC."""
    raw = (value or "").strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{field} {raw!r} is not a time (use YYYY-MM-DD HH:MM)", field) from None
    return to_utc(parsed, zone)


def to_utc(moment: datetime, zone: tzinfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(ZoneInfo("UTC"))


def interval(start: datetime, end: datetime, *, max_duration: timedelta | None = MAX_DURATION) -> None:
    if end <= start:
        raise ValidationError("end must be after start", "end")
    if max_duration is not None and end - start >= max_duration:
        raise ValidationError("a booking must last less than 24 hours", "end")
