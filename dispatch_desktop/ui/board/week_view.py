"""The week board's drawing and drops: agents by days, a sticky day header, and a drop preview that
names the new day, start, end and agent. A drop keeps the booking's time of day and length.

It is the day board's view (ui/board/view.py) with the week's grid: double-click, the block menu and
the drop signal are the day board's, so the board page moves and undoes both alike.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsView, QWidget

from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.board.paint import Row, paint_row_bands, paint_row_lines, paint_sticky_names
from dispatch_desktop.ui.board.scene import (
    HEADER_HEIGHT,
    NAME_WIDTH,
    NOW_COLOR,
    DragPayload,
    read_booking_mime,
)
from dispatch_desktop.ui.board.view import BoardView
from dispatch_desktop.ui.board.week_scene import WeekGeometry, day_label, moved_start


class MoreLine(QGraphicsRectItem):
    """A cell's "+N more": its tooltip lists the bookings it stands for; double-click opens the day."""

    def __init__(self, rect: QRectF, day: date) -> None:
        super().__init__(rect)
        self.day = day


class WeekView(BoardView):
    """Agents (the Unassigned row first) by the seven days; drops move the day and the agent."""

    dayActivated = Signal(object)  # a date: its header or a "+N more" was double-clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.week: WeekGeometry | None = None
        self.zone = ZoneInfo("UTC")
        self.bookings: dict[int, BookingView] = {}
        self.today: date | None = None
        # Thousands of axis-aligned blocks: antialiasing them costs most of a scroll step's paint and
        # shows nothing (the text keeps its own antialiasing).
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        # Rows of blocks are added as they scroll in: a BSP index would be rebuilt after each.
        self.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        scene = self.mapToScene(point)
        week = self.week
        item = self.itemAt(point)
        column = None if week is None else week.column_at(scene.x())
        if isinstance(item, MoreLine):
            self.dayActivated.emit(item.day)
        elif week is not None and column is not None and point.y() < HEADER_HEIGHT <= NAME_WIDTH <= point.x():
            self.dayActivated.emit(week.days[column])
        else:
            super().mouseDoubleClickEvent(event)

    # --- drawing ------------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        palette = self.palette()
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
        week = self.week
        if week is None:
            return
        rows = self._week_rows(week)
        paint_row_bands(painter, palette, rows, week.width)
        if self.today in week.days:
            today = QRectF(week.x_of_day(week.days.index(self.today)), 0, week.day_width, week.height)
            tint = palette.color(QPalette.ColorRole.Highlight)
            tint.setAlpha(28)
            painter.fillRect(today, tint)
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(140)
        painter.setPen(QPen(grid, 1))
        for column in range(len(week.days) + 1):
            x = week.x_of_day(column)
            painter.drawLine(QPointF(x, HEADER_HEIGHT), QPointF(x, week.height))
        paint_row_lines(painter, rows, week.width)

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        week = self.week
        if week is None:
            return
        palette = self.palette()
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if self.drop_hint is not None:
            self._draw_preview(painter, palette)
        # Sticky day header.
        painter.fillRect(
            QRectF(visible.left(), visible.top(), visible.width(), HEADER_HEIGHT),
            palette.color(QPalette.ColorRole.Button),
        )
        bold = QFont(painter.font())
        bold.setBold(True)
        for column, day in enumerate(week.days):
            is_today = day == self.today
            painter.setFont(bold if is_today else QFont())
            painter.setPen(NOW_COLOR if is_today else palette.color(QPalette.ColorRole.ButtonText))
            painter.drawText(
                QRectF(week.x_of_day(column) + 6, visible.top(), week.day_width - 8, HEADER_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                day_label(day),
            )
        named = [
            (name, top, height)
            for name, (top, height) in zip(self.names, self._week_rows(week), strict=False)
        ]
        paint_sticky_names(painter, palette, visible, named, inset=3, line_height=22.0)

    @staticmethod
    def _week_rows(week: WeekGeometry) -> list[Row]:
        return [(week.y_of_row(row), week.row_height(row)) for row in range(len(week.rows))]

    def _draw_preview(self, painter: QPainter, palette: QPalette) -> None:
        assert self.drop_hint is not None
        highlight = palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(highlight, 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.drop_hint)
        width = QFontMetricsF(painter.font()).horizontalAdvance(self.preview) + 10
        label = QRectF(self.drop_hint.left(), self.drop_hint.bottom(), width, 18)
        painter.fillRect(label, highlight)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.drawText(label.adjusted(5, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, self.preview)

    # --- drops ----------------------------------------------------------------------------

    def week_target(
        self, scene_pos: QPointF, payload: DragPayload
    ) -> tuple[int, int | None, datetime | None] | None:
        """The row, its agent (None: Unassigned) and the new start (None: the same day) under a drop
        point; None off the grid or over the sticky names. A piece of a booking over several days
        moves it by the days the piece moved ("cont." Wednesday to Thursday: a day later)."""
        week = self.week
        booking = self.bookings.get(payload.booking_id)
        if week is None or booking is None or scene_pos.x() < self.mapToScene(0, 0).x() + NAME_WIDTH:
            return None
        row, column = week.row_at(scene_pos.y()), week.column_at(scene_pos.x())
        if row is None or column is None:
            return None
        day = week.days[column]
        if payload.from_day is not None:
            day = booking.start.astimezone(self.zone).date() + (day - payload.from_day)
        return row, week.rows[row], moved_start(booking, day, self.zone)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        payload = read_booking_mime(event.mimeData())
        pos = self.mapToScene(event.position().toPoint())
        target = None if payload is None else self.week_target(pos, payload)
        if payload is None or target is None or self.week is None:
            self.drop_hint = None
            self.preview = ""
            event.ignore()
        else:
            row, agent_id, start = target
            booking = self.bookings[payload.booking_id]
            begin = start or booking.start
            end = begin + (booking.end - booking.start)
            local = begin.astimezone(self.zone)
            column = self.week.column_at(pos.x()) or 0  # where the dragged piece lands
            self.drop_hint = QRectF(*self.week.cell(row, column)).adjusted(2, 2, -2, -2)
            when = f"{day_label(local.date())} {self.zone_label(begin)}–{self.zone_label(end)}"
            same = agent_id == booking.agent_id and start is None
            self.preview = f"{self.names[row]} · {when}" + (" (where it is)" if same else "")
            event.acceptProposedAction()
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_hint = None
        self.preview = ""
        self.viewport().update()
        payload = read_booking_mime(event.mimeData())
        pos = self.mapToScene(event.position().toPoint())
        target = None if payload is None else self.week_target(pos, payload)
        if payload is None or target is None:
            event.ignore()
            return
        event.acceptProposedAction()
        _row, agent_id, start = target
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self.dropRequested.emit(payload.booking_id, agent_id, start, not shift)
