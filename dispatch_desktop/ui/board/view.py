"""The dispatch board's drawing and drag and drop: the grid, the sticky header, drops and their preview.

BoardPage (ui/board/page.py) puts these together with day navigation and the moves themselves.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from dispatch_desktop.ui.board.block import block_under
from dispatch_desktop.ui.board.paint import Row, paint_row_bands, paint_row_lines, paint_sticky_names
from dispatch_desktop.ui.board.scene import (
    HEADER_HEIGHT,
    NAME_WIDTH,
    NOW_COLOR,
    ROW_HEIGHT,
    BoardGeometry,
    DragPayload,
    read_booking_mime,
    snap,
)


class BoardView(QGraphicsView):
    """Draws the grid, the sticky hour header and agent names, and the red "now" line; takes drops."""

    # booking id, agent id or None, new start (UTC), notify the customer (False: Shift was held)
    dropRequested = Signal(int, object, object, bool)
    bookingActivated = Signal(int)
    menuRequested = Signal(int, QPoint)  # booking id, global position
    zoomRequested = Signal(int)  # +1 in, -1 out (Ctrl+wheel)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setAcceptDrops(True)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.geometry_: BoardGeometry | None = None
        self.names: list[str] = []
        self.zone_label: Callable[[datetime], str] = lambda m: m.strftime("%H:%M")
        self.now: datetime | None = None
        self.drop_hint: QRectF | None = None
        self.preview = ""  # the drop preview in words: agent, new start and end
        self.times: dict[int, tuple[datetime, datetime]] = {}  # booking id: start, end (UTC)
        self.off_hours: list[QRectF] = []  # agents' hours off, greyed behind the blocks

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoomRequested.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if dx:
            # Blocks paint from a cached picture: those the sticky names' edge moved across repaint,
            # so their lines follow the edge (BookingBlock.text_left).
            visible = self.mapToScene(self.viewport().rect()).boundingRect()
            edge = visible.left() + NAME_WIDTH
            band = QRectF(edge - abs(dx) - 2, visible.top(), 2 * abs(dx) + 4, visible.height())
            for item in self.scene().items(band):
                item.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        block = block_under(self, event.position().toPoint())
        if block is not None:
            self.bookingActivated.emit(block.booking.id)
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        block = block_under(self, event.pos())
        if block is not None:
            self.menuRequested.emit(block.booking.id, event.globalPos())
            event.accept()
            return
        super().contextMenuEvent(event)

    # --- drawing ------------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        palette = self.palette()
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
        geometry = self.geometry_
        if geometry is None:
            return
        rows = self._day_rows(geometry)
        paint_row_bands(painter, palette, rows, geometry.width)
        off = palette.color(QPalette.ColorRole.Mid)
        off.setAlpha(100)
        for shaded in self.off_hours:
            painter.fillRect(shaded, off)
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(110)
        painter.setPen(QPen(grid, 1))
        hour = 0
        while hour <= geometry.hours:
            x = NAME_WIDTH + hour * geometry.hour_width
            painter.drawLine(QPointF(x, HEADER_HEIGHT), QPointF(x, geometry.height))
            hour += 1
        paint_row_lines(painter, rows, geometry.width)

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        geometry = self.geometry_
        if geometry is None:
            return
        palette = self.palette()
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if self.drop_hint is not None:
            highlight = palette.color(QPalette.ColorRole.Highlight)
            painter.setPen(QPen(highlight, 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.drop_hint)
            label = QRectF(self.drop_hint.left(), self.drop_hint.bottom() - 16, 260, 16)
            painter.fillRect(label, highlight)
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
            painter.drawText(label.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, self.preview)
        if self.now is not None and geometry.start <= self.now < geometry.end:
            x = geometry.x_of(self.now)
            painter.setPen(QPen(NOW_COLOR, 2))
            painter.drawLine(QPointF(x, HEADER_HEIGHT), QPointF(x, geometry.height))
        # Sticky hour header.
        header = QRectF(visible.left(), visible.top(), visible.width(), HEADER_HEIGHT)
        painter.fillRect(header, palette.color(QPalette.ColorRole.Button))
        painter.setPen(palette.color(QPalette.ColorRole.ButtonText))
        hour = 0
        while hour < geometry.hours:
            moment = geometry.start + timedelta(hours=hour)
            x = NAME_WIDTH + hour * geometry.hour_width
            painter.drawText(
                QRectF(x + 4, visible.top(), geometry.hour_width - 4, HEADER_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                self.zone_label(moment),
            )
            hour += 1
        if self.now is not None and geometry.start <= self.now < geometry.end:
            x = geometry.x_of(self.now)
            painter.setPen(QPen(NOW_COLOR, 2))
            painter.drawLine(
                QPointF(x, visible.top() + HEADER_HEIGHT - 8), QPointF(x, visible.top() + HEADER_HEIGHT)
            )
        named = [
            (name, top, height)
            for name, (top, height) in zip(self.names, self._day_rows(geometry), strict=False)
        ]
        paint_sticky_names(painter, palette, visible, named)

    @staticmethod
    def _day_rows(geometry: BoardGeometry) -> list[Row]:
        return [(geometry.y_of_row(row), ROW_HEIGHT) for row in range(len(geometry.agent_ids))]

    # --- drops ----------------------------------------------------------------------------

    def target_of(self, scene_pos: QPointF, payload: DragPayload) -> tuple[int | None, datetime | None]:
        """The agent row and the snapped new start under a drop point.

        The start is None (the booked time stays) for a booking from the tray, on the name column,
        and when the block moved less than one grid step sideways: a time change is deliberate.
        """
        geometry = self.geometry_
        if geometry is None:
            return None, None
        agent_id = geometry.agent_at(scene_pos.y())
        visible_left = self.mapToScene(0, 0).x()
        if payload.grab_seconds is None or scene_pos.x() < visible_left + NAME_WIDTH:
            return agent_id, None
        moment = geometry.time_at(scene_pos.x()) - timedelta(seconds=payload.grab_seconds)
        start = snap(moment, geometry.start)
        booked = self.times.get(payload.booking_id)
        return agent_id, None if booked is not None and start == booked[0] else start

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if read_booking_mime(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        payload = read_booking_mime(event.mimeData())
        geometry = self.geometry_
        if payload is None or geometry is None:
            event.ignore()
            return
        pos = self.mapToScene(event.position().toPoint())
        agent_id, start = self.target_of(pos, payload)
        booked = self.times.get(payload.booking_id)
        if agent_id is None or booked is None:
            self.drop_hint = None
            self.preview = ""
            event.ignore()
        else:
            begin = start or booked[0]
            end = begin + (booked[1] - booked[0])
            row = geometry.agent_ids.index(agent_id)
            left = geometry.x_of(begin)
            self.drop_hint = QRectF(
                left, geometry.y_of_row(row) + 2, geometry.x_of(end) - left, ROW_HEIGHT - 4
            )
            when = f"{self.zone_label(begin)}–{self.zone_label(end)}"
            self.preview = f"{self.names[row]} · {when}" + ("" if start else " (time kept)")
            event.acceptProposedAction()
        self.viewport().update()

    def dragLeaveEvent(self, event: object) -> None:
        self.drop_hint = None
        self.preview = ""
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_hint = None
        self.preview = ""
        self.viewport().update()
        payload = read_booking_mime(event.mimeData())
        if payload is None:
            event.ignore()
            return
        agent_id, start = self.target_of(self.mapToScene(event.position().toPoint()), payload)
        if agent_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.dropRequested.emit(payload.booking_id, agent_id, start, not shift)
