"""One booking on the board: a block sized by its time, coloured by its status, dragged to move it.

The block reads customer and time first, then the service, each line cut to the block's width
(the tooltip has everything). Markers are small chips along the block's right edge, one per
`Marker` in `markers(booking)`: a new marker is one more entry there.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QDrag,
    QFont,
    QFontMetricsF,
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
    QStyleOptionGraphicsItem,
    QWidget,
)

from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.board.scene import booking_mime
from dispatch_desktop.ui.bookings.labels import RESCHEDULE_MARK, not_reached_tip, reschedule_note
from dispatch_desktop.ui.kit.plain import rich_tip
from dispatch_desktop.ui.kit.style import status_fill, text_on

CLASH_RED = QColor("#d32f2f")  # the bookings table marks the same clash in the same red
ASKS_BLUE = QColor("#1565c0")


@dataclass(frozen=True)
class Marker:
    """A chip on a block: a short word, its colour, and the sentence the tooltip adds."""

    text: str
    colour: QColor
    tip: str


def markers(booking: BookingView) -> list[Marker]:
    """What a block flags beyond its status, in the order the chips are drawn (right to left)."""
    found: list[Marker] = []
    if booking.needs_reassignment:
        found.append(
            Marker("⚠ off", CLASH_RED, f"{booking.agent_name} has approved time off then: reassign it")
        )
    if booking.unreached:
        found.append(Marker("⚠ not reached", CLASH_RED, not_reached_tip(booking)))
    if booking.reschedule_requested_at is not None:
        found.append(Marker(RESCHEDULE_MARK, ASKS_BLUE, f"{RESCHEDULE_MARK} {reschedule_note()}"))
    return found


class BookingBlock(QGraphicsRectItem):
    """One booking on an agent's row. Drag it to assign or reschedule; double-click to open it."""

    def __init__(
        self,
        booking: BookingView,
        rect: QRectF,
        zone_label: Callable[[datetime], str],
        draggable: bool,
        hour_width: float,
    ):
        super().__init__(rect)
        self.booking = booking
        self.draggable = draggable
        self.hour_width = hour_width
        self.markers = markers(booking)
        self._press: QPointF | None = None
        fill = status_fill(booking.status)
        self.setBrush(QBrush(fill))
        outline = CLASH_RED if self.markers else fill.darker(140)
        self.setPen(QPen(outline, 2 if self.markers else 1))
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        if draggable:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        times = f"{zone_label(booking.start)}–{zone_label(booking.end)}"
        self.setToolTip(
            rich_tip(
                f"{booking.reference} · {booking.status.replace('_', ' ')}",
                times,
                f"{booking.customer_name} · {booking.customer_phone}",
                booking.service,
                booking.address,
                *(marker.tip for marker in self.markers),
            )
        )
        font = QFont()
        font.setPointSizeF(8.5)
        bold = QFont(font)
        bold.setBold(True)
        # The time and customer get the whole first line; the markers share the service's line, so a
        # 30-minute clash still reads "14:00 Tom…" rather than "14:0…".
        first = f"{zone_label(booking.start)} {booking.customer_name}"
        room = max(0.0, rect.width() - 6 - self._chips_width(font))
        self.lines = [_elided(first, bold, rect.width() - 6), _elided(booking.service, font, room)]
        self._chips_top = rect.top() + 2 + QFontMetricsF(bold).height()
        colour = QBrush(text_on(fill))
        top = rect.top() + 2
        for text, line_font in zip(self.lines, (bold, font), strict=True):
            label = QGraphicsSimpleTextItem(text, self)
            label.setBrush(colour)
            label.setFont(line_font)
            label.setPos(rect.left() + 3, top)
            top += QFontMetricsF(line_font).height()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)

    def _chips_width(self, font: QFont) -> float:
        metrics = QFontMetricsF(font)
        return sum(metrics.horizontalAdvance(m.text) + 8 for m in self.markers)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        super().paint(painter, option, widget)
        font = QFont()
        font.setPointSizeF(8.5)
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        right = self.rect().right() - 2
        for marker in self.markers:
            width = metrics.horizontalAdvance(marker.text) + 6
            chip = QRectF(right - width, self._chips_top, width, metrics.height())
            painter.fillRect(chip, marker.colour)
            painter.setPen(text_on(marker.colour))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, marker.text)
            right -= width + 2

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
        grab = self._press - self.rect().topLeft()
        self._press = None
        drag = QDrag(event.widget())
        drag.setMimeData(booking_mime(self.booking.id, grab.x() / self.hour_width * 3600))
        drag.setPixmap(self._pixmap())
        # The picture stays under the cursor where the block was grabbed, so it lands where it shows.
        drag.setHotSpot(QPoint(int(grab.x()), int(grab.y())))
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


def _elided(text: str, font: QFont, width: float) -> str:
    return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, max(0.0, width))
