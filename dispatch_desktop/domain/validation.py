"""Input validation. Every failure is a ValidationError with a one-line message."""

import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import email_validator
import phonenumbers
from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from dispatch_desktop.domain.errors import ValidationError

MAX_DURATION = timedelta(hours=24)
MIN_DURATION = timedelta(minutes=5)
NAME_MAX = 120
ADDRESS_MAX = 300
SERVICE_MAX = 200
NOTES_MAX = 2000
REASON_MAX = 500
COMPANY_NAME_MAX = 60  # it opens every customer text: short enough to leave room for the message
USERNAME_MAX = 64
# Special-use names that company mail servers use for their own domains (corp.local, as Active
# Directory sets up); .internal and .lan are not special-use to email-validator at all. Its
# documented SPECIAL_USE_DOMAIN_NAMES list is its only switch for this; the product has one email
# rule for every address (EMAIL_FROM, `credentials set smtp --from`, people), so it changes the list.
COMPANY_NETWORK_DOMAINS = ("local",)
email_validator.SPECIAL_USE_DOMAIN_NAMES = [
    name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES if name not in COMPANY_NETWORK_DOMAINS
]

LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")
# Embedding and override controls that reorder how a terminal or log viewer shows text.
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
USERNAME = re.compile(r"[a-z0-9._-]+")
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# Zone names that are not places: "localtime" is whatever each workstation is set to.
NOT_TEAM_ZONES = frozenset({"localtime", "Factory", "posixrules"})
# Numbers a text may go to; premium-rate, shared-cost, toll-free, personal (vanity) and
# other kinds are where SMS pumping sends its traffic.
TEXTABLE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
_TYPE_NAMES = {
    phonenumbers.PhoneNumberType.FIXED_LINE: "a fixed-line number",
    phonenumbers.PhoneNumberType.TOLL_FREE: "a toll-free number",
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "a premium-rate number",
    phonenumbers.PhoneNumberType.SHARED_COST: "a shared-cost number",
    phonenumbers.PhoneNumberType.VOIP: "a VoIP number",
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER: "a personal (vanity) number",
    phonenumbers.PhoneNumberType.PAGER: "a pager number",
    phonenumbers.PhoneNumberType.UAN: "a company (UAN) number",
    phonenumbers.PhoneNumberType.VOICEMAIL: "a voicemail number",
}


def _refused_character(value: str, multiline: bool) -> str | None:
    for ch in value:
        code = ord(ch)
        if multiline and ch in "\n\t":
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F or ch in LINE_BREAKS or ch in BIDI_CONTROLS:
            return ch
    return None


def text(
    value: str | None, field: str, max_length: int, *, required: bool = True, multiline: bool = False
) -> str:
    """Trimmed text. Single-line fields refuse line breaks, control and bidi-override characters;
    multi-line ones (notes) allow newlines and tabs."""
    cleaned = (value or "").strip()
    if multiline:
        cleaned = cleaned.replace("\r\n", "\n")
    if required and not cleaned:
        raise ValidationError(f"{field} must not be empty", field)
    if len(cleaned) > max_length:
        raise ValidationError(f"{field} is too long ({len(cleaned)} characters, at most {max_length})", field)
    bad = _refused_character(cleaned, multiline)
    if bad is not None:
        what = "a line break" if bad in LINE_BREAKS else "a control character"
        advice = "control characters" if multiline else "line breaks or control characters"
        raise ValidationError(f"{field} contains {what} (U+{ord(bad):04X}); type it without {advice}", field)
    return cleaned


def optional_text(value: str | None, field: str, max_length: int, *, multiline: bool = False) -> str | None:
    return text(value, field, max_length, required=False, multiline=multiline) or None


def username(value: str | None) -> str:
    """Lowercase ASCII only, so no two usernames look alike (Cyrillic a, zero-width space, Sam/sam)."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError("username must not be empty", "username")
    if len(raw) > USERNAME_MAX:
        raise ValidationError(
            f"username is too long ({len(raw)} characters, at most {USERNAME_MAX})", "username"
        )
    if not USERNAME.fullmatch(raw):
        hint = f" (type {raw.lower()!r})" if USERNAME.fullmatch(raw.lower()) else ""
        raise ValidationError(
            f"username {raw!r} may use only lowercase letters a-z, digits, '.', '_' and '-'{hint}", "username"
        )
    return raw


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


def textable_phone(value: str | None, region: str, countries: tuple[str, ...], field: str = "phone") -> str:
    """A phone number texts may go to: a mobile number in one of the team's SMS countries."""
    e164 = phone(value, region, field)
    parsed = phonenumbers.parse(e164)
    kind = phonenumbers.number_type(parsed)
    if kind not in TEXTABLE_TYPES:
        what = _TYPE_NAMES.get(kind, "not a mobile number")
        raise ValidationError(f"{field} {e164} is {what}; texts go only to mobile numbers", field)
    country = phonenumbers.region_code_for_number(parsed)
    if country not in countries:
        allowed = ",".join(countries)
        raise ValidationError(
            f"{field} {e164} is in {country}, outside the team's SMS countries ({allowed}); "
            f"a supervisor can allow it with 'settings set --sms-countries {allowed},{country}'",
            field,
        )
    return e164


def optional_textable_phone(
    value: str | None, region: str, countries: tuple[str, ...], field: str = "phone"
) -> str | None:
    return textable_phone(value, region, countries, field) if (value or "").strip() else None


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


def regions(value: str) -> tuple[str, ...]:
    """A comma-separated list of phone regions, such as "US,CA"."""
    codes = tuple(dict.fromkeys(region(code) for code in value.split(",") if code.strip()))
    if not codes:
        raise ValidationError("give at least one country code, such as US or US,CA", "region")
    return codes


@cache
def _team_zones() -> frozenset[str]:
    # available_timezones() walks the whole tz database on disk (15-40 ms), and every read of the
    # team settings checks this computer's zone; the installed zones do not change while we run.
    return frozenset(available_timezones() - NOT_TEAM_ZONES)


def team_timezones() -> list[str]:
    """The zone names a team may pick, sorted."""
    return sorted(_team_zones())


def timezone(name: str) -> ZoneInfo:
    """An IANA zone name; "localtime" and file paths would mean a different zone on each workstation."""
    key = name.strip()
    if key in _team_zones():
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise ValidationError(
        f"unknown time zone {name!r} (use an IANA name such as America/Chicago)", "timezone"
    )


def whole_number(value: int | str, field: str, low: int, high: int) -> int:
    """ASCII digits only: int() would also take "1_000" and Arabic-Indic digits."""
    raw = str(value).strip()
    if not WHOLE_NUMBER.fullmatch(raw):
        raise ValidationError(f"{field} {raw!r} is not a whole number", field)
    number = int(raw)
    if not low <= number <= high:
        raise ValidationError(f"{field} must be from {low} to {high}, not {number}", field)
    return number


def parse_time(value: str, zone: tzinfo, field: str) -> datetime:
    """An ISO 8601 time; without an offset it is read in the business time zone. Returns UTC."""
    raw = (value or "").strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{field} {raw!r} is not a time (use YYYY-MM-DD HH:MM)", field) from None
    return to_utc(parsed, zone, field)


def offset_text(moment: datetime) -> str:
    """The UTC offset of an aware time as typed after it: -05:00."""
    offset = moment.utcoffset()
    assert offset is not None, "offset_text needs a time with a zone"
    total = int(offset.total_seconds() // 60)
    sign, minutes = ("-" if total < 0 else "+"), abs(total)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_offsets(moment: datetime, zone: tzinfo) -> tuple[datetime, ...]:
    """The instants a wall-clock time names in a zone: one, two (clocks went back) or none (skipped)."""
    found: list[datetime] = []
    for fold in (0, 1):
        candidate = moment.replace(tzinfo=zone, fold=fold)
        round_trip = candidate.astimezone(UTC).astimezone(zone)
        if round_trip.replace(tzinfo=None) == moment and all(
            candidate.utcoffset() != other.utcoffset() for other in found
        ):
            found.append(candidate)
    return tuple(found)


def dst_problem(moment: datetime, zone: tzinfo) -> str | None:
    """Why a wall-clock time cannot be read without an offset, and what to type instead."""
    when, day = moment.strftime("%H:%M"), moment.strftime("%Y-%m-%d")
    choices = local_offsets(moment, zone)
    if len(choices) == 2:
        return f"{when} happens twice on {day}; add {offset_text(choices[0])} or {offset_text(choices[1])}"
    if not choices:
        # The wall clock an hour (the gap) later is the same instant read with the old offset.
        later = moment.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)
        return f"{when} does not exist on {day} (the clocks skip it); type {later.strftime('%H:%M')} instead"
    return None


def to_utc(moment: datetime, zone: tzinfo, field: str = "time") -> datetime:
    try:
        if moment.tzinfo is None:
            problem = dst_problem(moment, zone)
            if problem:
                raise ValidationError(f"{field}: {problem}", field)
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    except OverflowError:  # the UTC instant falls before year 1 or after 9999
        raise ValidationError(f"{field} {moment.isoformat()} is outside the years 1 to 9999", field) from None


def interval(start: datetime, end: datetime, *, max_duration: timedelta | None = MAX_DURATION) -> None:
    if end <= start:
        raise ValidationError("end must be after start", "end")
    if max_duration is not None and end - start >= max_duration:
        raise ValidationError("a booking must last less than 24 hours", "end")


def booking_times(start: datetime, end: datetime, now: datetime, days_back: int, days_ahead: int) -> None:
    """A booking's times: whole minutes, 5 minutes to 24 hours, within the team's booking window."""
    for moment, field in ((start, "start"), (end, "end")):
        if moment.second or moment.microsecond:
            raise ValidationError(f"{field} must be a whole minute (no seconds)", field)
    interval(start, end)
    if end - start < MIN_DURATION:
        raise ValidationError("a booking must last at least 5 minutes", "end")
    if start < now - timedelta(days=days_back):
        raise ValidationError(
            f"start is more than {days_back} day(s) in the past (the team's booking window)", "start"
        )
    if start > now + timedelta(days=days_ahead):
        raise ValidationError(
            f"start is more than {days_ahead} days ahead (the team's booking window)", "start"
        )
