"""What the bookings table holds: its columns, one computed row per booking, the id array, the loads."""

import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QCoreApplication,
)
from PySide6.QtGui import QColor

from dispatch_desktop.domain.statuses import NOT_STARTED_STATUSES
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import bookings
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.labels import (
    RESCHEDULE_MARK,
    not_reached_tip,
    reschedule_note,
    status_label,
)
from dispatch_desktop.ui.kit.plain import plain_tip
from dispatch_desktop.ui.kit.style import status_colour


@dataclass(frozen=True)
class Column:
    key: str  # also the BookingQuery.sort key
    title: str


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingsModel", text)


def columns() -> tuple[Column, ...]:
    return (
        Column("reference", tr("Reference")),
        Column("start", tr("Start")),
        Column("customer", tr("Customer")),
        Column("phone", tr("Phone")),
        Column("address", tr("Address")),
        Column("service", tr("Service")),
        Column("agent", tr("Agent")),
        Column("status", tr("Status")),
        Column("source", tr("Source")),
    )


def is_overdue(view: BookingView, now: datetime | None = None) -> bool:
    """Start has passed and nothing has happened yet."""
    return view.status in NOT_STARTED_STATUSES and view.start <= (now or datetime.now(UTC))


class RowLook(NamedTuple):
    """What a row's cells show: its texts, the status colour and the two tooltips."""

    texts: tuple[str, ...]
    colour: QColor
    overdue_tip: str
    status_tip: str | None


def row_look(view: BookingView, texts: tuple[str, ...]) -> RowLook:
    overdue_tip = tr("Start time has passed and the booking is still {0}").format(status_label(view.status))
    cancelled = tr("Cancelled: {0}").format(view.cancel_reason) if view.cancel_reason else ""
    asks = f"{RESCHEDULE_MARK} {reschedule_note()}" if view.reschedule_requested_at is not None else ""
    status_tip = plain_tip("\n".join(filter(None, (cancelled, asks, not_reached_tip(view))))) or None
    return RowLook(texts, status_colour(view.status), overdue_tip, status_tip)


class TableRow:
    """One booking as the table shows it; its look is computed when the row is first shown, since a
    page holds 200 rows and the view about 35 (formatting all of them took 40 ms of the UI thread)."""

    __slots__ = ("look", "overdue_at", "view")

    def __init__(self, view: BookingView) -> None:
        self.view = view
        # Overdue from this moment on (epoch seconds) while nothing has happened; None if never.
        self.overdue_at = view.start.timestamp() if view.status in NOT_STARTED_STATUSES else None
        self.look: RowLook | None = None

    def overdue(self) -> bool:
        return self.overdue_at is not None and self.overdue_at <= time.time()


class IdArray(array):
    """Booking ids in display order, 8 bytes each; equal to a list holding the same ids."""

    def __new__(cls, values: Any = ()) -> "IdArray":
        return super().__new__(cls, "q", values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list | tuple):
            return len(self) == len(other) and self.tolist() == list(other)
        return super().__eq__(other)

    __hash__ = None


def inserted_at(old: IdArray, new: IdArray) -> int | None:
    """Where `new` is `old` with one id inserted (a save), that row, for the model to insert one
    row rather than reset the view; else None. Slices compare in C."""
    if len(new) != len(old) + 1:
        return None
    low, high = 0, len(old)  # the common prefix is at least `low` and at most `high` long
    while low < high:
        middle = (low + high + 1) // 2
        if old[:middle] == new[:middle]:
            low = middle
        else:
            high = middle - 1
    return low if old[low:] == new[low + 1 :] else None


def load_ids(
    ctx: ServiceContext, query: BookingQuery, stop: Callable[[], bool]
) -> tuple[IdArray, TeamSettings]:
    """On the worker: the ids, streamed into an array (no list, no row dict), and the settings."""
    return IdArray(bookings.booking_id_array(ctx, query, stop)), ctx.team_settings()


def load_first_page(
    ctx: ServiceContext, query: BookingQuery, page_size: int
) -> tuple[list[BookingView], bool, TeamSettings]:
    """On the worker: the query's first page of rows themselves, and whether that is all of them."""
    views, complete = bookings.first_page(ctx, query, page_size)
    return views, complete, ctx.team_settings()
