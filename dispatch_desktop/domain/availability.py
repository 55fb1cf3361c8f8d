"""Agents' weekly working hours and skills: does a booking fit them, and the warnings if not.

Hours are wall-clock spans per weekday in the team's zone ("mon-fri 08:00-17:00,sat 09:00-13:00"),
several a day allowed, none a day off; an agent whose hours were never set works any time (so an
upgrade warns about nothing), and the console suggests the team's working day, Monday to Friday,
for a new agent. A booking is compared in wall-clock time after converting
its UTC instants to the zone, so a DST day's span is as long as the clocks say.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from itertools import pairwise

from dispatch_desktop.domain.errors import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WORKING_WEEK = range(5)  # Monday to Friday: what the console suggests for a new agent
SKILL_MAX = 40

_DAYS = re.compile(r"^([a-z]{3})(?:-([a-z]{3}))?$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_SKILL = re.compile(r"^[a-z0-9][a-z0-9 _-]*$")


@dataclass(frozen=True, order=True)
class Span:
    weekday: int  # 0 is Monday
    starts: time
    ends: time

    @classmethod
    def stored(cls, weekday: int, starts: str, ends: str) -> "Span":
        """A span as the agent_hours table keeps it ("HH:MM")."""
        return cls(weekday, time.fromisoformat(starts), time.fromisoformat(ends))

    def covers(self, start: time, end: time) -> bool:
        return self.starts <= start and end <= self.ends


def _clock(text: str) -> time:
    match = _CLOCK.match(text)
    if match is None:
        raise ValidationError(f"hours: {text!r} is not a time (type HH:MM, e.g. 08:00)", "hours")
    return time(int(match.group(1)), int(match.group(2)))


def _weekdays(text: str) -> range:
    match = _DAYS.match(text)
    names = [name for name in (match.groups() if match else ()) if name]
    if not names or any(name not in WEEKDAYS for name in names):
        raise ValidationError(
            f"hours: {text!r} is not a weekday or range (use {', '.join(WEEKDAYS)}, e.g. mon-fri)", "hours"
        )
    first, last = WEEKDAYS.index(names[0]), WEEKDAYS.index(names[-1])
    if last < first:
        raise ValidationError(f"hours: {text!r} runs backwards: write the days Monday first", "hours")
    return range(first, last + 1)


def parse_hours(text: str) -> tuple[Span, ...]:
    """'mon-fri 08:00-17:00,sat 09:00-13:00' as spans, sorted; overlaps and empty weeks refused."""
    spans: list[Span] = []
    for part in (piece.strip().lower() for piece in text.split(",")):
        days, _, clocks = part.partition(" ")
        start_text, dash, end_text = clocks.strip().partition("-")
        if not part or not dash:
            raise ValidationError(
                f"hours: {part!r} is not DAYS HH:MM-HH:MM (e.g. 'mon-fri 08:00-17:00,sat 09:00-13:00')",
                "hours",
            )
        starts, ends = _clock(start_text.strip()), _clock(end_text.strip())
        if ends <= starts:
            raise ValidationError(f"hours: {part!r} ends before it starts", "hours")
        spans += [Span(day, starts, ends) for day in _weekdays(days)]
    spans.sort()
    for before, after in pairwise(spans):
        if before.weekday == after.weekday and after.starts < before.ends:
            raise ValidationError(f"hours: two spans overlap on {DAY_NAMES[before.weekday]}", "hours")
    return tuple(spans)


def team_hours(day_start_hour: int, day_end_hour: int) -> tuple[Span, ...]:
    """The team's working day, Monday to Friday: the console's suggestion for a new agent."""
    starts, ends = time(day_start_hour), time(day_end_hour) if day_end_hour < 24 else time(23, 59)
    return tuple(Span(day, starts, ends) for day in WORKING_WEEK)


def format_hours(spans: Iterable[Span]) -> str:
    """Spans as `parse_hours` reads them, runs of days with the same spans joined: 'mon-fri 08:00-17:00'."""
    by_day: dict[int, str] = {}
    for span in spans:
        clocks = f"{span.starts:%H:%M}-{span.ends:%H:%M}"
        by_day[span.weekday] = f"{by_day[span.weekday]} {clocks}" if span.weekday in by_day else clocks
    runs: list[tuple[int, int, str]] = []
    for day in sorted(by_day):
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == by_day[day]:
            runs[-1] = (runs[-1][0], day, by_day[day])
        else:
            runs.append((day, day, by_day[day]))
    parts = []
    for first, last, clocks in runs:
        days = WEEKDAYS[first] if first == last else f"{WEEKDAYS[first]}-{WEEKDAYS[last]}"
        parts += [f"{days} {one}" for one in clocks.split(" ")]
    return ",".join(parts)


def parse_skills(text: str) -> tuple[str, ...]:
    """'Boiler, electric' as ('boiler', 'electric'): lower case, sorted, each named once."""
    skills = {piece.strip().lower() for piece in text.split(",") if piece.strip()}
    for skill in skills:
        skill_name(skill)
    return tuple(sorted(skills))


def skill_name(text: str) -> str:
    skill = text.strip().lower()
    if not _SKILL.match(skill) or len(skill) > SKILL_MAX:
        raise ValidationError(
            f"skills: {text!r} is not a skill name (letters, digits, spaces, - and _, at most {SKILL_MAX})",
            "skills",
        )
    return skill


@dataclass(frozen=True)
class HoursMiss:
    """Why a booking is outside an agent's hours: their day off, or when they start or stop."""

    weekday: int
    starts: time | None = None  # the booking begins before the agent starts
    until: time | None = None  # the booking runs past when the agent stops

    def text(self, name: str) -> str:
        if self.starts is not None:
            return f"{name} starts at {self.starts:%H:%M}"
        if self.until is not None:
            return f"{name} works until {self.until:%H:%M}"
        return f"{name} does not work {DAY_NAMES[self.weekday]}s"

    def short(self) -> str:
        """For a list of agents: "off Sat", "from 08:00", "until 17:00"."""
        if self.starts is not None:
            return f"from {self.starts:%H:%M}"
        if self.until is not None:
            return f"until {self.until:%H:%M}"
        return f"off {DAY_NAMES[self.weekday][:3]}"


def hours_miss(
    spans: Sequence[Span] | None, start: datetime, end: datetime, zone: tzinfo
) -> HoursMiss | None:
    """How start–end (aware instants) is outside the spans, or None when inside (always None for
    `spans` None: hours never set)."""
    if spans is None:
        return None
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    weekday = local_start.weekday()
    today = [span for span in spans if span.weekday == weekday]
    if not today:
        return HoursMiss(weekday)
    begins = local_start.time()
    finishes = local_end.time() if local_end.date() == local_start.date() else time.max
    if any(span.covers(begins, finishes) for span in today):
        return None
    current = next((span for span in today if span.starts <= begins < span.ends), None)
    if current is not None:
        return HoursMiss(weekday, until=current.ends)
    later = next((span for span in today if span.starts > begins), None)
    if later is not None:
        return HoursMiss(weekday, starts=later.starts)
    return HoursMiss(weekday, until=today[-1].ends)


def off_hours(
    spans: Sequence[Span] | None, start: datetime, end: datetime, zone: tzinfo
) -> list[tuple[datetime, datetime]]:
    """The parts of start–end (aware instants) outside the spans, oldest first, in UTC: what the
    board greys. None (hours never set) has none."""
    if spans is None:
        return []
    working: list[tuple[datetime, datetime]] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        for span in (s for s in spans if s.weekday == day.weekday()):
            opens = datetime.combine(day, span.starts, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, span.ends, tzinfo=zone).astimezone(UTC)
            working.append((opens, closes))
        day += timedelta(days=1)
    off, cursor = [], start.astimezone(UTC)
    for opens, closes in sorted(working):
        if opens > cursor:
            off.append((cursor, min(opens, end)))
        cursor = max(cursor, closes)
        if cursor >= end:
            break
    if cursor < end:
        off.append((cursor, end.astimezone(UTC)))
    return [(a, b) for a, b in off if a < b]


def missing_skill(skills: Iterable[str], required: str | None) -> str | None:
    """The service's skill when the agent lacks it; None when it needs none or they have it."""
    return None if required is None or required in skills else required


def skill_warning(name: str, skill: str) -> str:
    return f"{name} lacks skill '{skill}'"


def skill_short(required: str) -> str:
    return f"no {required} skill"


def override_summary(name: str, hours_warned: bool, missing_skill: str | None) -> str:
    """What an override booked, for the audit: "outside Ann Field's hours", "Ann Field without
    skill 'boiler'", both: "outside Ann Field's hours and without skill 'boiler'"; "" for nothing."""
    skill = f"without skill '{missing_skill}'" if missing_skill is not None else ""
    if hours_warned:
        return f"outside {name}'s hours" + (f" and {skill}" if skill else "")
    return f"{name} {skill}" if skill else ""
