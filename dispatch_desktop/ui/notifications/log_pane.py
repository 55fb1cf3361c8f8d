"""The notification log dock: every workstation's notifications from the shared outbox, plus
this workstation's live [DEV]/[PROD] log lines, newest at the bottom, bounded in memory.
"""

from datetime import datetime

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.delivery import DELIVERY_STATES
from dispatch_desktop.domain.outbox import Channel, OutboxStatus
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.services import outbox
from dispatch_desktop.services.console_notify import BulkRetryResult, retry_failed
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.plural import counted
from dispatch_desktop.ui.kit.poller import Poller
from dispatch_desktop.ui.notifications.live_lines import LineBatch
from dispatch_desktop.ui.notifications.log_details import LogDetailsDialog
from dispatch_desktop.ui.notifications.log_model import (
    ATTENTION,
    INITIAL_ROWS,
    LINE_COLUMN,
    LIVE,
    MAX_ROWS,
    NOT_REACHED_FILTER,
    OUTBOX,
    POLL_MS,
    REFRESH_ON,
    LogEntry,
    LogFilter,
    NotificationLogModel,
    TailHandler,
    attach_tail_handler,
    detach_tail_handler,
)

__all__ = [
    "LIVE",
    "MAX_ROWS",
    "OUTBOX",
    "LogDetailsDialog",
    "LogEntry",
    "NotificationLogDock",
    "NotificationLogModel",
    "TailHandler",
]


class NotificationLogDock(QDockWidget):
    """Kept open all day by supervisors; polls the shared outbox on a worker every two seconds."""

    polled = Signal()

    def __init__(
        self, console: ConsoleContext, parent: QWidget | None = None, *, max_rows: int = MAX_ROWS
    ) -> None:
        super().__init__(self.tr("Notification log"), parent)
        self.setObjectName("NotificationLogDock")
        self.console = console
        self.may_manage = console.can(Permission.MANAGE_OUTBOX)
        self.poll_cursor: datetime | None = None  # the newest change seen (QWidget has a cursor())
        self._started = False
        self.details: LogDetailsDialog | None = None

        self.model = NotificationLogModel(max_rows, self)
        self.proxy = LogFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((70, 48, 60, 74, 90, 120)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self.show_details)

        self.channel_filter = QComboBox()
        for label, value in (
            (self.tr("All channels"), ""),
            ("SMS", Channel.SMS.value),
            (self.tr("Email"), Channel.EMAIL.value),
        ):
            self.channel_filter.addItem(label, value)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("All statuses"), "")
        self.status_filter.addItem(self.tr("Needs attention"), "attention")
        for status in outbox.STATUSES:
            self.status_filter.addItem(status, status)
        self.delivery_filter = QComboBox()
        self.delivery_filter.setObjectName("deliveryFilter")
        self.delivery_filter.addItem(self.tr("All deliveries"), "")
        self.delivery_filter.addItem(self.tr("Not reached"), NOT_REACHED_FILTER)
        for state in DELIVERY_STATES:
            self.delivery_filter.addItem(state, state)
        self.source_filter = QComboBox()
        for label, value in (
            (self.tr("All workstations"), ""),
            (self.tr("Outbox"), OUTBOX),
            (self.tr("Live lines"), LIVE),
        ):
            self.source_filter.addItem(label, value)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText(self.tr("Filter text, recipient, error…"))
        self.text_filter.setClearButtonEnabled(True)
        for combo in (self.channel_filter, self.status_filter, self.delivery_filter, self.source_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.text_filter.textChanged.connect(self._apply_filters)
        self.pause_button = QToolButton()
        self.pause_button.setText(self.tr("Pause scrolling"))
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip(self.tr("Keep the view still while you read; new lines still arrive"))
        self.retry_button = QPushButton(self.tr("Retry"))
        self.dismiss_button = QPushButton(self.tr("Dismiss"))
        self.retry_all_button = QPushButton(self.tr("Retry all failed shown"))
        self.retry_all_button.setToolTip(
            self.tr(
                "Queue every failed row in the list again. Unknown SMS are left for a person to decide one by one."
            )
        )
        self.retry_all_button.clicked.connect(self.retry_all_failed)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.retry_button.clicked.connect(lambda: self._act_on_selected(retry=True))
        self.dismiss_button.clicked.connect(lambda: self._act_on_selected(retry=False))
        for button in (self.retry_button, self.dismiss_button, self.retry_all_button):
            button.setVisible(self.may_manage)
        self.count_label = PlainLabel()
        self.message = MessageLine()

        filters = QHBoxLayout()
        filters.addWidget(self.channel_filter)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.delivery_filter)
        filters.addWidget(self.source_filter)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.pause_button)
        filters.addWidget(self.retry_button)
        filters.addWidget(self.dismiss_button)
        filters.addWidget(self.retry_all_button)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.message, 1)
        footer.addWidget(self.progress)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        self.setWidget(body)

        self.tail = attach_tail_handler(max_rows)
        self.model.add_lines(self.tail.snapshot())
        self.new_lines = LineBatch(self.model.add_lines, self)
        # Always queued, even from the UI thread, so lines keep the order they were logged in.
        self.tail.bridge.lineLogged.connect(self.new_lines.take, Qt.ConnectionType.QueuedConnection)
        tail = self.tail
        self.destroyed.connect(lambda *_: detach_tail_handler(tail))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.detach)

        self.proxy.rowsInserted.connect(self._follow)
        self.proxy.modelReset.connect(self._update_counts)
        self.proxy.rowsRemoved.connect(self._update_counts)
        self.proxy.rowsRemoved.connect(self._hold_still)
        self.proxy.dataChanged.connect(lambda *_: self._update_buttons())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        # A closed dock costs nothing: it catches up from its cursor when it is shown again.
        self.poller = Poller(
            self,
            console.ops,
            self._changed_rows,
            self._polled,
            self._poll_failed,
            interval_ms=POLL_MS,
            coalesce=False,
            due=self.isVisible,
        )
        console.ops.changed.connect(self._on_changed)
        self._update_buttons()
        self._update_counts()
        self.poller.start()

    # --- life -----------------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        return self.poller.in_flight

    @property
    def poll_count(self) -> int:
        return self.poller.polls

    def detach(self) -> None:
        """Stop polling and listening to the log (the main window calls this on quit)."""
        self.poller.stop()
        detach_tail_handler(self.tail)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.poll()

    def _on_changed(self, what: Change) -> None:
        if what & REFRESH_ON:
            self._poll_if_shown()

    def poll(self) -> None:
        self.poller.poll()

    def _poll_if_shown(self) -> None:
        if self.isVisible():
            self.poller.poll()

    def _changed_rows(self) -> tuple[list[OutboxView], datetime | None]:
        """On a worker; one at a time, so the cursor cannot move meanwhile."""
        ctx, cursor = self.console.ctx, self.poll_cursor
        if not self._started:
            newest = list(reversed(outbox.list_outbox(ctx, limit=INITIAL_ROWS)))
            return newest, max((v.updated_at for v in newest), default=None)
        return outbox.changed_since(ctx, cursor)

    def _polled(self, result: tuple[list[OutboxView], datetime | None]) -> None:
        views, cursor = result
        self._started = True
        if cursor is not None:
            self.poll_cursor = cursor
        self.model.upsert_outbox(views)
        if self.message.is_error:
            self.message.clear_message()
        self._update_counts()
        self.polled.emit()

    def _poll_failed(self, error: Exception) -> None:
        self.message.show_error(error)

    # --- view -----------------------------------------------------------------------------

    def _apply_filters(self) -> None:
        self.proxy.set_filters(
            channel=self.channel_filter.currentData() or "",
            status=self.status_filter.currentData() or "",
            source=self.source_filter.currentData() or "",
            text=self.text_filter.text(),
            delivery=self.delivery_filter.currentData() or "",
        )
        self._update_counts()
        self._follow()

    def _follow(self, *_: object) -> None:
        self._update_counts()
        if not self.pause_button.isChecked():
            self.table.scrollToBottom()

    def _hold_still(self, _parent: QModelIndex, first: int, last: int) -> None:
        """While paused, old rows falling off the top must not slide what the person is reading."""
        if not self.pause_button.isChecked():
            return
        bar = self.table.verticalScrollBar()
        top = self.table.rowAt(0)
        if first <= top or top < 0:
            bar.setValue(max(0, bar.value() - (last - first + 1)))

    def _update_counts(self, *_: object) -> None:
        attention = sum(1 for e in self.model.entries() if e.source == OUTBOX and e.status in ATTENTION)
        text = self.tr("%d shown of %d") % (self.proxy.rowCount(), self.model.rowCount())
        if attention:
            text += self.tr(" · %d need attention") % attention
        self.count_label.setText(text)

    def visible_lines(self) -> list[str]:
        return [self.proxy.index(row, LINE_COLUMN).data() for row in range(self.proxy.rowCount())]

    def selected_entry(self) -> LogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(NotificationLogModel.EntryRole) if rows else None

    def select_outbox(self, message_id: int) -> None:
        for row in range(self.proxy.rowCount()):
            entry = self.proxy.index(row, 0).data(NotificationLogModel.EntryRole)
            if entry.message is not None and entry.message.id == message_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        status = entry.message.status if entry is not None and entry.message is not None else None
        self.retry_button.setEnabled(status in outbox.RETRYABLE)
        self.dismiss_button.setEnabled(status in outbox.DISMISSABLE)

    def show_details(self, index: QModelIndex | None = None) -> LogDetailsDialog | None:
        entry = index.data(NotificationLogModel.EntryRole) if index is not None else self.selected_entry()
        if entry is None:
            return None
        if self.details is not None and not self.details.isVisible():
            self.details.deleteLater()
        self.details = LogDetailsDialog(entry, self.may_manage, self)
        self.details.retryRequested.connect(lambda message_id: self.act(message_id, retry=True))
        self.details.dismissRequested.connect(lambda message_id: self.act(message_id, retry=False))
        self.details.open()
        return self.details

    # --- actions --------------------------------------------------------------------------

    def failed_shown(self) -> list[int]:
        ids = []
        for row in range(self.proxy.rowCount()):
            entry = self.proxy.index(row, 0).data(NotificationLogModel.EntryRole)
            if entry.source == OUTBOX and entry.message is not None and entry.status == OutboxStatus.FAILED:
                ids.append(entry.message.id)
        return list(dict.fromkeys(ids))

    def retry_all_failed(self) -> None:
        """Bulk retry with progress, on a worker (a supervisor's morning after an SMTP outage)."""
        ids = self.failed_shown()
        if not ids:
            self.message.show_info(self.tr("No failed notifications in the list."))
            return
        ctx = self.console.ctx
        self.retry_all_button.setEnabled(False)
        self.progress.setRange(0, len(ids))
        self.progress.setValue(0)
        self.progress.show()
        run_for(
            self,
            self.console.ops,
            lambda progress: retry_failed(ctx, ids, progress),
            self._retried_all,
            self._retry_all_failed,
            changes=Change.OUTBOX,
            on_progress=lambda done, total: self.progress.setValue(done),
        )

    def _retried_all(self, result: BulkRetryResult) -> None:
        self.progress.hide()
        self.retry_all_button.setEnabled(True)
        self.model.upsert_outbox(result.retried)
        text = self.tr("%s queued again.") % counted(
            len(result.retried), self.tr("notification"), self.tr("notifications")
        )
        if result.skipped:
            text += self.tr(" %d skipped: already handled elsewhere.") % result.skipped
        self.message.show_info(text)

    def _retry_all_failed(self, error: Exception) -> None:
        self.progress.hide()
        self.retry_all_button.setEnabled(True)
        self.message.show_error(error)

    def _act_on_selected(self, *, retry: bool) -> None:
        entry = self.selected_entry()
        if entry is not None and entry.message is not None:
            self.act(entry.message.id, retry=retry)

    def act(self, message_id: int, *, retry: bool) -> None:
        """Retry (queue again, due now) or dismiss one outbox row, on a worker."""
        ctx = self.console.ctx
        work = outbox.retry_message if retry else outbox.dismiss_message
        done = self.tr("Notification %d queued again.") if retry else self.tr("Notification %d dismissed.")
        run_for(
            self,
            self.console.ops,
            lambda: work(ctx, message_id),
            lambda view: self._acted(view, done),
            self.message.show_error,
            changes=Change.OUTBOX,
        )

    def _acted(self, view: OutboxView, done: str) -> None:
        self.model.upsert_outbox([view])
        self.message.show_info(done % view.id)
