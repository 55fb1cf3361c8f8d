"""The Bookings tab: search, filters, the lazy table and what can be done to a booking."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.statuses import (
    ASSIGNABLE_STATUSES,
    NOT_STARTED_STATUSES,
    BookingSource,
    BookingStatus,
    allowed_next,
)
from dispatch_desktop.services import agents, bookings
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.views import AgentView, BookingView
from dispatch_desktop.ui.bookings.assign_dialog import AssignDialog
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.bookings.history_dialog import HistoryDialog
from dispatch_desktop.ui.bookings.labels import source_label, status_label
from dispatch_desktop.ui.bookings.model import BookingsModel
from dispatch_desktop.ui.bookings.sort_proxy import ServerSortProxy
from dispatch_desktop.ui.bookings.stale_dialog import StaleVersionDialog
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.error_box import show_error
from dispatch_desktop.ui.kit.lifetime import is_alive, run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.reason_dialog import ReasonDialog

SEARCH_DELAY_MS = 250
LOADING_NOTICE_MS = 300  # only a slow load says so; quick refreshes must not flicker
ACTIVE = "active"
NOT_STARTED = "not started"
UNASSIGNED = -1
FINAL_STATUSES = frozenset({BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW})


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
        self.open_dialogs: list[QWidget] = []
        self.model = BookingsModel(console, self)
        self.proxy = ServerSortProxy(self.model, self)
        self._build()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
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
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search reference, customer, phone or address  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("All statuses"), None)
        self.status_filter.addItem(self.tr("Active (not cancelled / no-show)"), ACTIVE)
        self.status_filter.addItem(self.tr("Not started"), NOT_STARTED)
        for status in BookingStatus:
            self.status_filter.addItem(status_label(status), status.value)
        self.agent_filter = QComboBox()
        self.agent_filter.addItem(self.tr("All agents"), None)
        self.agent_filter.addItem(self.tr("Unassigned"), UNASSIGNED)
        self.source_filter = QComboBox()
        self.source_filter.addItem(self.tr("All sources"), None)
        for source in BookingSource:
            self.source_filter.addItem(source_label(source), source.value)
        self.date_filter = QCheckBox(self.tr("From"))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today)
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.today_button = QPushButton(self.tr("Today"))
        self.today_button.setToolTip(self.tr("Show only today's bookings"))
        self.new_button = QPushButton(self.tr("New booking"))
        self.new_button.setToolTip(self.tr("New booking (Ctrl+N)"))
        self.count_label = PlainLabel()

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.agent_filter)
        filters.addWidget(self.source_filter)
        filters.addWidget(self.date_filter)
        filters.addWidget(self.date_from)
        filters.addWidget(PlainLabel(self.tr("to")))
        filters.addWidget(self.date_to)
        filters.addWidget(self.today_button)
        filters.addStretch(0)
        filters.addWidget(self.new_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        widths = (100, 150, 160, 120, 250, 190, 130, 100, 90)
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
        layout.addLayout(filters)
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
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        for combo in (self.status_filter, self.agent_filter, self.source_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.date_filter.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(self.apply_filters)
        self.date_to.dateChanged.connect(self.apply_filters)
        self.today_button.clicked.connect(self.show_today)
        self.new_button.clicked.connect(lambda: self.new_booking())
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.customContextMenuRequested.connect(self._context_menu)
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

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    def show_today(self) -> None:
        today = QDate.currentDate()
        self.date_from.setDate(today)
        self.date_to.setDate(today)
        self.date_filter.setChecked(True)
        self.apply_filters()

    def query(self) -> BookingQuery:
        status = self.status_filter.currentData()
        if status is None:
            statuses: tuple[str, ...] = ()
        elif status == ACTIVE:
            statuses = tuple(
                s.value for s in BookingStatus if s not in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
            )
        elif status == NOT_STARTED:
            statuses = tuple(s.value for s in NOT_STARTED_STATUSES)
        else:
            statuses = (status,)
        agent = self.agent_filter.currentData()
        start_from = start_to = None
        if self.date_filter.isChecked():
            start_from = datetime.combine(self.date_from.date().toPython(), time())
            end_day: date = self.date_to.date().toPython()
            start_to = datetime.combine(max(end_day, start_from.date()) + timedelta(days=1), time())
        current = self.model.query
        return BookingQuery(
            text=self.search.text().strip(),
            statuses=statuses,
            agent_id=agent if agent not in (None, UNASSIGNED) else None,
            unassigned=agent == UNASSIGNED,
            source=self.source_filter.currentData(),
            start_from=start_from,
            start_to=start_to,
            sort=current.sort,
            descending=current.descending,
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
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
        self.search.setFocus()
        self.search.selectAll()

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
        current = self.agent_filter.currentData()
        self.agent_filter.blockSignals(True)
        while self.agent_filter.count() > 2:
            self.agent_filter.removeItem(2)
        for agent in team:
            label = agent.name if agent.active else self.tr("{0} (inactive)").format(agent.name)
            self.agent_filter.addItem(label, agent.id)
        index = self.agent_filter.findData(current)
        self.agent_filter.setCurrentIndex(max(0, index))
        self.agent_filter.blockSignals(False)

    def _loaded(self, count: int) -> None:
        self._loading_timer.stop()
        self.error_label.hide()
        self.count_label.setText(self.tr("%n booking(s)", "", count))

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

    def _with_selected(self, action) -> None:  # type: ignore[no-untyped-def]
        booking_id = self.selected_id()
        if booking_id is None:
            return
        ctx = self.console.ctx
        # Act on the booking as stored now, not on a cached row that may be out of date.
        run_for(
            self, self.console.ops, lambda: bookings.get_booking(ctx, booking_id), action, self._show_failure
        )

    def _show_failure(self, error: Exception) -> None:
        self.status_message.emit(one_line(error))
        self._keep(show_error(self, error))

    def _keep(self, widget: QWidget) -> QWidget:
        self.open_dialogs = [d for d in self.open_dialogs if is_alive(d) and d.isVisible()]
        self.open_dialogs.append(widget)
        return widget

    # --- actions --------------------------------------------------------------------------

    def may_edit(self, view: BookingView) -> bool:
        if view.agent_id is None:
            return self.console.can(Permission.EDIT_UNASSIGNED_BOOKING)
        return self.console.can(Permission.MANAGE_BOOKINGS)

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
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        self._keep(form)
        return form

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
            self.status_message.emit(self.tr("You may not edit {0}: it is assigned.").format(view.reference))
            return None
        form = BookingForm(self.console, view, self)
        form.saved.connect(self._saved)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        self._keep(form)
        return form

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
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self._keep(dialog)
        return dialog

    def show_history(self, booking_id: int) -> HistoryDialog:
        dialog = HistoryDialog(self.console, booking_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self._keep(dialog)
        return dialog

    def change_status(self, view: BookingView, status: BookingStatus) -> ReasonDialog | None:
        if status == BookingStatus.CANCELLED:
            dialog = ReasonDialog(
                self.tr("Cancel {0}").format(view.reference),
                self.tr("Why is {0} ({1}, {2}) cancelled? The customer will be told.").format(
                    view.reference, view.customer_name, view.service
                ),
                self,
            )
            dialog.reason_given.connect(lambda reason: self._set_status(view, status, reason))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()
            self._keep(dialog)
            return dialog
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
            self._keep(dialog)
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
        menu = QMenu(self)
        menu.setObjectName("bookingMenu")
        edit = menu.addAction(self.tr("&Edit…"))
        edit.setEnabled(self.may_edit(view) and BookingStatus(view.status) not in FINAL_STATUSES)
        edit.triggered.connect(lambda: self._with_id(view.id, self.edit_booking))
        if self.console.can(Permission.MANAGE_BOOKINGS):
            assign = menu.addAction(self.tr("&Reassign…") if view.agent_id else self.tr("&Assign…"))
            assign.setObjectName("assign")
            assign.setEnabled(self.may_assign(view))
            assign.triggered.connect(lambda: self._with_id(view.id, self.assign))
        choices = self.status_choices(view)
        if choices:
            status_menu = menu.addMenu(self.tr("Change &status"))
            for status in choices:
                if status == BookingStatus.CANCELLED:
                    continue
                action = status_menu.addAction(status_label(status))
                action.setData(status.value)
                action.triggered.connect(
                    lambda _checked=False, s=status: self._with_id(
                        view.id, lambda fresh: self.change_status(fresh, s)
                    )
                )
            if status_menu.isEmpty():
                status_menu.menuAction().setVisible(False)
            if BookingStatus.CANCELLED in choices:
                cancel = menu.addAction(self.tr("&Cancel booking…"))
                cancel.setObjectName("cancel")
                cancel.triggered.connect(
                    lambda: self._with_id(
                        view.id, lambda fresh: self.change_status(fresh, BookingStatus.CANCELLED)
                    )
                )
        menu.addSeparator()
        history = menu.addAction(self.tr("View &history"))
        history.triggered.connect(lambda: self.show_history(view.id))
        return menu

    def _with_id(self, booking_id: int, action) -> None:  # type: ignore[no-untyped-def]
        ctx = self.console.ctx
        run_for(
            self, self.console.ops, lambda: bookings.get_booking(ctx, booking_id), action, self._show_failure
        )
