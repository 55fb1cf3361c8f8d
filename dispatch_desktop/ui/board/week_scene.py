"""The week board's vocabulary: rows of agents (the Unassigned row first) by seven day columns, each
cell a stack of one-line blocks that ends in "+N more" when the day holds more than a cell shows."""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QLocale

from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.board.scene import HEADER_HEIGHT, NAME_WIDTH

LINE_HEIGHT = 19.0  # one compact block: "09:30 Maya Chen · Boiler service" and its chips
CELL_PADDING = 3.0
MAX_LINES = 8  # per cell; a ninth booking turns the last line into "+N more"
MIN_DAY_WIDTH = 150.0  # "09:30 Maya Ch…" still reads; the week scrolls sideways below that
UNASSIGNED_ROW = None  # the row key of bookings without an agent


@dataclass(frozen=True)
class WeekGeometry:
    """Where things go on the week board: `rows` are agent ids (None: Unassigned), `lines` the
    number of block lines each row is tall."""

    days: tuple[date, ...]
    rows: tuple[int | None, ...]
    lines: tuple[int, ...]
    day_width: float = MIN_DAY_WIDTH

    @property
    def width(self) -> float:
        return NAME_WIDTH + len(self.days) * self.day_width

    @property
    def height(self) -> float:
        return self.y_of_row(len(self.rows))

    def row_height(self, row: int) -> float:
        return self.lines[row] * LINE_HEIGHT + 2 * CELL_PADDING

    @cached_property
    def _tops(self) -> tuple[float, ...]:
        """Each row's top and, last, the bottom of the last row: summed once, read on every paint."""
        tops = [HEADER_HEIGHT]
        for row in range(len(self.rows)):
            tops.append(tops[-1] + self.row_height(row))
        return tuple(tops)

    def y_of_row(self, row: int) -> float:
        return self._tops[row]

    def x_of_day(self, column: int) -> float:
        return NAME_WIDTH + column * self.day_width

    def cell(self, row: int, column: int) -> tuple[float, float, float, float]:
        """left, top, width, height of a cell."""
        return self.x_of_day(column), self.y_of_row(row), self.day_width, self.row_height(row)

    def row_at(self, y: float) -> int | None:
        if y < HEADER_HEIGHT:
            return None
        row = bisect_right(self._tops, y) - 1
        return row if row < len(self.rows) else None

    def column_at(self, x: float) -> int | None:
        column = int((x - NAME_WIDTH) // self.day_width)
        return column if x >= NAME_WIDTH and 0 <= column < len(self.days) else None


def shown_in_cell(count: int) -> tuple[int, int]:
    """How many blocks a cell of `count` bookings draws, and how many the "+N more" line stands for."""
    if count <= MAX_LINES:
        return count, 0
    return MAX_LINES - 1, count - MAX_LINES + 1


def row_lines(
    placed: dict[tuple[int | None, int], list[BookingView]], rows: Sequence[int | None]
) -> tuple[int, ...]:
    """Each row as tall as its fullest day, at most a cell's lines (the last one "+N more")."""
    fullest = {key: 1 for key in rows}
    for (key, _column), day_bookings in placed.items():
        if key in fullest:
            fullest[key] = max(fullest[key], min(MAX_LINES, len(day_bookings)))
    return tuple(fullest[key] for key in rows)


def cells(
    bookings: Sequence[BookingView], days: Sequence[date], zone: ZoneInfo
) -> dict[tuple[int | None, int], list[BookingView]]:
    """(agent id or None, day column): that day's bookings by start. A booking sits on every day of
    the week it covers: an overnight job on both days, one begun before the week from Monday on."""
    placed: dict[tuple[int | None, int], list[BookingView]] = {}
    for booking in sorted(bookings, key=lambda b: (b.start, b.id)):
        first = booking.start.astimezone(zone).date()
        # A job ending at midnight is over before the next day starts.
        last = max(first, (booking.end - timedelta(microseconds=1)).astimezone(zone).date())
        for column, day in enumerate(days):
            if first <= day <= last:
                placed.setdefault((booking.agent_id, column), []).append(booking)
    return placed


def continued_label(booking: BookingView, day: date, zone: ZoneInfo) -> str | None:
    """What a block on `day` reads before the customer when the booking began on an earlier day:
    "cont." and the end on its last day ("cont.–02:00"); None on the day it starts."""
    if booking.start.astimezone(zone).date() == day:
        return None
    end = booking.end.astimezone(zone)
    return f"cont.–{end:%H:%M}" if end.date() == day else "cont."


def moved_start(booking: BookingView, day: date, zone: ZoneInfo) -> datetime | None:
    """The booking's start on `day` at the same local time of day (in UTC); None when it is that day."""
    local = booking.start.astimezone(zone)
    if local.date() == day:
        return None
    return datetime.combine(day, local.time(), tzinfo=zone).astimezone(UTC)


def day_label(day: date) -> str:
    """A day as the week's header names it, in the local format: "Mon 30 Nov"."""
    return QLocale().toString(QDate(day.year, day.month, day.day), "ddd d MMM")
