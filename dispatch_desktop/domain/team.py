"""Team-wide settings shared by every workstation."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dispatch_desktop.domain import timing
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.language import ENGLISH
from dispatch_desktop.domain.timing import QuietHours

# What a team gets until a supervisor changes it (`settings set`).
DEFAULT_REGION = "US"
DEFAULT_SMS_PER_RECIPIENT_PER_DAY = 20
DEFAULT_SMS_PER_OPERATOR_PER_HOUR = 200
DEFAULT_BOOKING_DAYS_BACK = 1
DEFAULT_BOOKING_DAYS_AHEAD = 730
DEFAULT_DAY_START_HOUR = 7  # the team's working day, where the board opens
DEFAULT_DAY_END_HOUR = 19

# Keys of the settings table.
TIMEZONE_KEY = "business_timezone"
REGION_KEY = "default_region"
SMS_COUNTRIES_KEY = "sms_countries"
SMS_PER_RECIPIENT_KEY = "sms_per_recipient_per_day"
SMS_PER_OPERATOR_KEY = "sms_per_operator_per_hour"
DAYS_BACK_KEY = "booking_days_back"
DAYS_AHEAD_KEY = "booking_days_ahead"
TWO_WAY_SMS_KEY = "two_way_sms"
# How a yes/no setting is stored.
ON, OFF = "on", "off"
REMINDERS_KEY = "reminders"
QUIET_HOURS_KEY = "quiet_hours"
CUSTOMER_HOLD_KEY = "customer_hold_seconds"

_DEFAULT_REMINDERS = timing.parse_reminders(timing.DEFAULT_REMINDERS)
_DEFAULT_QUIET_HOURS = QuietHours.parse(timing.DEFAULT_QUIET_HOURS)
COMPANY_NAME_KEY = "company_name"
COMPANY_PHONE_KEY = "company_phone"
# Set once the team has had an operator: the fresh-install bootstrap never reopens after that.
HAD_OPERATORS_KEY = "had_operators"
DAY_START_KEY = "day_start_hour"
DAY_END_KEY = "day_end_hour"
LANGUAGE_KEY = "language"  # the messages' language of staff, and of customers with none of their own
WEEK_START_KEY = "week_start"
# The first day of the board's week, as stored and typed (`settings set --week-start`).
MONDAY, SUNDAY = "mon", "sun"
WEEK_STARTS = {MONDAY: "Monday", SUNDAY: "Sunday"}


def week_start_word(value: str) -> str:
    """`mon` or `sun` (any case, or the day's whole name), else one line saying what to type."""
    typed = value.strip().lower()
    for word, day in WEEK_STARTS.items():
        if typed in (word, day.lower()):
            return word
    raise ValidationError("week start must be mon or sun")


@dataclass(frozen=True)
class TeamSettings:
    timezone_name: str
    region: str
    sms_countries: tuple[str, ...] = ()  # empty: the team's region only
    sms_per_recipient_per_day: int = DEFAULT_SMS_PER_RECIPIENT_PER_DAY
    sms_per_operator_per_hour: int = DEFAULT_SMS_PER_OPERATOR_PER_HOUR
    booking_days_back: int = DEFAULT_BOOKING_DAYS_BACK
    booking_days_ahead: int = DEFAULT_BOOKING_DAYS_AHEAD
    reminders: tuple[timedelta, ...] = _DEFAULT_REMINDERS  # before a booking's start; () is off
    quiet_hours: QuietHours | None = _DEFAULT_QUIET_HOURS  # None is off
    customer_hold_seconds: int = timing.DEFAULT_CUSTOMER_HOLD_SECONDS  # 0 is off
    # Customers and agents may text keywords (C, R, 1, 2, 3); STOP/START/HELP act regardless.
    two_way_sms: bool = False
    company_name: str | None = None  # None: customer texts carry no company name (the seed's texts)
    company_phone: str | None = None  # E.164
    day_start_hour: int = DEFAULT_DAY_START_HOUR
    day_end_hour: int = DEFAULT_DAY_END_HOUR
    language: str = ENGLISH
    week_start: str = MONDAY  # MONDAY or SUNDAY: the first day of the board's week

    @classmethod
    def from_stored(cls, stored: Mapping[str, str], fallback_timezone: str) -> "TeamSettings":
        """The settings table's rows; a missing or unreadable number keeps its default."""

        def number(key: str, default: int) -> int:
            try:
                return int(stored.get(key) or default)
            except ValueError:
                return default

        def reminders() -> tuple[timedelta, ...]:
            try:
                return timing.parse_reminders(stored.get(REMINDERS_KEY) or timing.DEFAULT_REMINDERS)
            except ValidationError:
                return _DEFAULT_REMINDERS

        def quiet_hours() -> QuietHours | None:
            try:
                return QuietHours.parse(stored.get(QUIET_HOURS_KEY) or timing.DEFAULT_QUIET_HOURS)
            except ValidationError:
                return _DEFAULT_QUIET_HOURS

        countries = tuple(code for code in (stored.get(SMS_COUNTRIES_KEY) or "").split(",") if code)
        return cls(
            timezone_name=stored.get(TIMEZONE_KEY) or fallback_timezone,
            region=stored.get(REGION_KEY) or DEFAULT_REGION,
            sms_countries=countries,
            sms_per_recipient_per_day=number(SMS_PER_RECIPIENT_KEY, DEFAULT_SMS_PER_RECIPIENT_PER_DAY),
            sms_per_operator_per_hour=number(SMS_PER_OPERATOR_KEY, DEFAULT_SMS_PER_OPERATOR_PER_HOUR),
            booking_days_back=number(DAYS_BACK_KEY, DEFAULT_BOOKING_DAYS_BACK),
            booking_days_ahead=number(DAYS_AHEAD_KEY, DEFAULT_BOOKING_DAYS_AHEAD),
            two_way_sms=stored.get(TWO_WAY_SMS_KEY) == ON,
            reminders=reminders(),
            quiet_hours=quiet_hours(),
            customer_hold_seconds=number(CUSTOMER_HOLD_KEY, timing.DEFAULT_CUSTOMER_HOLD_SECONDS),
            company_name=stored.get(COMPANY_NAME_KEY) or None,
            company_phone=stored.get(COMPANY_PHONE_KEY) or None,
            day_start_hour=number(DAY_START_KEY, DEFAULT_DAY_START_HOUR),
            day_end_hour=number(DAY_END_KEY, DEFAULT_DAY_END_HOUR),
            language=stored.get(LANGUAGE_KEY) or ENGLISH,
            week_start=SUNDAY if stored.get(WEEK_START_KEY) == SUNDAY else MONDAY,
        )

    def first_day_of_week(self, day: date) -> date:
        """The first day of the week holding `day`: its Monday, or its Sunday when weeks start then."""
        back = (day.weekday() + (1 if self.week_start == SUNDAY else 0)) % 7
        return day - timedelta(days=back)

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone_name)

    @property
    def texted_countries(self) -> tuple[str, ...]:
        """Regions whose numbers may be texted."""
        return self.sms_countries or (self.region,)

    def local(self, moment: datetime) -> str:
        return self.local_in(moment, self.zone)

    @staticmethod
    def local_in(moment: datetime, zone: tzinfo) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    def clock(self, moment: datetime, now: datetime) -> str:
        """A moment seconds away, as a hold's end: `14:03:10` on `now`'s day, else `2026-12-02 08:00:00`."""
        local = moment.astimezone(self.zone)
        same_day = local.date() == now.astimezone(self.zone).date()
        return f"{local:%H:%M:%S}" if same_day else f"{local:%Y-%m-%d %H:%M:%S}"


def booking_reference(booking_id: int) -> str:
    return f"BK-{booking_id:06d}"


_REFERENCE = re.compile(r"^\s*(?:BK-?)?0*(\d{1,12})\s*$", re.IGNORECASE)


def parse_booking_reference(text: str) -> int | None:
    """The id in what a person types for a booking: BK-000123, bk123 or 123; None for anything else."""
    match = _REFERENCE.match(text)
    return int(match.group(1)) if match else None
