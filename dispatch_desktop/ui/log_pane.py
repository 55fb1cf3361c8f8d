"""The notification log dock: every workstation's notifications from the shared outbox, plus
this workstation's live [DEV]/[PROD] log lines, newest at the bottom, bounded in memory.

Live lines come from a logging.Handler on the notifier's logger that keeps a bounded deque
and re-emits each line through a Qt signal, so lines logged on any thread reach the view on
the UI thread (the approach of Picard's TailLogger).
"""

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.services import outbox
from dispatch_desktop.services.console_notify import LOGGER_NAME, environment_tag, outbox_line
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.ui.console import ConsoleContext
from dispatch_desktop.ui.pane_helpers import MessageLine, run_for

Index = QModelIndex | QPersistentModelIndex
MAX_ROWS = 5000
POLL_MS = 2000
INITIAL_ROWS = 1000
OUTBOX, LIVE = "outbox", "this workstation"
ATTENTION = ("failed", "unknown", "retry")
REFRESH_ON = {"outbox", "bookings", "time_off", "*"}

STATUS_COLORS = {
    "failed": "#e53935",
    "unknown": "#d81b60",
    "retry": "#fb8c00",
    "sent": "#43a047",
    "logged": "#1e88e5",
    "queued": "#8e8e8e",
    "sending": "#8e8e8e",
    "skipped": "#8e8e8e",
    "dismissed": "#8e8e8e",
}
PROD_TINT = QColor(229, 57, 53, 45)


@dataclass
class LogEntry:
    """One row of the pane: an outbox row (updated in place as it moves on) or a live log line."""

    source: str
    line: str
    at: datetime
    environment: str = ""  # "DEV", "PROD" or "" (not delivered yet)
    channel: str = ""
    status: str = ""
    message: OutboxView | None = None
    seq: int = field(default=0, compare=False)

    @classmethod
    def of_outbox(cls, view: OutboxView) -> "LogEntry":
        return cls(
            OUTBOX,
            outbox_line(view),
            view.updated_at,
            environment_tag(view.environment),
            view.channel,
            view.status,
            view,
        )

    @classmethod
    def of_line(cls, line: str, at: datetime) -> "LogEntry":
        tag = "PROD" if line.startswith("[PROD]") else "DEV" if line.startswith("[DEV]") else ""
        channel = "sms" if " SMS " in f" {line} " else "email" if " EMAIL " in f" {line} " else ""
        status = ""
        for word, name in (
            ("(not sent)", "logged"),
            (" sent ", "sent"),
            (" failed ", "failed"),
            (" skipped", "skipped"),
        ):
            if word in line:
                status = name
                break
        return cls(LIVE, line, at, tag, channel, status)

    def details(self) -> str:
        view = self.message
        if view is None:
            return f"{self.line}\n\n(logged on this workstation at {self.at.astimezone():%Y-%m-%d %H:%M:%S})"
        parts = [
            self.line,
            "",
            f"Outbox id: {view.id}    event: {view.event}",
            f"Channel: {view.channel}    status: {view.status}    attempts: {view.attempts}",
            f"Recipient: {view.recipient_name or '-'} ({view.recipient_kind}) <{view.recipient}>",
        ]
        if view.sent_to and view.sent_to != view.recipient:
            parts.append(f"Actually sent to: {view.sent_to}")
        if view.subject:
            parts.append(f"Subject: {view.subject}")
        if view.provider_id:
            parts.append(f"Provider id: {view.provider_id}")
        if view.last_error:
            parts += ["", f"Error: {view.last_error}"]
        parts += [
            "",
            f"Created {view.created_at.astimezone():%Y-%m-%d %H:%M:%S}, "
            f"updated {view.updated_at.astimezone():%Y-%m-%d %H:%M:%S}",
            "",
            "Message:",
            view.body,
        ]
        return "\n".join(parts)


class LiveLogBridge(QObject):
    lineLogged = Signal(str, object)  # line, datetime


class TailHandler(logging.Handler):
    """Keeps the last `maxlen` notifier lines and hands each new one to the UI thread via a signal."""

    def __init__(self, maxlen: int = MAX_ROWS) -> None:
        super().__init__(logging.INFO)
        self.lines: deque[tuple[str, datetime]] = deque(maxlen=maxlen)
        self.bridge = LiveLogBridge()
        self._lock_lines = threading.Lock()
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # a bad record must never break the caller's send
            self.handleError(record)
            return
        at = datetime.fromtimestamp(record.created, UTC)
        with self._lock_lines:
            self.lines.append((line, at))
        if shiboken6.isValid(self.bridge):  # not after Qt has torn down at exit
            self.bridge.lineLogged.emit(line, at)

    def snapshot(self) -> list[tuple[str, datetime]]:
        with self._lock_lines:
            return list(self.lines)


def attach_tail_handler(maxlen: int = MAX_ROWS) -> TailHandler:
    logger = logging.getLogger(LOGGER_NAME)
    handler = TailHandler(maxlen)
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        # Without the notifier's own logging set up, INFO lines would never reach any handler.
        logger.setLevel(logging.INFO)
    return handler


def detach_tail_handler(handler: TailHandler) -> None:
    logging.getLogger(LOGGER_NAME).removeHandler(handler)
    handler.close()


class NotificationLogModel(QAbstractTableModel):
    """At most `max_rows` entries; the oldest fall off the top as new ones arrive at the bottom."""

    EntryRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = ("Time", "Env", "Channel", "Status", "Source", "Line")

    def __init__(self, max_rows: int = MAX_ROWS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.max_rows = max_rows
        self._rows: deque[LogEntry] = deque()
        self._by_outbox_id: dict[int, LogEntry] = {}
        self._next_seq = 0
        self.headers = [
            self.tr("Time"),
            self.tr("Env"),
            self.tr("Channel"),
            self.tr("Status"),
            self.tr("Source"),
            self.tr("Line"),
        ]

    # Entries are only appended at the bottom and dropped from the top, so an entry's row is
    # its sequence number minus the first entry's: no search needed to update one in place.
    def _row_of(self, entry: LogEntry) -> int:
        return entry.seq - self._rows[0].seq

    def entries(self) -> list[LogEntry]:
        return list(self._rows)

    def entry(self, row: int) -> LogEntry:
        return self._rows[row]

    def lines(self) -> list[str]:
        return [e.line for e in self._rows]

    def add_line(self, line: str, at: datetime) -> None:
        self._append([LogEntry.of_line(line, at)])

    def upsert_outbox(self, views: list[OutboxView]) -> None:
        fresh: list[LogEntry] = []
        for view in views:
            known = self._by_outbox_id.get(view.id)
            if known is None:
                entry = LogEntry.of_outbox(view)
                self._by_outbox_id[view.id] = entry
                fresh.append(entry)
                continue
            if known.message is not None and (
                view.updated_at < known.message.updated_at
                or (view.updated_at == known.message.updated_at and view.status == known.status)
            ):
                continue  # a poll that started before a newer change must not roll the row back
            updated = LogEntry.of_outbox(view)
            known.line, known.at, known.environment = updated.line, updated.at, updated.environment
            known.status, known.message, known.channel = updated.status, updated.message, updated.channel
            if known in fresh:
                continue
            row = self._row_of(known)
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        self._append(fresh)

    def _append(self, entries: list[LogEntry]) -> None:
        if not entries:
            return
        entries = entries[-self.max_rows :]
        overflow = len(self._rows) + len(entries) - self.max_rows
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            for _ in range(overflow):
                gone = self._rows.popleft()
                if gone.message is not None and self._by_outbox_id.get(gone.message.id) is gone:
                    del self._by_outbox_id[gone.message.id]
            self.endRemoveRows()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
        for entry in entries:
            entry.seq = self._next_seq
            self._next_seq += 1
            self._rows.append(entry)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(self.HEADERS)):
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                entry.at.astimezone().strftime("%H:%M:%S"),
                entry.environment,
                entry.channel,
                entry.status,
                entry.source,
                entry.line,
            )[column]
        if role == self.EntryRole:
            return entry
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return entry.line
        coloured = column == 3 or (column == 5 and entry.status in ATTENTION)
        if role == Qt.ItemDataRole.ForegroundRole and coloured and entry.status in STATUS_COLORS:
            return QBrush(QColor(STATUS_COLORS[entry.status]))
        if role == Qt.ItemDataRole.BackgroundRole and entry.environment == "PROD":
            return QBrush(PROD_TINT)
        if role == Qt.ItemDataRole.FontRole and (
            (column == 1 and entry.environment == "PROD") or (column == 3 and entry.status in ATTENTION)
        ):
            font = QFont()
            font.setBold(True)
            return font
        return None


class LogFilter(QSortFilterProxyModel):
    """Channel, status ("attention" means failed, unknown or retry), source and free text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.channel = ""
        self.status = ""
        self.source = ""
        self.text = ""

    def set_filters(self, *, channel: str = "", status: str = "", source: str = "", text: str = "") -> None:
        self.beginFilterChange()
        self.channel, self.status, self.source, self.text = channel, status, source, text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        entry: LogEntry = model.index(source_row, 0, source_parent).data(NotificationLogModel.EntryRole)
        if entry is None:
            return False
        if self.channel and entry.channel != self.channel:
            return False
        if self.status == "attention":
            if entry.status not in ATTENTION:
                return False
        elif self.status and entry.status != self.status:
            return False
        if self.source and entry.source != self.source:
            return False
        if self.text:
            view = entry.message
            haystack = " ".join(
                [entry.line, *((view.recipient_name or "", view.last_error or "", view.body) if view else ())]
            ).lower()
            if self.text not in haystack:
                return False
        return True


class LogDetailsDialog(QDialog):
    """The whole message, recipient and error; retry or dismiss when the row allows and the role may."""

    retryRequested = Signal(int)
    dismissRequested = Signal(int)

    def __init__(self, entry: LogEntry, may_manage: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setWindowTitle(self.tr("Notification details"))
        self.resize(640, 420)
        self.text = QPlainTextEdit(entry.details())
        self.text.setReadOnly(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.retry_button: QPushButton | None = None
        self.dismiss_button: QPushButton | None = None
        view = entry.message
        if may_manage and view is not None:
            if view.status in outbox.RETRYABLE:
                self.retry_button = self.buttons.addButton(
                    self.tr("&Retry"), QDialogButtonBox.ButtonRole.ActionRole
                )
                self.retry_button.clicked.connect(lambda: (self.retryRequested.emit(view.id), self.accept()))
            if view.status in outbox.DISMISSABLE:
                self.dismiss_button = self.buttons.addButton(
                    self.tr("&Dismiss"), QDialogButtonBox.ButtonRole.ActionRole
                )
                self.dismiss_button.clicked.connect(
                    lambda: (self.dismissRequested.emit(view.id), self.accept())
                )
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)


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
        self.cursor: datetime | None = None
        self.poll_count = 0
        self._polling = False
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
        for column, width in enumerate((70, 48, 60, 74, 120)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self.show_details)

        self.channel_filter = QComboBox()
        for label, value in ((self.tr("All channels"), ""), ("SMS", "sms"), (self.tr("Email"), "email")):
            self.channel_filter.addItem(label, value)
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("All statuses"), "")
        self.status_filter.addItem(self.tr("Needs attention"), "attention")
        for status in outbox.STATUSES:
            self.status_filter.addItem(status, status)
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
        for combo in (self.channel_filter, self.status_filter, self.source_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.text_filter.textChanged.connect(self._apply_filters)
        self.pause_button = QToolButton()
        self.pause_button.setText(self.tr("Pause scrolling"))
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip(self.tr("Keep the view still while you read; new lines still arrive"))
        self.retry_button = QPushButton(self.tr("Retry"))
        self.dismiss_button = QPushButton(self.tr("Dismiss"))
        self.retry_button.clicked.connect(lambda: self._act_on_selected(retry=True))
        self.dismiss_button.clicked.connect(lambda: self._act_on_selected(retry=False))
        for button in (self.retry_button, self.dismiss_button):
            button.setVisible(self.may_manage)
        self.count_label = QLabel()
        self.message = MessageLine()

        filters = QHBoxLayout()
        filters.addWidget(self.channel_filter)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.source_filter)
        filters.addWidget(self.text_filter, 1)
        filters.addWidget(self.pause_button)
        filters.addWidget(self.retry_button)
        filters.addWidget(self.dismiss_button)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.message, 1)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)
        self.setWidget(body)

        self.tail = attach_tail_handler(max_rows)
        for line, at in self.tail.snapshot():
            self.model.add_line(line, at)
        # Always queued, even from the UI thread, so lines keep the order they were logged in.
        self.tail.bridge.lineLogged.connect(self.model.add_line, Qt.ConnectionType.QueuedConnection)
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
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        console.ops.changed.connect(self._on_changed)
        self._update_buttons()
        self._update_counts()
        self.timer.start()
        self.poll()

    # --- life -----------------------------------------------------------------------------

    @property
    def polling(self) -> bool:
        return self._polling

    def detach(self) -> None:
        """Stop polling and listening to the log (the main window calls this on quit)."""
        self.timer.stop()
        detach_tail_handler(self.tail)

    def _on_changed(self, what: str) -> None:
        if what in REFRESH_ON:
            self.poll()

    def poll(self) -> None:
        if self._polling:
            return
        self._polling = True
        ctx, cursor, first = self.console.ctx, self.cursor, not self._started

        def work() -> tuple[list[OutboxView], datetime | None]:
            if first:
                newest = list(reversed(outbox.list_outbox(ctx, limit=INITIAL_ROWS)))
                return newest, max((v.updated_at for v in newest), default=None)
            return outbox.changed_since(ctx, cursor)

        run_for(self, work, self._polled, self._poll_failed)

    def _polled(self, result: tuple[list[OutboxView], datetime | None]) -> None:
        views, cursor = result
        self._polling = False
        self._started = True
        if cursor is not None:
            self.cursor = cursor
        self.model.upsert_outbox(views)
        if self.message.is_error:
            self.message.clear_message()
        self.poll_count += 1
        self._update_counts()
        self.polled.emit()

    def _poll_failed(self, error: Exception) -> None:
        self._polling = False
        self.message.show_error(error)

    # --- view -----------------------------------------------------------------------------

    def _apply_filters(self) -> None:
        self.proxy.set_filters(
            channel=self.channel_filter.currentData() or "",
            status=self.status_filter.currentData() or "",
            source=self.source_filter.currentData() or "",
            text=self.text_filter.text(),
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
        return [self.proxy.index(row, 5).data() for row in range(self.proxy.rowCount())]

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
            lambda: work(ctx, message_id),
            lambda view: (self.model.upsert_outbox([view]), self.message.show_info(done % view.id)),
            self.message.show_error,
            changes="outbox",
        )
