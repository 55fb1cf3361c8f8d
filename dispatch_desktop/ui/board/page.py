"""The dispatch board: one row per agent, hours across, bookings as blocks, time off shaded.

Dragging a block onto an agent row assigns it; moving it sideways (a deliberate move whose
preview shows the new start and end on the grid) reschedules it; a booking from the unassigned
tray keeps its time. Every move goes through bookings.move_booking on a worker, and Ctrl+Z undoes
the last one (with the notices that implies). Blocks never move by themselves: the board redraws
from the database, so a refused move leaves the block where it was and the reason is shown above
the board. The hours fill the window for the team's working day; Ctrl+wheel or the buttons zoom.
The Week button (Alt+W) switches to the week (ui/board/week_page.py) and back, keeping the date; the
week's drops and their undo are the day's.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial

from PySide6.QtCore import QDate, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeySequence,
    QPalette,
    QPen,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDateEdit,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.errors import AvailabilityWarning
from dispatch_desktop.domain.roles import Permission, booking_edit_permission
from dispatch_desktop.domain.statuses import BookingStatus, allowed_next
from dispatch_desktop.services import bookings
from dispatch_desktop.services.board import BoardDay, BoardWeek, load_board_day
from dispatch_desktop.services.views import AgentView, BookingView
from dispatch_desktop.ui.board.assignment_menu import assignment_menu
from dispatch_desktop.ui.board.block import BookingBlock, legible_hour_width
from dispatch_desktop.ui.board.off_hours import off_hour_rects
from dispatch_desktop.ui.board.scene import (
    HOUR_WIDTH,
    MAX_HOUR_WIDTH,
    MIN_HOUR_WIDTH,
    NAME_WIDTH,
    NOW_COLOR,
    ROW_HEIGHT,
    BoardGeometry,
)
from dispatch_desktop.ui.board.tray import TrayPanel
from dispatch_desktop.ui.board.view import BoardView
from dispatch_desktop.ui.board.week_page import WeekBoard
from dispatch_desktop.ui.board.week_scene import day_label
from dispatch_desktop.ui.bookings.details_dialog import BookingDetailsDialog
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.bookings.open_form import open_booking_form
from dispatch_desktop.ui.kit.book_anyway import ask_book_anyway
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.dates import to_date
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.kit.plain import PlainLabel, plain_tip
from dispatch_desktop.ui.kit.style import status_fill, text_on

ZOOM_STEP = 1.25
ZOOM_LIMITS = (0.25, 8.0)  # times the zoom-1 width

REFRESH_ON = Change.BOOKINGS | Change.AGENTS | Change.TIME_OFF | Change.SETTINGS


class BoardPage(QWidget):
    """The day board with navigation, the unassigned tray, and the reason for any refused move."""

    status_message = Signal(str)  # the main window repeats it in the status bar

    moved = Signal(object)  # BookingView after a successful drop
    refused = Signal(str)  # why a drop was refused
    bookingActivated = Signal(int)  # double-click or "Open booking" (the board opens the form itself)
    loaded = Signal()

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.may_move = console.can(Permission.MANAGE_BOOKINGS)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.day: date | None = None  # None until the first load picks today in the business zone
        self.data: BoardDay | None = None
        self.load_count = 0
        self._generation = 0
        self._scrolled = False
        self.form: BookingForm | None = None
        self.details: BookingDetailsDialog | None = None
        self.zoom = 1.0
        # The last drop, to undo: booking id, its agent and start before, its version after.
        self.last_drop: tuple[int, int | None, datetime | None, int] | None = None
        self.book_anyway_question: QMessageBox | None = None

        self.previous_button = self._tool(
            self.tr("◀ Previous"), self.tr("Previous day (Alt+Left)"), "Alt+Left"
        )
        self.today_button = self._tool(self.tr("Today"), self.tr("Back to today (Alt+Home)"), "Alt+Home")
        self.next_button = self._tool(self.tr("Next ▶"), self.tr("Next day (Alt+Right)"), "Alt+Right")
        self.previous_button.clicked.connect(lambda: self.shift_day(-1))
        self.next_button.clicked.connect(lambda: self.shift_day(1))
        self.today_button.clicked.connect(self.go_today)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.date_edit.dateChanged.connect(self._picked)
        self.title = PlainLabel()
        title_font = self.title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        title_font.setBold(True)
        self.title.setFont(title_font)
        navigation = QHBoxLayout()
        for widget in (self.previous_button, self.today_button, self.next_button, self.date_edit):
            navigation.addWidget(widget)
        navigation.addSpacing(12)
        navigation.addWidget(self.title, 1)
        self.zoom_out_button = self._tool(
            self.tr("−"), self.tr("Zoom out (Ctrl+minus, Ctrl+wheel)"), "Ctrl+-"
        )
        self.zoom_fit_button = self._tool(
            self.tr("Working hours"), self.tr("The team's working day across the window (Ctrl+0)"), "Ctrl+0"
        )
        self.zoom_in_button = self._tool(self.tr("+"), self.tr("Zoom in (Ctrl+plus, Ctrl+wheel)"), "Ctrl++")
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(-1))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(1))
        self.zoom_fit_button.clicked.connect(self.working_hours)
        for button in (self.zoom_out_button, self.zoom_fit_button, self.zoom_in_button):
            navigation.addWidget(button)
        self.week_button = QToolButton()
        self.week_button.setText(self.tr("&Week"))
        self.week_button.setToolTip(plain_tip(self.tr("The week: agents by days (Alt+W); again for the day")))
        self.week_button.setCheckable(True)
        self.week_button.toggled.connect(self._week_toggled)
        navigation.addWidget(self.week_button)

        self.message = MessageLine()
        self.view = BoardView()
        self.view.dropRequested.connect(self.drop_booking)
        self.view.bookingActivated.connect(self.open_booking)
        self.view.menuRequested.connect(lambda booking_id, pos: self.assignment_menu(booking_id).popup(pos))
        self.view.zoomRequested.connect(self.zoom_by)
        tray_box = TrayPanel(
            title_font,
            self.tr(
                "Drag a booking onto an agent to assign it (its time stays); drop a block here to unassign it."
            )
            if self.may_move
            else self.tr("The board is read-only for your role."),
        )
        self.tray_panel = tray_box
        self.tray = tray_box.tray
        self.tray_title = tray_box.title
        self.tray.setDragEnabled(self.may_move)
        self.tray.accepts_unassign = self.may_move
        self.tray.unassignRequested.connect(lambda booking_id: self.drop_booking(booking_id, None, None))
        self.tray.itemDoubleClicked.connect(
            lambda item: self.open_booking(int(item.data(Qt.ItemDataRole.UserRole)))
        )
        self.tray.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tray.customContextMenuRequested.connect(self._tray_menu)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo_last_drop)
        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(tray_box)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 240])
        self.week = WeekBoard(console, self.may_move, self.message.show_error)
        self.week.clock = lambda: self.clock()
        self.week.view.dropRequested.connect(self.drop_booking)
        self.week.view.bookingActivated.connect(self.open_booking)
        self.week.view.menuRequested.connect(
            lambda booking_id, pos: self.assignment_menu(booking_id).popup(pos)
        )
        self.week.view.dayActivated.connect(self.show_day)
        self.week.loaded.connect(self._week_shown)
        self.stack = QStackedWidget()
        self.day_board = splitter
        self.stack.addWidget(splitter)
        self.stack.addWidget(self.week)

        layout = QVBoxLayout(self)
        layout.addLayout(navigation)
        layout.addWidget(self.stack, 1)
        # The message sits by the legend, below the board: above it, it pushed every block down a
        # line just as the dispatcher reached for the next one.
        legend = self._legend()
        legend.addWidget(self.message, 20)  # nearly all the room the legend leaves, so it stays one line
        layout.addLayout(legend)

        self.now_timer = QTimer(self)
        self.now_timer.setInterval(60_000)
        self.now_timer.timeout.connect(self._tick)
        self.now_timer.start()
        self.message.shown.connect(self.status_message)
        console.ops.changed.connect(self._on_changed)
        # The first load waits until the board is first shown: a hidden tab costs nothing at start-up.

    def _tool(self, text: str, tip: str, shortcut: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(plain_tip(tip))
        button.setShortcut(QKeySequence(shortcut))
        return button

    def _legend(self) -> QHBoxLayout:
        legend = QHBoxLayout()
        shown = [s for s in BookingStatus if s not in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)]
        for status in shown:
            fill = status_fill(status)
            chip = PlainLabel(status.value.replace("_", " "))
            chip.setStyleSheet(
                f"background:{fill.name()}; color:{text_on(fill).name()}; padding:2px 6px; border-radius:3px;"
            )
            legend.addWidget(chip)
        off = PlainLabel(self.tr("time off"))
        off.setStyleSheet("background: rgba(120,120,120,0.35); padding:2px 6px; border-radius:3px;")
        legend.addWidget(off)
        now = PlainLabel(self.tr("│ now"))
        now.setStyleSheet(f"color:{NOW_COLOR.name()}; font-weight:600;")
        legend.addWidget(now)
        legend.addStretch(1)
        return legend

    # --- loading ------------------------------------------------------------------------

    def _on_changed(self, what: Change) -> None:
        if what & REFRESH_ON and self._generation > 0:
            self.refresh()

    def refresh(self) -> None:
        if self.week_mode:
            self.week.show_week(self.day)
            return
        self._generation += 1
        generation, ctx, day, now = self._generation, self.console.ctx, self.day, self.clock()
        run_for(
            self,
            self.console.ops,
            lambda: load_board_day(ctx, day, now=now),
            lambda data: self._show(data, generation),
            self.message.show_error,
        )

    def shift_day(self, days: int) -> None:
        if self.week_mode:
            self.set_day(self._week_day() + timedelta(days=7 * days))
        elif self.data is not None:
            self.set_day(self.data.day + timedelta(days=days))

    def go_today(self) -> None:
        self.day = None
        self.refresh()

    def set_day(self, day: date) -> None:
        if day != self.day:
            self.day = day
            self.refresh()

    def _picked(self, value: QDate) -> None:
        picked = to_date(value)
        if self.data is None or picked != self.data.day:
            self.set_day(picked)

    def _show(self, data: BoardDay, generation: int) -> None:
        if generation != self._generation:
            return  # an older load finished after a newer one started
        self.data = data
        zone = data.zone
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(data.day.year, data.day.month, data.day.day))
        self.date_edit.blockSignals(False)
        self.title.setText(f"{data.day.strftime('%A %d %B %Y')}  ·  {data.timezone_name}")
        self.view.times = {b.id: (b.start, b.end) for b in (*data.bookings, *data.unassigned)}
        self.view.zone_label = lambda moment: moment.astimezone(zone).strftime("%H:%M")
        self.view.now = self.clock()
        self.draw()
        self.tray_panel.show_bookings(data.unassigned, self.view.zone_label, self.view.now, data.region)
        if not self._scrolled:
            QTimer.singleShot(0, self.scroll_to_working_hours)
        self.load_count += 1
        self.loaded.emit()

    # --- the week ---------------------------------------------------------------------

    @property
    def week_mode(self) -> bool:
        return self.week_button.isChecked()

    def _week_toggled(self, on: bool) -> None:
        self.stack.setCurrentWidget(self.week if on else self.day_board)
        span = self.tr("week") if on else self.tr("day")
        self.previous_button.setToolTip(plain_tip(self.tr("Previous %s (Alt+Left)") % span))
        self.next_button.setToolTip(plain_tip(self.tr("Next %s (Alt+Right)") % span))
        for button in (self.zoom_out_button, self.zoom_fit_button, self.zoom_in_button):
            button.setEnabled(not on)
        self.refresh()

    def show_day(self, day: date) -> None:
        """A week's day header or "+N more" double-clicked: that day on the day board."""
        self.day = day
        if self.week_mode:
            self.week_button.setChecked(False)
        else:
            self.refresh()

    def _week_day(self) -> date:
        """The day the week view stands on: the one picked, else today in the loaded week's zone."""
        if self.day is not None:
            return self.day
        zone = self.week.data.zone if self.week.data else (self.data.zone if self.data else UTC)
        return self.clock().astimezone(zone).date()

    def _week_shown(self) -> None:
        data = self.week.data
        assert data is not None
        day = self._week_day()
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        first, last = day_label(data.days[0]), day_label(data.days[-1])
        self.title.setText(f"{first} – {last} {data.days[-1].year}  ·  {data.timezone_name}")

    def shown(self) -> BoardDay | BoardWeek | None:
        """What the board shows now: the loaded week in week mode, else the loaded day."""
        return self.week.data if self.week_mode else self.data

    def shown_agents(self) -> list[AgentView]:
        shown = self.shown()
        return shown.agents if shown is not None else []

    # --- drawing and zoom ---------------------------------------------------------------

    def working_day(self) -> tuple[datetime, datetime]:
        """The team's working day on the shown day, in UTC (default 07:00–19:00 local)."""
        assert self.data is not None
        zone, (first, last) = self.data.zone, self.data.day_hours
        midnight = datetime.combine(self.data.day, datetime.min.time(), tzinfo=zone)
        return (midnight + timedelta(hours=first)).astimezone(UTC), (
            midnight + timedelta(hours=last)
        ).astimezone(UTC)

    def hour_width(self) -> float:
        """Zoom 1 fits the working day in the window, whatever its size, but keeps 30-minute jobs
        legible (`legible_hour_width`: at least the time and a first name, the board scrolls
        sideways for the rest of the day); zooming out from there shows more of the day."""
        if self.data is None:
            return HOUR_WIDTH
        first, last = self.working_day()
        hours = max(1.0, (last - first).total_seconds() / 3600)
        room = max(1, self.view.viewport().width() - NAME_WIDTH)
        fit = max(legible_hour_width(), room / hours)
        return max(MIN_HOUR_WIDTH, min(MAX_HOUR_WIDTH, fit * self.zoom))

    def zoom_by(self, steps: int) -> None:
        """Ctrl+wheel or the − / + buttons: zoom around the middle of what is shown."""
        low, high = ZOOM_LIMITS
        middle = self._visible_middle()
        self.zoom = max(low, min(high, self.zoom * ZOOM_STEP**steps))
        self.draw()
        if middle is not None:
            self._centre_on(middle)

    def working_hours(self) -> None:
        """Back to the working-hours view: the team's day across the window, scrolled to it."""
        self.zoom = 1.0
        self._scrolled = False
        self.draw()
        self.scroll_to_working_hours()

    def _visible_middle(self) -> datetime | None:
        geometry = self.view.geometry_
        if geometry is None:
            return None
        bar = self.view.horizontalScrollBar()
        return geometry.time_at(bar.value() + NAME_WIDTH + (self.view.viewport().width() - NAME_WIDTH) / 2)

    def _centre_on(self, moment: datetime) -> None:
        geometry = self.view.geometry_
        if geometry is not None:
            half = (self.view.viewport().width() - NAME_WIDTH) / 2
            self.view.horizontalScrollBar().setValue(int(geometry.x_of(moment) - NAME_WIDTH - half))

    def draw(self) -> None:
        """Lay out the loaded day at the current hour width (after a load, a zoom or a resize)."""
        data = self.data
        if data is None:
            return
        geometry = BoardGeometry(data.start, data.end, tuple(a.id for a in data.agents), self.hour_width())
        view = self.view
        view.geometry_ = geometry
        view.names = [a.name if a.active else self.tr("%s (inactive)") % a.name for a in data.agents]
        view.off_hours = off_hour_rects(geometry, data.agents, data.zone)
        scene = view.scene()
        scene.clear()
        scene.setSceneRect(QRectF(0, 0, geometry.width, geometry.height))
        rows = {agent_id: row for row, agent_id in enumerate(geometry.agent_ids)}
        for off in data.time_off:
            if off.agent_id in rows:
                self._add_time_off(
                    geometry, rows[off.agent_id], max(off.start, data.start), min(off.end, data.end)
                )
        for booking in data.bookings:
            if booking.agent_id in rows:
                rect = self._block_rect(geometry, rows[booking.agent_id], booking)
                block = BookingBlock(
                    booking, rect, view.zone_label, self.may_move, geometry.hour_width, data.region
                )
                scene.addItem(block)
        view.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        shown = self.view.geometry_
        if self.data is not None and shown is not None and abs(self.hour_width() - shown.hour_width) > 0.5:
            middle = self._visible_middle()
            self.draw()
            if middle is not None:
                self._centre_on(middle)

    def scroll_to_working_hours(self) -> None:
        """Open at the team's working day; zoomed in, keep now in sight. Once the view has its size."""
        geometry = self.view.geometry_
        if geometry is None or self._scrolled or self.data is None:
            return
        if abs(self.hour_width() - geometry.hour_width) > 0.5:
            self.draw()  # the window got its real size since the load
            geometry = self.view.geometry_ or geometry
        target, _ = self.working_day()
        now = self.view.now
        visible_hours = (self.view.viewport().width() - NAME_WIDTH) / geometry.hour_width
        if now is not None and geometry.start <= now < geometry.end:
            target = max(target, now - timedelta(hours=visible_hours / 4))
        bar = self.view.horizontalScrollBar()
        bar.setValue(int(geometry.x_of(target) - NAME_WIDTH))
        # Before the first layout the range is still empty; try again when the page is shown.
        self._scrolled = self.view.isVisible()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._generation == 0:  # the first load, now that the board is seen
            self.refresh()
        QTimer.singleShot(0, self.scroll_to_working_hours)

    def _block_rect(self, geometry: BoardGeometry, row: int, booking: BookingView) -> QRectF:
        left = geometry.x_of(max(booking.start, geometry.start))
        right = geometry.x_of(min(booking.end, geometry.end))
        return QRectF(left + 1, geometry.y_of_row(row) + 4, max(6.0, right - left - 2), ROW_HEIGHT - 8)

    def _add_time_off(self, geometry: BoardGeometry, row: int, start: datetime, end: datetime) -> None:
        rect = QRectF(
            geometry.x_of(start),
            geometry.y_of_row(row) + 1,
            geometry.x_of(end) - geometry.x_of(start),
            ROW_HEIGHT - 2,
        )
        shade = QGraphicsRectItem(rect)
        shade.setBrush(QBrush(QColor(120, 120, 120, 90)))
        shade.setPen(QPen(Qt.PenStyle.NoPen))
        shade.setZValue(1)
        hatch = QGraphicsRectItem(rect, shade)
        hatch.setBrush(QBrush(QColor(120, 120, 120, 140), Qt.BrushStyle.BDiagPattern))
        hatch.setPen(QPen(Qt.PenStyle.NoPen))
        label = QGraphicsSimpleTextItem(self.tr("time off"), shade)
        label.setBrush(QBrush(self.palette().color(QPalette.ColorRole.Text)))
        label.setPos(rect.left() + 4, rect.bottom() - 18)
        shade.setToolTip(self.tr("Approved time off"))
        self.view.scene().addItem(shade)

    def _tick(self) -> None:
        now = self.clock()
        if self.data is not None and self.day is None and now >= self.data.end:
            self.refresh()  # "today" rolled over at midnight
            return
        self.view.now = now
        self.view.viewport().update()

    # --- moving -------------------------------------------------------------------------

    def booking(self, booking_id: int) -> BookingView | None:
        shown = self.shown()
        if shown is None:
            return None
        return next((b for b in (*shown.bookings, *shown.unassigned) if b.id == booking_id), None)

    def blocks(self) -> list[BookingBlock]:
        return [item for item in self.view.scene().items() if isinstance(item, BookingBlock)]

    def open_booking(self, booking_id: int) -> BookingForm | None:
        """Double-click or "Open booking": the booking form, when this role may still edit it."""
        self.bookingActivated.emit(booking_id)
        booking = self.booking(booking_id)
        if booking is None:
            return None
        if not allowed_next(BookingStatus(booking.status)):
            self.message.show_info(
                self.tr("%s is %s and can no longer be edited.") % (booking.reference, booking.status)
            )
            return None
        if not self.console.can(booking_edit_permission(booking.agent_id is not None)):
            # A call-taker asked about an assigned booking: where the technician is, read-only.
            self.message.show_info(
                self.tr("%s is assigned: showing its details, read-only.") % booking.reference
            )
            self.details = BookingDetailsDialog(self.console, booking.id, self)
            self.details.open()
            return None
        self.form = open_booking_form(self.console, booking, self, self._form_saved)
        return self.form

    def _form_saved(self, saved: BookingView) -> None:
        self.message.show_info(self.tr("%s saved.") % saved.reference)

    def _tray_menu(self, pos: QPoint) -> None:
        item = self.tray.itemAt(pos)
        if item is not None:
            menu = self.assignment_menu(int(item.data(Qt.ItemDataRole.UserRole)))
            menu.popup(self.tray.viewport().mapToGlobal(pos))

    def assignment_menu(self, booking_id: int) -> QMenu:
        """The keyboard- and mouse-friendly twin of dragging: open, assign to an agent, or unassign."""
        return assignment_menu(self, booking_id)

    def drop_booking(
        self,
        booking_id: int,
        agent_id: int | None,
        start: datetime | None,
        notify_customer: bool = True,
        override: bool = False,
    ) -> None:
        """What a drop does: assign to `agent_id` (None unassigns) and, with `start`, reschedule keeping
        the length; a drop with Shift held (`notify_customer` False) tells the agents only. A drop
        outside the agent's hours or skills asks "Book anyway?"; yes drops again with `override`."""
        if not self.may_move:
            self._refuse(self.tr("Your role may not assign or reschedule bookings."))
            return
        booking = self.booking(booking_id)
        if booking is None:
            self._refuse(self.tr("That booking is no longer on this day; the board was refreshed."))
            self.refresh()
            return
        end = start + (booking.end - booking.start) if start is not None else None
        if agent_id == booking.agent_id and (start is None or start == booking.start):
            return
        ctx, version = self.console.ctx, booking.version
        before = (booking.agent_id, booking.start if start is not None else None)
        self.message.show_info(self.tr("Moving %s…") % booking.reference)
        move = partial(bookings.move_booking, ctx, booking_id, agent_id=agent_id, start=start, end=end)
        run_for(
            self,
            self.console.ops,
            lambda: move(expect_version=version, notify_customer=notify_customer, override=override),
            lambda moved: self._moved(moved, before, notify_customer),
            lambda error: self._drop_refused(
                error, lambda: self.drop_booking(booking_id, agent_id, start, notify_customer, override=True)
            ),
            changes=Change.BOOKINGS,
        )

    def _drop_refused(self, error: Exception, book_anyway: Callable[[], None]) -> None:
        if not isinstance(error, AvailabilityWarning):
            self._move_refused(error)
            return
        self.refresh()  # the block goes back until the question is answered
        self.book_anyway_question = ask_book_anyway(self, error.warnings, book_anyway)

    def _moved(
        self,
        booking: BookingView,
        before: tuple[int | None, datetime | None] | None,
        notify_customer: bool = True,
    ) -> None:
        shown = self.shown()
        local = booking.start.astimezone(shown.zone) if shown else None
        when = local.strftime("%H:%M") if local else ""
        if local is not None and self.week_mode:
            when = f"{day_label(local.date())} {when}"
        who = booking.agent_name or self.tr("the unassigned tray")
        if before is None:
            self.last_drop = None
            self.message.show_info(
                self.tr("Undone: %s is back with %s at %s.") % (booking.reference, who, when)
            )
        else:
            self.last_drop = (booking.id, before[0], before[1], booking.version)
            silent = "" if notify_customer else self.tr(" The customer was not notified (Shift held).")
            self.message.show_info(
                self.tr("%s moved to %s at %s. Ctrl+Z undoes it.") % (booking.reference, who, when) + silent
            )
        self.moved.emit(booking)

    def undo_last_drop(self) -> None:
        """Ctrl+Z: the last drop moved back (agent and time as before), telling whoever that concerns."""
        if self.last_drop is None or not self.may_move:
            self.message.show_info(self.tr("Nothing to undo on the board."))
            return
        drop, self.last_drop = self.last_drop, None
        self._undo(drop)

    def _undo(self, drop: tuple[int, int | None, datetime | None, int], override: bool = False) -> None:
        """Back outside the agent's hours or skills asks "Book anyway?" as a drop does; "Go back"
        leaves the undo for a later Ctrl+Z."""
        booking_id, agent_id, start, version = drop
        booking = self.booking(booking_id)
        end = start + (booking.end - booking.start) if start is not None and booking is not None else None
        ctx = self.console.ctx

        def refused(error: Exception) -> None:
            if isinstance(error, AvailabilityWarning):
                self.last_drop = drop
            self._drop_refused(error, lambda: self._undo(drop, override=True))

        run_for(
            self,
            self.console.ops,
            lambda: bookings.move_booking(
                ctx,
                booking_id,
                agent_id=agent_id,
                start=start,
                end=end,
                expect_version=version,
                override=override,
            ),
            lambda moved: self._moved(moved, None),
            refused,
            changes=Change.BOOKINGS,
        )

    def _move_refused(self, error: Exception) -> None:
        self._refuse(error)
        self.refresh()  # the block snaps back to where the database says it is

    def _refuse(self, error: Exception | str) -> None:
        self.message.show_error(error)
        self.refused.emit(self.message.text())
