"""The Bookings tab: search, filters, the lazy table and what can be done to a booking."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.roles import Permission, booking_edit_permission
from dispatch_desktop.domain.statuses import (
    ASSIGNABLE_STATUSES,
    FINAL_STATUSES,
    BookingStatus,
    allowed_next,
)
from dispatch_desktop.services import agents, bookings
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.views import AgentView, BookingView
from dispatch_desktop.ui.bookings.assign_dialog import AssignDialog
from dispatch_desktop.ui.bookings.booking_menu import booking_menu
from dispatch_desktop.ui.bookings.details_dialog import BookingDetailsDialog
from dispatch_desktop.ui.bookings.filters import BookingFilters
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.bookings.history_dialog import HistoryDialog
from dispatch_desktop.ui.bookings.labels import cancel_reasons, status_label
from dispatch_desktop.ui.bookings.model import BookingsModel
from dispatch_desktop.ui.bookings.open_form import open_booking_form
from dispatch_desktop.ui.bookings.sort_proxy import ServerSortProxy
from dispatch_desktop.ui.bookings.stale_dialog import StaleVersionDialog
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.error_box import show_error
from dispatch_desktop.ui.kit.lifetime import OpenDialogs, run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.plural import counted
from dispatch_desktop.ui.kit.reason_dialog import ReasonDialog

LOADING_NOTICE_MS = 300  # only a slow load says so; quick refreshes must not flicker


class BookingsPage(QWidget):
    """Everything about bookings in one tab. Refreshes itself whenever bookings change anywhere."""

    status_message = Signal(str)

    def __init__(
        self, console: ConsoleContext, parent: QWidget | None = None, *, load_now: bool = True
    ) -> None:
        """With load_now=False the first load waits for `start_loading()` (the main window calls it
        after its first frame, so a big id list does not compete with painting the window)."""
        super().__init__(parent)
        self.console = console
        self.dialogs = OpenDialogs()
        self.model = BookingsModel(console, self)
        self.proxy = ServerSortProxy(self.model, self)
        self._build()
        self._wire()
        self.console.ops.changed.connect(self._data_changed)
        self._started = False
        if load_now:
            self.start_loading()

    def start_loading(self) -> None:
        """The first load of agents and bookings (once; later loads follow changes and filters)."""
        if self._started:
            return
        self._started = True
        self._load_agents()
        self.apply_filters()

    # --- building -------------------------------------------------------------------------

    def _build(self) -> None:
        self.filters = BookingFilters()
        self.today_button = QPushButton(self.tr("Today"))
        self.today_button.setToolTip(self.tr("Show only today's bookings"))
        self.new_button = QPushButton(self.tr("New booking"))
        self.new_button.setToolTip(self.tr("New booking (Ctrl+N)"))
        self.count_label = PlainLabel()

        self.filters.row.addWidget(self.today_button)
        self.filters.row.addStretch(0)
        self.filters.row.addWidget(self.new_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move within it
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        widths = (100, 150, 160, 120, 230, 190, 130, 180, 90)  # status: room for "⚠ not reached"
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        self.error_label = PlainLabel()
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.error_label, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

        self.edit_action = QAction(self.tr("&Edit…"), self)
        self.assign_action = QAction(self.tr("&Assign / reassign…"), self)
        self.assign_action.setShortcut(QKeySequence("Ctrl+G"))
        self.cancel_action = QAction(self.tr("&Cancel booking…"), self)
        self.history_action = QAction(self.tr("View &history"), self)
        self.history_action.setShortcut(QKeySequence("Ctrl+H"))
        for action in (self.assign_action, self.history_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.table.addAction(action)
        self.assign_action.setVisible(self.console.can(Permission.MANAGE_BOOKINGS))

    def _wire(self) -> None:
        self.filters.changed.connect(self.apply_filters)
        self.today_button.clicked.connect(self.show_today)
        self.new_button.clicked.connect(lambda: self.new_booking())
        self.table.customContextMenuRequested.connect(self._context_menu)
        # Double-click and Enter both arrive as `activated` (one form, even if both fire).
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.edit_action.triggered.connect(self.edit_selected)
        self.assign_action.triggered.connect(self.assign_selected)
        self.cancel_action.triggered.connect(self.cancel_selected)
        self.history_action.triggered.connect(self.history_selected)
        self.model.loaded.connect(self._loaded)
        self._loading_timer = QTimer(self, singleShot=True, interval=LOADING_NOTICE_MS)
        self._loading_timer.timeout.connect(lambda: self.count_label.setText(self.tr("Loading bookings…")))
        self.model.load_started.connect(self._loading_timer.start)
        self.model.load_failed.connect(lambda _message: self._loading_timer.stop())
        self.model.load_failed.connect(self._show_error)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)

    # --- filters --------------------------------------------------------------------------

    def show_today(self) -> None:
        self.filters.show_today()
        self.apply_filters()

    def query(self) -> BookingQuery:
        return self.filters.query(self.model.query)

    def apply_filters(self) -> None:
        self.filters.search_timer.stop()
        query = self.query()
        if query.start_from is not None:
            # The dates are business-local days; the services read naive times in the business zone.
            query = self._local_dates(query)
        self.model.set_query(query)

    def _local_dates(self, query: BookingQuery) -> BookingQuery:
        assert query.start_from is not None and query.start_to is not None
        if self.model.settings is None:  # not loaded yet: this computer's zone is the best guess
            return replace(
                query, start_from=query.start_from.astimezone(), start_to=query.start_to.astimezone()
            )
        zone = self.model.settings.zone
        return replace(
            query,
            start_from=query.start_from.replace(tzinfo=zone),
            start_to=query.start_to.replace(tzinfo=zone),
        )

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def refresh(self) -> None:
        self.model.reload()

    def _data_changed(self, what: Change) -> None:
        if what & (Change.BOOKINGS | Change.SETTINGS):
            self.model.reload()
        if what & Change.AGENTS:
            self._load_agents()

    def _load_agents(self) -> None:
        ctx = self.console.ctx
        run_for(
            self, self.console.ops, lambda: agents.list_agents(ctx), self._agents_arrived, lambda _e: None
        )

    def _agents_arrived(self, team: list[AgentView]) -> None:
        self.filters.show_agents(team)

    def _loaded(self, count: int) -> None:
        self._loading_timer.stop()
        self.error_label.hide()
        self.count_label.setText(counted(count, self.tr("booking"), self.tr("bookings")))

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.status_message.emit(message)

    # --- selection ------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        return self.proxy.booking_id(index.row())

    def select_booking(self, booking_id: int) -> bool:
        row = self.model.row_of(booking_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)
        return True

    def _remember_selection(self) -> None:
        self._selected_before_reset = self.selected_id()

    def _restore_selection(self) -> None:
        booking_id = getattr(self, "_selected_before_reset", None)
        if booking_id is not None:
            self.select_booking(booking_id)

    def _with_selected(self, action: Callable[[BookingView], object]) -> None:
        booking_id = self.selected_id()
        if booking_id is not None:
            self.with_fresh(booking_id, action)

    def _show_failure(self, error: Exception) -> None:
        self.status_message.emit(one_line(error))
        self.dialogs.keep(show_error(self, error))

    # --- actions --------------------------------------------------------------------------

    def may_edit(self, view: BookingView) -> bool:
        return self.console.can(booking_edit_permission(view.agent_id is not None))

    def status_choices(self, view: BookingView) -> tuple[BookingStatus, ...]:
        if not self.may_edit(view):
            return ()
        return allowed_next(BookingStatus(view.status))

    def may_assign(self, view: BookingView) -> bool:
        return (
            self.console.can(Permission.MANAGE_BOOKINGS) and BookingStatus(view.status) in ASSIGNABLE_STATUSES
        )

    def new_booking(self, start: datetime | None = None) -> BookingForm:
        form = BookingForm(self.console, None, self, start=start)
        form.saved.connect(self._saved)
        return self.dialogs.show(form)

    def edit_booking(self, view: BookingView) -> BookingForm | None:
        if BookingStatus(view.status) in FINAL_STATUSES:
            # Nothing left to edit; what happened to it is the useful view.
            self.status_message.emit(
                self.tr("{0} is {1} and can no longer be edited").format(
                    view.reference, status_label(view.status)
                )
            )
            self.show_history(view.id)
            return None
        if not self.may_edit(view):
            # A call-taker asked about an assigned booking: where the technician is, read-only.
            self.status_message.emit(
                self.tr("{0} is assigned: showing its details, read-only.").format(view.reference)
            )
            self.show_details(view.id)
            return None
        return self.dialogs.keep(open_booking_form(self.console, view, self, self._saved))

    def _saved(self, view: BookingView) -> None:
        self.status_message.emit(self.tr("{0} saved").format(view.reference))
        self._pending_select = view.id
        self.model.loaded.connect(self._select_pending, Qt.ConnectionType.SingleShotConnection)

    def _select_pending(self, _count: int) -> None:
        booking_id = getattr(self, "_pending_select", None)
        if booking_id is not None:
            self.select_booking(booking_id)

    def edit_selected(self) -> None:
        self._with_selected(self.edit_booking)

    def assign_selected(self) -> None:
        self._with_selected(self.assign)

    def cancel_selected(self) -> None:
        self._with_selected(lambda view: self.change_status(view, BookingStatus.CANCELLED))

    def history_selected(self) -> None:
        booking_id = self.selected_id()
        if booking_id is not None:
            self.show_history(booking_id)

    def assign(self, view: BookingView) -> AssignDialog | None:
        if not self.may_assign(view):
            self.status_message.emit(self.tr("{0} cannot be assigned now").format(view.reference))
            return None
        dialog = AssignDialog(self.console, view, self)
        dialog.assigned.connect(self._saved)
        return self.dialogs.show(dialog)

    def show_details(self, booking_id: int) -> BookingDetailsDialog:
        return self.dialogs.show(BookingDetailsDialog(self.console, booking_id, self))

    def show_history(self, booking_id: int) -> HistoryDialog:
        dialog = HistoryDialog(self.console, booking_id, self)
        return self.dialogs.show(dialog)

    def change_status(self, view: BookingView, status: BookingStatus) -> ReasonDialog | None:
        if status == BookingStatus.CANCELLED:
            dialog = ReasonDialog(
                self.tr("Cancel {0}").format(view.reference),
                self.tr("Why is {0} ({1}, {2}) cancelled? The customer will be told.").format(
                    view.reference, view.customer_name, view.service
                ),
                self,
                reasons=cancel_reasons(),
                accept_text=self.tr("Cancel booking"),
                reject_text=self.tr("Keep booking"),
            )
            dialog.reason_given.connect(lambda reason: self._set_status(view, status, reason))
            return self.dialogs.show(dialog)
        self._set_status(view, status, None)
        return None

    def _set_status(self, view: BookingView, status: BookingStatus, reason: str | None) -> None:
        ctx = self.console.ctx
        run_for(
            self,
            self.console.ops,
            lambda: bookings.change_status(ctx, view.id, status, reason=reason, expect_version=view.version),
            lambda done: self.status_message.emit(
                self.tr("{0} is now {1}").format(done.reference, status_label(done.status))
            ),
            self._status_refused,
            changes=Change.BOOKINGS,
        )

    def _status_refused(self, error: Exception) -> None:
        from dispatch_desktop.domain.errors import StaleVersionError

        if isinstance(error, StaleVersionError):
            dialog = StaleVersionDialog(str(error), self)
            dialog.reload_requested.connect(self.refresh)
            dialog.open()
            self.dialogs.keep(dialog)
            return
        self._show_failure(error)

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        if not index.isValid():
            return
        booking_id = self.proxy.booking_id(index.row())
        if booking_id is None:
            return
        view = self.model.cached(booking_id)
        if view is None:
            return
        menu = self.build_menu(view)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def build_menu(self, view: BookingView) -> QMenu:
        """The actions this operator may take on this booking, and only those."""
        return booking_menu(self, view)

    def with_fresh(self, booking_id: int, action: Callable[[BookingView], object]) -> None:
        """Act on the booking as stored now, not on a cached row that may be out of date."""
        ctx = self.console.ctx
        run_for(
            self, self.console.ops, lambda: bookings.get_booking(ctx, booking_id), action, self._show_failure
        )
