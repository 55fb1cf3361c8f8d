"""What the notification log pane holds: entries, the live log handler, the bounded model and its filter.

Live lines come from a logging.Handler on the notifier's logger that keeps a bounded deque
and re-emits each line through a Qt signal, so lines logged on any thread reach the view on
the UI thread (the approach of Picard's TailLogger). A line's environment, channel and status
come from the notice on its record and an outbox row's from the row, never from the text.
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
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from dispatch_desktop.domain.delivery import NOT_REACHED, Delivery
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.services.console_notify import (
    LOGGER_NAME,
    NOTICE_ATTRIBUTE,
    Notice,
    environment_tag,
    outbox_line,
)
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.plain import plain_tip

Index = QModelIndex | QPersistentModelIndex
MAX_ROWS = 5000
POLL_MS = 2000
INITIAL_ROWS = 1000
OUTBOX, LIVE = "outbox", "this workstation"
_S = OutboxStatus
ATTENTION = (_S.FAILED, _S.UNKNOWN, _S.RETRY)
REFRESH_ON = Change.OUTBOX | Change.BOOKINGS | Change.TIME_OFF

# Keyed by str: an entry's status is the row's, as stored.
STATUS_COLORS: dict[str, str] = {
    _S.FAILED: "#e53935",
    _S.UNKNOWN: "#d81b60",
    _S.RETRY: "#fb8c00",
    _S.SENT: "#43a047",
    _S.LOGGED: "#1e88e5",
    _S.QUEUED: "#8e8e8e",
    _S.SENDING: "#8e8e8e",
    _S.SKIPPED: "#8e8e8e",
    _S.DISMISSED: "#8e8e8e",
    _S.SCHEDULED: "#8e8e8e",
    _S.HELD: "#6d4c41",
    _S.SUPERSEDED: "#8e8e8e",
}
PROD_TINT = QColor(229, 57, 53, 45)
DELIVERY_COLORS: dict[str, str] = {
    Delivery.DELIVERED: "#43a047",
    Delivery.UNDELIVERED: "#e53935",
    Delivery.FAILED: "#e53935",
    Delivery.PENDING: "#8e8e8e",
}
# The log pane's Delivery filter: one state, or any a person was not reached in.
NOT_REACHED_FILTER = "not reached"
_NOT_REACHED = frozenset(state.value for state in NOT_REACHED)
STATUS_COLUMN, DELIVERY_COLUMN, LINE_COLUMN = 3, 4, 6


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
    delivery: str = ""  # what the provider said of a sent text (domain/delivery.py), "" before
    shown: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    def cells(self) -> tuple[str, ...]:
        """The row's texts, made once (and again after `upsert_outbox` changed the entry): the view
        asks for every cell on every repaint, and each ask formatted the time again."""
        if self.shown is None:
            self.shown = (
                self.at.astimezone().strftime("%H:%M:%S"),
                self.environment,
                self.channel,
                self.status,
                self.delivery,
                self.source,
                self.line,
            )
        return self.shown

    @property
    def delivery_reason(self) -> str:
        return (self.message.delivery_reason or "") if self.message is not None else ""

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
            delivery=view.delivery or "",
        )

    @classmethod
    def of_line(cls, line: str, at: datetime, notice: Notice | None = None) -> "LogEntry":
        """A line logged on this workstation; without a notice (not a notification) it has no fields."""
        if notice is None:
            return cls(LIVE, line, at)
        return cls(LIVE, line, at, notice.tag, notice.channel, notice.status)

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
        if view.delivery:
            parts.append(
                f"Delivery: {view.delivery}" + (f" ({view.delivery_reason})" if view.delivery_reason else "")
            )
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
    lineLogged = Signal(str, object, object)  # line, datetime, Notice or None


class TailHandler(logging.Handler):
    """Keeps the last `maxlen` notifier lines and hands each new one to the UI thread via a signal."""

    def __init__(self, maxlen: int = MAX_ROWS) -> None:
        super().__init__(logging.INFO)
        self.lines: deque[tuple[str, datetime, Notice | None]] = deque(maxlen=maxlen)
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
        notice = getattr(record, NOTICE_ATTRIBUTE, None)
        with self._lock_lines:
            self.lines.append((line, at, notice))
        if shiboken6.isValid(self.bridge):  # not after Qt has torn down at exit
            self.bridge.lineLogged.emit(line, at, notice)

    def snapshot(self) -> list[tuple[str, datetime, Notice | None]]:
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
    HEADERS = ("Time", "Env", "Channel", "Status", "Delivery", "Source", "Line")

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
            self.tr("Delivery"),
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

    def add_line(self, line: str, at: datetime, notice: Notice | None = None) -> None:
        self.add_lines([(line, at, notice)])

    def add_lines(self, lines: list[tuple[str, datetime, Notice | None]]) -> None:
        self._append([LogEntry.of_line(line, at, notice) for line, at, notice in lines])

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
            known.delivery, known.shown = updated.delivery, None
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
            return entry.cells()[column]
        if role == self.EntryRole:
            return entry
        if role == Qt.ItemDataRole.ToolTipRole and column == LINE_COLUMN:
            return plain_tip(entry.line)
        if role == Qt.ItemDataRole.ToolTipRole and column == DELIVERY_COLUMN:
            return plain_tip(entry.delivery_reason) or None
        if column == DELIVERY_COLUMN:
            shown = role == Qt.ItemDataRole.ForegroundRole and entry.delivery in DELIVERY_COLORS
            return QBrush(QColor(DELIVERY_COLORS[entry.delivery])) if shown else None
        coloured = column == STATUS_COLUMN or (column == LINE_COLUMN and entry.status in ATTENTION)
        if role == Qt.ItemDataRole.ForegroundRole and coloured and entry.status in STATUS_COLORS:
            return QBrush(QColor(STATUS_COLORS[entry.status]))
        if role == Qt.ItemDataRole.BackgroundRole and entry.environment == "PROD":
            return QBrush(PROD_TINT)
        if role == Qt.ItemDataRole.FontRole and (
            (column == 1 and entry.environment == "PROD")
            or (column == STATUS_COLUMN and entry.status in ATTENTION)
        ):
            font = QFont()
            font.setBold(True)
            return font
        return None


class LogFilter(QSortFilterProxyModel):
    """Channel, status ("attention" means failed, unknown or retry), delivery ("not reached" means
    undelivered or failed), source and free text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.channel = ""
        self.status = ""
        self.source = ""
        self.text = ""
        self.delivery = ""

    def set_filters(
        self, *, channel: str = "", status: str = "", source: str = "", text: str = "", delivery: str = ""
    ) -> None:
        self.beginFilterChange()
        self.channel, self.status, self.source, self.text = channel, status, source, text.strip().lower()
        self.delivery = delivery
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
        if self.delivery == NOT_REACHED_FILTER:
            if entry.delivery not in _NOT_REACHED:
                return False
        elif self.delivery and entry.delivery != self.delivery:
            return False
        if self.text:
            view = entry.message
            haystack = " ".join(
                [entry.line, *((view.recipient_name or "", view.last_error or "", view.body) if view else ())]
            ).lower()
            if self.text not in haystack:
                return False
        return True
