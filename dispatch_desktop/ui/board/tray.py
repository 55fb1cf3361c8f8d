"""The unassigned tray: pending bookings of the day with a search, a sort, each request's age,
overdue ones in red, and a count. Drag one onto an agent (its time stays); drop a block here to
unassign it.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.board.scene import BOOKING_MIME, booking_mime, read_booking_mime
from dispatch_desktop.ui.kit.plain import PlainLabel, plain_tip

OVERDUE_RED = QColor("#d32f2f")
BY_AGE, BY_START = "age", "start"


def age_text(since: datetime, now: datetime) -> str:
    """How long a request has waited, as a dispatcher says it: "5 min", "2 h 10 min", "3 d"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} d"


class UnassignedTray(QListWidget):
    """Pending bookings of the day. Drag one onto an agent; drop a block here to unassign it."""

    unassignRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setWordWrap(True)
        self.setSpacing(2)
        self.accepts_unassign = True

    def mimeTypes(self) -> list[str]:
        return [BOOKING_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        booking_id = items[0].data(Qt.ItemDataRole.UserRole) if items else 0
        return booking_mime(int(booking_id))  # no grab point: a drop keeps the booked time

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._accept_booking(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._accept_booking(event)

    def _accept_booking(self, event: QDragMoveEvent) -> None:
        if self.accepts_unassign and event.source() is not self and read_booking_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        payload = read_booking_mime(event.mimeData())
        if payload is None or event.source() is self:
            event.ignore()
            return
        event.acceptProposedAction()
        self.unassignRequested.emit(payload.booking_id)


class TrayPanel(QWidget):
    """The tray with its title (a count), search box and sort."""

    def __init__(self, title_font: QFont, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = PlainLabel(self.tr("Unassigned"))
        self.title.setFont(title_font)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search name, service, address…"))
        self.search.setClearButtonEnabled(True)
        self.sort = QComboBox()
        self.sort.addItem(self.tr("Waiting longest first"), BY_AGE)
        self.sort.addItem(self.tr("Earliest start first"), BY_START)
        self.tray = UnassignedTray()
        controls = QHBoxLayout()
        controls.addWidget(self.search, 1)
        controls.addWidget(self.sort)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(controls)
        layout.addWidget(self.tray)
        note = PlainLabel(hint)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.bookings: list[BookingView] = []
        self.label: Callable[[datetime], str] = lambda m: m.strftime("%H:%M")
        self.now: datetime | None = None
        self.region = "US"
        self.search.textChanged.connect(self._fill)
        self.sort.currentIndexChanged.connect(self._fill)

    def show_bookings(
        self, bookings: list[BookingView], label: Callable[[datetime], str], now: datetime, region: str
    ) -> None:
        self.bookings, self.label, self.now, self.region = bookings, label, now, region
        self._fill()

    def _fill(self) -> None:
        now = self.now
        words = self.search.text().strip().casefold().split()
        shown = [b for b in self.bookings if all(w in _haystack(b) for w in words)]
        if self.sort.currentData() == BY_START:
            shown.sort(key=lambda b: (b.start, b.id))
        else:
            shown.sort(key=lambda b: (b.created_at, b.id))
        self.tray.clear()
        for booking in shown:
            overdue = now is not None and booking.start <= now
            waited = age_text(booking.created_at, now) if now is not None else ""
            late = self.tr(" · OVERDUE") if overdue else ""
            item = QListWidgetItem(
                f"{self.label(booking.start)}–{self.label(booking.end)}  {booking.customer_name}\n"
                f"{booking.service} · {booking.address}\n"
                + self.tr("waiting %s") % waited
                + f" · {booking.reference}{late}"
            )
            item.setData(Qt.ItemDataRole.UserRole, booking.id)
            phone = phone_for_display(booking.customer_phone, self.region)
            item.setToolTip(plain_tip(f"{phone} · {booking.source}"))
            if overdue:
                item.setForeground(QBrush(OVERDUE_RED))
            self.tray.addItem(item)
        total = len(self.bookings)
        if len(shown) == total:
            self.title.setText(self.tr("Unassigned (%d)") % total)
        else:
            self.title.setText(self.tr("Unassigned (%d of %d)") % (len(shown), total))


def _haystack(booking: BookingView) -> str:
    return " ".join(
        (booking.customer_name, booking.service, booking.address, booking.reference, booking.customer_phone)
    ).casefold()
