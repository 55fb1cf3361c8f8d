"""The board's week: one row per agent (Unassigned first), the seven days across, each day's bookings
as compact blocks stacked in their cell, time off shaded. BoardPage (ui/board/page.py) switches to it
and back, and makes its moves with the day board's drop and undo.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem, QVBoxLayout, QWidget

from dispatch_desktop.services.board import BoardWeek, day_bounds, load_board_week
from dispatch_desktop.services.views import BookingView, TimeOffView
from dispatch_desktop.ui.board.block import BookingBlock
from dispatch_desktop.ui.board.scene import NAME_WIDTH
from dispatch_desktop.ui.board.week_scene import (
    CELL_PADDING,
    LINE_HEIGHT,
    MIN_DAY_WIDTH,
    UNASSIGNED_ROW,
    WeekGeometry,
    cells,
    continued_label,
    day_label,
    row_lines,
    shown_in_cell,
)
from dispatch_desktop.ui.board.week_view import MoreLine, WeekView
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.plain import rich_tip

OFF_SHADE = QColor(120, 120, 120, 110)


class WeekBoard(QWidget):
    """Loads a week off the UI thread and draws it at a day width that fills the window."""

    loaded = Signal()

    def __init__(
        self,
        console: ConsoleContext,
        may_move: bool,
        on_error: Callable[[Exception], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.may_move = may_move
        self.on_error = on_error
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.day: date | None = None  # a day of the week shown; None: this week
        self.data: BoardWeek | None = None
        self.load_count = 0
        self._generation = 0
        self.view = WeekView()
        self._placed: dict[tuple[int | None, int], list[BookingView]] = {}
        self._filled: set[int] = set()  # rows whose blocks are made
        self._ahead: list[int] = []  # rows a screen beyond sight, made one an event-loop turn
        self._ahead_timer = QTimer(self)
        self._ahead_timer.setSingleShot(True)
        self._ahead_timer.setInterval(0)
        self._ahead_timer.timeout.connect(self._fill_ahead)
        self.view.verticalScrollBar().valueChanged.connect(lambda _value: self.fill_visible())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def show_week(self, day: date | None) -> None:
        self.day = day
        self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        generation, ctx, day, now = self._generation, self.console.ctx, self.day, self.clock()
        run_for(
            self,
            self.console.ops,
            lambda: load_board_week(ctx, day, now=now),
            lambda data: self._show(data, generation),
            self.on_error,
        )

    def _show(self, data: BoardWeek, generation: int) -> None:
        if generation != self._generation:
            return  # an older load finished after a newer one started
        self.data = data
        zone = data.zone
        view = self.view
        view.zone = zone
        view.zone_label = lambda moment: moment.astimezone(zone).strftime("%H:%M")
        view.bookings = {b.id: b for b in (*data.bookings, *data.unassigned)}
        view.today = self.clock().astimezone(zone).date()
        self.draw()
        self.load_count += 1
        self.loaded.emit()

    def day_width(self) -> float:
        return max(MIN_DAY_WIDTH, (self.view.viewport().width() - NAME_WIDTH) / 7)

    def draw(self) -> None:
        """Lay out the loaded week: each row as tall as its fullest day, up to a cell's lines."""
        data = self.data
        if data is None:
            return
        placed = cells((*data.bookings, *data.unassigned), data.days, data.zone)
        rows = (UNASSIGNED_ROW, *(a.id for a in data.agents))
        lines = row_lines(placed, rows)
        week = WeekGeometry(data.days, rows, lines, self.day_width())
        view = self.view
        view.week = week
        view.names = [self.tr("Unassigned")] + [
            a.name if a.active else self.tr("%s (inactive)") % a.name for a in data.agents
        ]
        scene = view.scene()
        scene.clear()
        scene.setSceneRect(QRectF(0, 0, week.width, week.height))
        row_of = {key: row for row, key in enumerate(rows)}
        for off in data.time_off:
            if off.agent_id in row_of:
                self._shade_time_off(week, row_of[off.agent_id], off)
        self._placed, self._filled = placed, set()
        self.fill_visible()
        view.viewport().update()

    def fill_visible(self) -> None:
        """Blocks for the rows in sight now, and for those a screen beyond one row an event-loop turn
        (nearest first), so a scroll step makes at most the rows it brings into sight before they
        were made ahead: a week of 50 agents at 300 bookings a day is thousands of blocks."""
        week = self.view.week
        if week is None:
            return
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        low, high = visible.top() - visible.height(), visible.bottom() + visible.height()
        ahead = []
        for row in range(len(week.rows)):
            top, bottom = week.y_of_row(row), week.y_of_row(row + 1)
            if row in self._filled or bottom < low or top > high:
                continue
            if bottom >= visible.top() and top <= visible.bottom():
                self._fill_row(week, row)
            else:
                ahead.append((min(abs(top - visible.bottom()), abs(bottom - visible.top())), row))
        self._ahead = [row for _distance, row in sorted(ahead)]
        if self._ahead:
            self._ahead_timer.start()

    def _fill_ahead(self) -> None:
        week = self.view.week
        while week is not None and self._ahead:
            row = self._ahead.pop(0)
            if row not in self._filled:
                self._fill_row(week, row)
                break
        if self._ahead:
            self._ahead_timer.start()

    def _fill_row(self, week: WeekGeometry, row: int) -> None:
        self._filled.add(row)
        key = week.rows[row]
        for column in range(len(week.days)):
            if (key, column) in self._placed:
                self._fill_cell(week, row, column, self._placed[(key, column)])

    def _fill_cell(self, week: WeekGeometry, row: int, column: int, day_bookings: list[BookingView]) -> None:
        region = self.data.region if self.data is not None else "US"
        left, top, width, _height = week.cell(row, column)
        shown, more = shown_in_cell(len(day_bookings))
        scene, day, zone = self.view.scene(), week.days[column], self.view.zone
        for line, booking in enumerate(day_bookings[:shown]):
            rect = QRectF(left + 2, top + CELL_PADDING + line * LINE_HEIGHT, width - 4, LINE_HEIGHT - 2)
            starts = continued_label(booking, day, zone)
            block = BookingBlock(
                booking, rect, self.view.zone_label, self.may_move, None, region, True, starts
            )
            block.day = day
            scene.addItem(block)
        if more:
            rect = QRectF(left + 2, top + CELL_PADDING + shown * LINE_HEIGHT, width - 4, LINE_HEIGHT - 2)
            hidden = day_bookings[shown:]
            item = MoreLine(rect, week.days[column])
            item.setPen(QPen(Qt.PenStyle.NoPen))
            item.setBrush(QBrush(self.palette().color(QPalette.ColorRole.Button)))
            item.setZValue(2)
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
            label = QGraphicsSimpleTextItem(self.tr("+%d more") % more, item)
            label.setBrush(QBrush(self.palette().color(QPalette.ColorRole.ButtonText)))
            label.setPos(rect.left() + 4, rect.top() + 1)
            zone_label = self.view.zone_label
            item.setToolTip(
                rich_tip(
                    self.tr("%d more on this day (double-click: the day)") % more,
                    *(f"{zone_label(b.start)} {b.customer_name} · {b.service}" for b in hidden),
                )
            )
            scene.addItem(item)

    def _shade_time_off(self, week: WeekGeometry, row: int, off: TimeOffView) -> None:
        assert self.data is not None
        zone = self.data.zone
        local = self.view.zone_label
        span = f"{day_label(off.start.astimezone(zone).date())} {local(off.start)} – "
        span += f"{day_label(off.end.astimezone(zone).date())} {local(off.end)}"
        for column, day in enumerate(week.days):
            start, end = day_bounds(day, zone)
            if off.start < end and off.end > start:
                shade = QGraphicsRectItem(QRectF(*week.cell(row, column)).adjusted(1, 1, -1, -1))
                shade.setBrush(QBrush(OFF_SHADE, Qt.BrushStyle.BDiagPattern))
                shade.setPen(QPen(Qt.PenStyle.NoPen))
                shade.setZValue(1)
                shade.setToolTip(rich_tip(self.tr("Approved time off"), f"{off.agent_name}: {span}"))
                self.view.scene().addItem(shade)

    def blocks(self) -> list[BookingBlock]:
        return [item for item in self.view.scene().items() if isinstance(item, BookingBlock)]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        week = self.view.week
        if self.data is not None and week is not None and abs(self.day_width() - week.day_width) > 0.5:
            self.draw()
        else:
            self.fill_visible()
