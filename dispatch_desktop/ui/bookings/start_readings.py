"""What a start typed in the booking form means in the team's time zone, around clock changes."""

from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QCoreApplication

from dispatch_desktop.domain import validation


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingForm", text)


def readings(typed: datetime, zone: tzinfo | None) -> tuple[datetime, ...]:
    """The instants a typed wall-clock start names: one, two (clocks go back) or none (skipped)."""
    return validation.local_offsets(typed, zone) if zone is not None else (typed,)


def booking_times(
    typed: datetime, minutes: int, zone: tzinfo | None, reading: int
) -> tuple[datetime, datetime]:
    """Start and end; once the zone is known they carry their offsets, so a booking across a clock
    change keeps its length, and a repeated hour means the `reading` (0 or 1) picked."""
    duration = timedelta(minutes=minutes)
    choices = readings(typed, zone)
    if zone is None or not choices:  # a skipped time: the service says what to type
        return typed, typed + duration
    start = choices[reading if len(choices) == 2 else 0]
    return start, (start.astimezone(UTC) + duration).astimezone(zone)


def reading_labels(choices: tuple[datetime, ...]) -> list[str]:
    """The two readings of a repeated time, as the form offers them."""
    return [
        tr("{0} {1} ({2}, the {3} time)").format(
            moment.strftime("%H:%M"), validation.offset_text(moment), moment.tzname(), when
        )
        for moment, when in zip(choices, (tr("first"), tr("second")), strict=True)
    ]


def start_problem(typed: datetime, zone: tzinfo) -> str:
    """Why the typed start needs a choice or another time; empty when it names one instant."""
    problem = validation.dst_problem(typed, zone)
    if problem and len(readings(typed, zone)) == 2:
        problem = tr("{0}: pick one below").format(problem.split(";")[0])
    return problem or ""
