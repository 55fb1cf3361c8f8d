"""One booking on the board: a block sized by its time, coloured by its status, dragged to move it."""

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDrag,
    QFont,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
)

from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.board.scene import (
    HOUR_WIDTH,
    booking_mime,
)
from dispatch_desktop.ui.bookings.labels import (
    RESCHEDULE_MARK,
    not_reached_marker,
    not_reached_tip,
    reschedule_note,
)
from dispatch_desktop.ui.kit.plain import rich_tip
from dispatch_desktop.ui.kit.style import status_fill, text_on


class BookingBlock(QGraphicsRectItem):
    """One booking on an agent's row. Drag it to assign or reschedule; double-click to open it."""

    def __init__(
        self, booking: BookingView, rect: QRectF, zone_label: Callable[[datetime], str], draggable: bool
    ):
        super().__init__(rect)
        self.booking = booking
        self.draggable = draggable
        self._press: QPointF | None = None
        fill = status_fill(booking.status)
        self.setBrush(QBrush(fill))
        # A booking whose messages did not reach someone has a red frame and says so first.
        self.setPen(QPen(QColor("#c62828"), 3) if booking.unreached else QPen(fill.darker(140), 1))
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        if draggable:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        times = f"{zone_label(booking.start)}–{zone_label(booking.end)}"
        asks = booking.reschedule_requested_at is not None
        self.setToolTip(
            rich_tip(
                f"{booking.reference} · {booking.status.replace('_', ' ')}",
                times,
                f"{booking.customer_name} · {booking.customer_phone}",
                booking.service,
                booking.address,
                *([f"{RESCHEDULE_MARK} {reschedule_note()}"] if asks else []),
                *not_reached_tip(booking).splitlines(),
            )
        )
        marks = " ".join(filter(None, (RESCHEDULE_MARK if asks else "", not_reached_marker(booking).strip())))
        first = f"{marks} · {booking.customer_name}" if marks else booking.customer_name
        label = QGraphicsSimpleTextItem(f"{first}\n{times} · {booking.service}", self)
        label.setBrush(QBrush(text_on(fill)))
        font = QFont()
        font.setPointSizeF(8.5)
        label.setFont(font)
        label.setPos(rect.left() + 4, rect.top() + 3)
        # Clip the label to the block so short bookings stay tidy.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.draggable and event.button() == Qt.MouseButton.LeftButton:
            self._press = event.scenePos()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._press is None:
            return
        if (event.scenePos() - self._press).manhattanLength() < QApplication.startDragDistance():
            return
        grab_seconds = (self._press.x() - self.rect().left()) / HOUR_WIDTH * 3600
        self._press = None
        drag = QDrag(event.widget())
        drag.setMimeData(booking_mime(self.booking.id, grab_seconds))
        drag.setPixmap(self._pixmap())
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def _pixmap(self) -> QPixmap:
        size = self.rect().size().toSize()
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setOpacity(0.8)
        painter.fillRect(pixmap.rect(), self.brush())
        painter.end()
        return pixmap
