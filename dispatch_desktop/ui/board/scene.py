"""The board's vocabulary: sizes, where a time or an agent is on it, the drag payload (status colours
are ui/kit/style.py's, shared with the table)."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCore import QByteArray, QMimeData
from PySide6.QtGui import (
    QColor,
)

BOOKING_MIME = "application/x-dispatch-booking"
HOUR_WIDTH = 84.0  # an hour's width where nothing else decides it
MIN_HOUR_WIDTH, MAX_HOUR_WIDTH = 24.0, 1200.0
ROW_HEIGHT = 46.0
NAME_WIDTH = 160.0
HEADER_HEIGHT = 28.0
SNAP = timedelta(minutes=15)
FIRST_VISIBLE_HOUR = 7

NOW_COLOR = QColor("#e53935")


@dataclass(frozen=True)
class DragPayload:
    """What is dragged: a booking, and where on its block it was grabbed (None: from the tray,
    which has no time axis, so the drop keeps the booked time), and the week's day it was picked
    up from (a booking over several days moves by the days its dragged piece moved)."""

    booking_id: int
    grab_seconds: float | None = None
    from_day: date | None = None

    @property
    def keeps_time(self) -> bool:
        return self.grab_seconds is None


def booking_mime(
    booking_id: int, grab_seconds: float | None = None, from_day: date | None = None
) -> QMimeData:
    mime = QMimeData()
    day = None if from_day is None else from_day.isoformat()
    payload = json.dumps({"id": booking_id, "grab_seconds": grab_seconds, "from_day": day}).encode()
    mime.setData(BOOKING_MIME, QByteArray(payload))
    return mime


def read_booking_mime(mime: QMimeData) -> DragPayload | None:
    if not mime.hasFormat(BOOKING_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(BOOKING_MIME).data()).decode())
        grab, day = payload.get("grab_seconds"), payload.get("from_day")
        return DragPayload(
            int(payload["id"]),
            None if grab is None else float(grab),
            None if day is None else date.fromisoformat(day),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@dataclass(frozen=True)
class BoardGeometry:
    """Where things go on the board for one loaded day."""

    start: datetime
    end: datetime
    agent_ids: tuple[int, ...]
    hour_width: float = HOUR_WIDTH

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def width(self) -> float:
        return NAME_WIDTH + self.hours * self.hour_width

    @property
    def height(self) -> float:
        return HEADER_HEIGHT + max(1, len(self.agent_ids)) * ROW_HEIGHT

    def x_of(self, moment: datetime) -> float:
        return NAME_WIDTH + (moment - self.start).total_seconds() / 3600 * self.hour_width

    def y_of_row(self, row: int) -> float:
        return HEADER_HEIGHT + row * ROW_HEIGHT

    def time_at(self, x: float) -> datetime:
        hours = max(0.0, min(self.hours, (x - NAME_WIDTH) / self.hour_width))
        return self.start + timedelta(hours=hours)

    def agent_at(self, y: float) -> int | None:
        row = int((y - HEADER_HEIGHT) // ROW_HEIGHT)
        return self.agent_ids[row] if y >= HEADER_HEIGHT and 0 <= row < len(self.agent_ids) else None


def snap(moment: datetime, start_of_day: datetime) -> datetime:
    steps = round((moment - start_of_day) / SNAP)
    return start_of_day + steps * SNAP
