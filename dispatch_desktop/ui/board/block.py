"""One booking on the board: a block sized by its time, coloured by its status, dragged to move it.

The block reads customer and time first, then the service, each line cut to the block's width
(the tooltip has everything); the week board's compact block puts both on one line. Markers are small chips along the block's right edge, one per
`Marker` in `markers(booking)`: a new marker is one more entry there.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

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
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from dispatch_desktop.services.display import phone_for_display
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
        hour_width: float | None,
        region: str,
        compact: bool = False,
    ):
        """`hour_width` None: the block is on no time axis (the week board), so a drop keeps its time."""
        super().__init__(rect)
        self.booking = booking
        self.draggable = draggable
        self.hour_width = hour_width
        self.markers = markers(booking)
        self._press: QPointF | None = None
        fill = status_fill(booking.status)
        self.setBrush(_fill_brush(booking.status))
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
                f"{booking.customer_name} · {phone_for_display(booking.customer_phone, region)}",
                booking.service,
                booking.address,
                *(marker.tip for marker in self.markers),
            )
        )
        (font, plain), (bold, strong) = _fonts()
        chips = sum(strong.horizontalAdvance(m.text) + 8 for m in self.markers)  # as paint() draws them
        first = f"{zone_label(booking.start)} {booking.customer_name}"
        if compact:
            # One line: the time and customer, then the service, the chips at the right end.
            room = max(0.0, rect.width() - 6 - chips)
            first = _elided(first, strong, room)
            used = strong.horizontalAdvance(first) + 6
            self.lines = [first, _elided(booking.service, plain, room - used)]
            offsets = [(0.0, 0.0), (used, 0.0)]
            self._chips_top = rect.top() + 2
        else:
            # The time and customer get the whole first line; the markers share the service's line,
            # so a 30-minute clash still reads "14:00 Tom…" rather than "14:0…".
            service_room = max(0.0, rect.width() - 6 - chips)
            self.lines = [
                _elided(first, strong, rect.width() - 6),
                _elided(booking.service, plain, service_room),
            ]
            offsets = [(0.0, 0.0), (0.0, strong.height())]
            self._chips_top = rect.top() + 2 + strong.height()
        colour = _text_brush(booking.status)
        left, top = rect.left() + 3, rect.top() + 2
        for text, line_font, (dx, dy) in zip(self.lines, (bold, font), offsets, strict=True):
            label = QGraphicsSimpleTextItem(text, self)
            label.setBrush(colour)
            label.setFont(line_font)
            label.setPos(left + dx, top + dy)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        super().paint(painter, option, widget)
        bold, metrics = _fonts()[1]
        painter.setFont(bold)
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
        seconds = None if self.hour_width is None else grab.x() / self.hour_width * 3600
        drag.setMimeData(booking_mime(self.booking.id, seconds))
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
        # The block as it is drawn, its lines and chips too, so the hand shows what it carries.
        self.scene().render(painter, QRectF(pixmap.rect()), self.mapRectToScene(self.rect()))
        painter.end()
        return pixmap


def block_under(view: QGraphicsView, point: QPoint) -> BookingBlock | None:
    """The block at a viewport point, also when the point is on one of its labels."""
    item = view.itemAt(point)
    while item is not None and not isinstance(item, BookingBlock):
        item = item.parentItem()
    return item


# A week draws thousands of blocks: their fonts and colours are made once, not once a block.


@cache
def _fonts() -> tuple[tuple[QFont, QFontMetricsF], tuple[QFont, QFontMetricsF]]:
    """The blocks' font and its bold, each with its metrics."""
    font = QFont()
    font.setPointSizeF(8.5)
    bold = QFont(font)
    bold.setBold(True)
    return (font, QFontMetricsF(font)), (bold, QFontMetricsF(bold))


@cache
def _fill_brush(status: str) -> QBrush:
    return QBrush(status_fill(status))


@cache
def _text_brush(status: str) -> QBrush:
    return QBrush(text_on(status_fill(status)))


def _elided(text: str, metrics: QFontMetricsF, width: float) -> str:
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0.0, width))
