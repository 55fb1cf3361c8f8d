"""Input validation. Every failure is a ValidationError with a one-line message."""

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from dispatch_desktop.domain.errors import ValidationError

MAX_DURATION = timedelta(hours=24)
NAME_MAX = 120
ADDRESS_MAX = 300
SERVICE_MAX = 200
NOTES_MAX = 2000
REASON_MAX = 500
USERNAME_MAX = 64


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


def email(value: str | None, field: str = "email") -> str:
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(f"{field} must not be empty", field)
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(f"{field} {raw!r} is not a valid email address: {exc}", field) from None


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
    try:
        return moment.astimezone(ZoneInfo("UTC"))
    except OverflowError:  # the UTC instant falls before year 1 or after 9999
        raise ValidationError(f"time {moment.isoformat()} is outside the years 1 to 9999", "time") from None


def interval(start: datetime, end: datetime, *, max_duration: timedelta | None = MAX_DURATION) -> None:
    if end <= start:
        raise ValidationError("end must be after start", "end")
    if max_duration is not None and end - start >= max_duration:
        raise ValidationError("a booking must last less than 24 hours", "end")
