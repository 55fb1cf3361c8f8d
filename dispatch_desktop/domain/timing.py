"""When a notice may go: reminder offsets, quiet hours in the recipient's zone, and their settings text.

Pure rules: the services decide which notices these apply to (customer texts, reminders) and
write the rows' status and due time from the answers.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezones

from dispatch_desktop.domain.errors import ValidationError

OFF = "off"
DEFAULT_REMINDERS = "24h"
DEFAULT_QUIET_HOURS = "21:00-08:00"
DEFAULT_CUSTOMER_HOLD_SECONDS = 60
MAX_OFFSET = timedelta(days=30)
_OFFSET = re.compile(r"([0-9]{1,5})([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def offset_text(offset: timedelta) -> str:
    """`24h`, `90m`, `45s`: the largest whole unit of hours, minutes or seconds (the settings' spelling)."""
    seconds = int(offset.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_reminders(value: str) -> tuple[timedelta, ...]:
    """`24h,2h,90m` (or `off`) as offsets before a booking's start, largest first, each once."""
    text = value.strip().lower()
    if text == OFF:
        return ()
    offsets: set[timedelta] = set()
    for part in (piece.strip() for piece in text.split(",")):
        match = _OFFSET.fullmatch(part)
        if match is None:
            raise ValidationError(
                f"reminders: {part!r} is not an offset like 24h, 2h, 90m or 30s (a list, or 'off')",
                "reminders",
            )
        offset = timedelta(**{_UNITS[match[2]]: int(match[1])})
        if not timedelta(0) < offset <= MAX_OFFSET:
            raise ValidationError(f"reminders: {part} must be more than 0 and at most 30d", "reminders")
        offsets.add(offset)
    return tuple(sorted(offsets, reverse=True))


def reminders_text(offsets: tuple[timedelta, ...]) -> str:
    return ",".join(offset_text(offset) for offset in offsets) if offsets else OFF


@dataclass(frozen=True)
class QuietHours:
    """A nightly window of local wall-clock time, e.g. 21:00 to 08:00 the next morning."""

    start: time
    end: time

    @classmethod
    def parse(cls, value: str) -> "QuietHours | None":
        """`HH:MM-HH:MM`, or None for `off`."""
        text = value.strip().lower()
        if text == OFF:
            return None
        start, sep, end = text.partition("-")
        found = [_CLOCK.fullmatch(part.strip()) for part in (start, end)]
        if not sep or found[0] is None or found[1] is None or start.strip() == end.strip():
            raise ValidationError(
                f"quiet hours: {value.strip()!r} is not a window like 21:00-08:00 (or 'off')", "quiet_hours"
            )
        (a, b) = (time(int(m[1]), int(m[2])) for m in found if m is not None)
        return cls(a, b)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def ends_after(self, moment: datetime, zone: tzinfo) -> datetime | None:
        """When the window `moment` falls in ends (an aware datetime), or None if it is outside."""
        local = moment.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        overnight = self.start > self.end
        inside = (clock >= self.start or clock < self.end) if overnight else self.start <= clock < self.end
        if not inside:
            return None
        day = local.date() + timedelta(days=1) if overnight and clock >= self.start else local.date()
        return datetime.combine(day, self.end, zone).astimezone(moment.tzinfo)


def recipient_zone(phone: str | None, team_zone: tzinfo) -> tzinfo:
    """The phone number's zone when it maps to exactly one, else the team's."""
    if phone:
        try:
            zones = phone_timezones.time_zones_for_number(phonenumbers.parse(phone, None))
        except phonenumbers.NumberParseException:
            zones = ()
        if len(zones) == 1:
            try:
                return ZoneInfo(zones[0])
            except (ZoneInfoNotFoundError, ValueError):
                pass
    return team_zone
