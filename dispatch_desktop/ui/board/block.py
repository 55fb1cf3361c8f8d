"""One booking on the board: a block sized by its time, coloured by its status, dragged to move it.

The block reads customer and time first, then the service, each line cut to the part of the block
in sight (the tooltip has everything), painted from the sticky names' edge while the block is
scrolled partly under them; the week board's compact block puts both on one line. Markers are small chips along the block's right edge, one per
`Marker` in `markers(booking)`: a new marker is one more entry there.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
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
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.board.scene import NAME_WIDTH, booking_mime
from dispatch_desktop.ui.bookings.labels import RESCHEDULE_MARK, not_reached_tip, reschedule_note
from dispatch_desktop.ui.kit.plain import rich_tip
from dispatch_desktop.ui.kit.style import status_fill, text_on

CLASH_RED = QColor("#d32f2f")  # the bookings table marks the same clash in the same red
ASKS_BLUE = QColor("#1565c0")
LEGIBLE_SAMPLE = "00:00 Matthew"  # the time and a wide seven-letter first name: what a short job shows


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
        starts: str | None = None,
    ):
        """`hour_width` None: the block is on no time axis (the week board), so a drop keeps its time.
        `starts` reads before the customer instead of the start time ("cont." on a later day)."""
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
        # Painted once into a pixmap and blitted after: a scroll step repaints hundreds of blocks.
        # The view repaints the ones its sticky names' edge crosses (`BoardView.scrollContentsBy`).
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
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
        self.compact = compact
        self.day: date | None = None  # the week's day whose cell the block is in (None: the day board)
        self.texts = (f"{starts or zone_label(booking.start)} {booking.customer_name}", booking.service)
        self._cut: tuple[float, tuple[str, str]] | None = None  # the lines as last cut, and for what room

    @property
    def lines(self) -> list[str]:
        """The block's two lines as drawn now: cut to the part of the block in sight."""
        return list(self._lines(self.text_left())[1])

    def text_left(self) -> float:
        """Where the lines start: the block's left, or the edge of the sticky names when the block
        begins under them, so a block scrolled partly off still reads from its start."""
        left = self.rect().left() + 3
        scene = self.scene()
        views = scene.views() if scene is not None else []
        if views:
            left = max(left, views[0].mapToScene(0, 0).x() + NAME_WIDTH + 3)
        return left

    def _lines(self, left: float) -> tuple[float, tuple[str, str]]:
        """The lines cut to the room from `left`; kept while the room stays the same. On one line
        (the week) the chips end it; on two, the time and customer get the whole first line and the
        chips share the service's, so a 30-minute clash still reads "14:00 Tom…", not "14:0…"."""
        room = self.rect().right() - 3 - left
        if self._cut is not None and self._cut[0] == room:
            return self._cut
        (_font, plain), (_bold, strong) = _fonts()
        beside_chips = room - _chips_width(self.markers)
        if self.compact:
            first = _first_line(self.texts[0], strong, beside_chips)
            second = _elided(self.texts[1], plain, beside_chips - strong.horizontalAdvance(first) - 6)
        else:
            first = _first_line(self.texts[0], strong, room)
            second = _elided(self.texts[1], plain, beside_chips)
        self._cut = (room, (first, second))
        return self._cut

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        super().paint(painter, option, widget)
        (font, _plain), (bold, strong) = _fonts()
        rect = self.rect()
        left = self.text_left()
        first, second = self._lines(left)[1]
        painter.setPen(_text_brush(self.booking.status).color())
        painter.setFont(bold)
        baseline = rect.top() + 2 + strong.ascent()
        painter.drawText(QPointF(left, baseline), first)
        painter.setFont(font)
        if self.compact:
            painter.drawText(QPointF(left + strong.horizontalAdvance(first) + 6, baseline), second)
        else:
            painter.drawText(QPointF(left, baseline + strong.height()), second)
        painter.setFont(bold)
        chips_top = rect.top() + 2 + (0 if self.compact else strong.height())
        right = rect.right() - 2
        for marker in self.markers:
            width = strong.horizontalAdvance(marker.text) + 6
            chip = QRectF(right - width, chips_top, width, strong.height())
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
        drag.setMimeData(booking_mime(self.booking.id, seconds, self.day))
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


def legible_hour_width() -> float:
    """The narrowest hour at zoom 1: a 30-minute block shows its time and a first name of seven
    letters ("09:30 Matthew"), so a 300-booking day of half-hour jobs still reads."""
    strong = _fonts()[1][1]
    return 2 * (strong.horizontalAdvance(LEGIBLE_SAMPLE) + 8)


def block_under(view: QGraphicsView, point: QPoint) -> BookingBlock | None:
    """The block at a viewport point, also when the point is on an item drawn over it."""
    item = view.itemAt(point)
    while item is not None and not isinstance(item, BookingBlock):
        item = item.parentItem()
    return item


# A week draws thousands of blocks: their fonts and colours are made once, not once a block.


@cache
def _fonts() -> tuple[tuple[QFont, QFontMetricsF], tuple[QFont, QFontMetricsF]]:
    """The blocks' font and its bold, each with its metrics."""
    font = QFont()  # the console's own size: a smaller one was hard to read at 300 bookings a day
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


def _first_line(text: str, metrics: QFontMetricsF, width: float) -> str:
    """ "09:30 Maya Chen" in `width`: whole, else "09:30 Maya C.", else "09:30 Maya", else cut with "…"
    (the time and the first name are what a dispatcher reads a short job by)."""
    words = text.split()
    shorter = [text]
    if len(words) > 2:
        shorter += [f"{words[0]} {words[1]} {words[-1][0]}.", f"{words[0]} {words[1]}"]
    for candidate in shorter:
        if metrics.horizontalAdvance(candidate) <= width:
            return candidate
    return _elided(text, metrics, width)


def _chips_width(found: list[Marker]) -> float:
    strong = _fonts()[1][1]
    return sum(strong.horizontalAdvance(m.text) + 8 for m in found)
