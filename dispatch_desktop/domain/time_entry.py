"""What a call-taker types into a date or a time field, read as a date or a time of day.

Dates: `t` (today), `+1` (tomorrow), `+N` (N days on), `2026-12-03`, `12/3` (month/day, this
year or the next when that day has passed). Times: `10` (10:00), `10:30`, `1030`, `2p` or `2pm`
(14:00), `2:30p`, `12a` (00:00). Anything else is None: the field says what to type.
"""

import re
from datetime import date, datetime, time, timedelta

QUARTER = 15

_DAYS_ON = re.compile(r"\+(\d{1,3})")
_ISO = re.compile(r"(?:[a-z]{3},?\s+)?(\d{4})-(\d{1,2})-(\d{1,2})")  # also as shown: "Tue 2026-12-01"
_MONTH_DAY = re.compile(r"(\d{1,2})/(\d{1,2})")
_TIME = re.compile(r"(\d{1,2})(?::?(\d{2}))?\s*([ap])?m?")


def parse_date(text: str, today: date) -> date | None:
    """The date a typed shortcut names, or None."""
    typed = text.strip().lower()
    if typed in ("t", "today"):
        return today
    if match := _DAYS_ON.fullmatch(typed):
        return today + timedelta(days=int(match.group(1)))
    try:
        if match := _ISO.fullmatch(typed):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _MONTH_DAY.fullmatch(typed):
            month, day = int(match.group(1)), int(match.group(2))
            this_year = date(today.year, month, day) if (month, day) != (2, 29) else None
            if this_year is not None and this_year >= today:
                return this_year
            return _next_year_day(today.year + 1, month, day)
    except ValueError:
        return None
    return None


def _next_year_day(year: int, month: int, day: int) -> date:
    """The first month/day on or after `year` (29 February waits for a leap year)."""
    for candidate in range(year, year + 8):
        try:
            return date(candidate, month, day)
        except ValueError:
            continue
    raise ValueError(f"no {month}/{day} in any year")


def parse_time(text: str) -> time | None:
    """The time of day a typed shortcut names, or None."""
    match = _TIME.fullmatch(text.strip().lower())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = match.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def next_quarter_hour(now: datetime) -> datetime:
    """The first quarter hour still ahead of `now`: the start both booking forms suggest."""
    return now.replace(second=0, microsecond=0) + timedelta(minutes=QUARTER - now.minute % QUARTER)


def date_text(day: date) -> str:
    """How a date field shows its date once read."""
    return day.strftime("%a %Y-%m-%d")


def time_text(clock: time) -> str:
    """How a time field shows its time once read."""
    return clock.strftime("%H:%M")
