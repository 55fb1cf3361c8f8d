"""The dispatch board's drawing and drag and drop: geometry, booking blocks, the view and the tray.

BoardPage (ui/board/page.py) puts these together with day navigation and the moves themselves.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsView,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from dispatch_desktop.ui.board.block import BookingBlock
from dispatch_desktop.ui.board.scene import (
    BOOKING_MIME,
    HEADER_HEIGHT,
    HOUR_WIDTH,
    NAME_WIDTH,
    NOW_COLOR,
    ROW_HEIGHT,
    BoardGeometry,
    booking_mime,
    read_booking_mime,
    snap,
)


class BoardView(QGraphicsView):
    """Draws the grid, the sticky hour header and agent names, and the red "now" line; takes drops."""

    # booking id, agent id or None, new start (UTC), notify the customer (False: Shift was held)
    dropRequested = Signal(int, object, object, bool)
    bookingActivated = Signal(int)
    menuRequested = Signal(int, QPoint)  # booking id, global position

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

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        while item is not None and not isinstance(item, BookingBlock):
            item = item.parentItem()
        if isinstance(item, BookingBlock):
            self.bookingActivated.emit(item.booking.id)
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item = self.itemAt(event.pos())
        while item is not None and not isinstance(item, BookingBlock):
            item = item.parentItem()
        if isinstance(item, BookingBlock):
            self.menuRequested.emit(item.booking.id, event.globalPos())
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
        band = palette.color(QPalette.ColorRole.AlternateBase)
        for row in range(len(geometry.agent_ids)):
            if row % 2:
                painter.fillRect(QRectF(0, geometry.y_of_row(row), geometry.width, ROW_HEIGHT), band)
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(110)
        painter.setPen(QPen(grid, 1))
        hour = 0
        while hour <= geometry.hours:
            x = NAME_WIDTH + hour * HOUR_WIDTH
            painter.drawLine(QPointF(x, HEADER_HEIGHT), QPointF(x, geometry.height))
            hour += 1
        for row in range(len(geometry.agent_ids) + 1):
            y = geometry.y_of_row(row)
            painter.drawLine(QPointF(NAME_WIDTH, y), QPointF(geometry.width, y))

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        geometry = self.geometry_
        if geometry is None:
            return
        palette = self.palette()
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if self.drop_hint is not None:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self.drop_hint)
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
            x = NAME_WIDTH + hour * HOUR_WIDTH
            painter.drawText(
                QRectF(x + 4, visible.top(), HOUR_WIDTH - 4, HEADER_HEIGHT),
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
        # Sticky agent names.
        column = QRectF(visible.left(), visible.top(), NAME_WIDTH, visible.height())
        painter.fillRect(column, palette.color(QPalette.ColorRole.Window))
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        bold = QFont(painter.font())
        bold.setBold(True)
        painter.setFont(bold)
        for row, name in enumerate(self.names):
            y = geometry.y_of_row(row)
            if y + ROW_HEIGHT < visible.top() + HEADER_HEIGHT:
                continue
            painter.drawText(
                QRectF(visible.left() + 8, y, NAME_WIDTH - 12, ROW_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                name,
            )
        painter.fillRect(
            QRectF(visible.left(), visible.top(), NAME_WIDTH, HEADER_HEIGHT),
            palette.color(QPalette.ColorRole.Button),
        )
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawLine(
            QPointF(visible.left() + NAME_WIDTH, visible.top()),
            QPointF(visible.left() + NAME_WIDTH, visible.bottom()),
        )

    # --- drops ----------------------------------------------------------------------------

    def target_of(self, scene_pos: QPointF, grab_seconds: float) -> tuple[int | None, datetime | None]:
        """The agent row and the snapped new start under a drop point; time None on the name column."""
        geometry = self.geometry_
        if geometry is None:
            return None, None
        agent_id = geometry.agent_at(scene_pos.y())
        visible_left = self.mapToScene(0, 0).x()
        if scene_pos.x() < visible_left + NAME_WIDTH:
            return agent_id, None
        moment = geometry.time_at(scene_pos.x()) - timedelta(seconds=grab_seconds)
        return agent_id, snap(moment, geometry.start)

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
        agent_id = geometry.agent_at(pos.y())
        if agent_id is None:
            self.drop_hint = None
            event.ignore()
        else:
            row = geometry.agent_ids.index(agent_id)
            self.drop_hint = QRectF(
                NAME_WIDTH, geometry.y_of_row(row), geometry.width - NAME_WIDTH, ROW_HEIGHT
            )
            event.acceptProposedAction()
        self.viewport().update()

    def dragLeaveEvent(self, event: object) -> None:
        self.drop_hint = None
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_hint = None
        self.viewport().update()
        payload = read_booking_mime(event.mimeData())
        if payload is None:
            event.ignore()
            return
        booking_id, grab_seconds = payload
        agent_id, start = self.target_of(self.mapToScene(event.position().toPoint()), grab_seconds)
        if agent_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.dropRequested.emit(booking_id, agent_id, start, not shift)


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
        return booking_mime(int(booking_id))

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
        self.unassignRequested.emit(payload[0])
