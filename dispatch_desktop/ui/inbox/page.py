"""The Inbox tab: one conversation per person (their texts and what the outbox texted them,
interleaved by time), mark read, open the linked booking, and a reply box that counts segments."""

from datetime import UTC, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.sms_segments import GSM7, SegmentCount, segments
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.services import inbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.inbox import Conversation
from dispatch_desktop.ui.bookings.labels import RESCHEDULE_MARK, reschedule_note
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.kit.plain import PlainLabel, plain_tip
from dispatch_desktop.ui.kit.plural import counted

REFRESH_ON = Change.INBOX | Change.OUTBOX | Change.BOOKINGS
PHONE_ROLE = Qt.ItemDataRole.UserRole
TIME_FORMAT = "%Y-%m-%d %H:%M"


def segment_note(count: SegmentCount) -> str:
    """What the reply box says under the text: length, segments, and why UCS-2 when it is."""
    units = "characters" if count.encoding == GSM7 else "UCS-2 units"
    plural = "segment" if count.segments == 1 else "segments"
    note = f"{count.length} {units} · {count.segments} {plural} ({count.encoding})"
    if count.first_ucs2_char is not None:
        note += f"; {count.first_ucs2_char!r} is not in the GSM alphabet"
    return note


def _load(ctx: ServiceContext) -> tuple[TeamSettings, list[Conversation]]:
    return ctx.team_settings(), inbox.conversations(ctx)


def _who(talk: Conversation, phone: str) -> str:
    return f"{talk.name} ({talk.kind})" if talk.name else f"{phone} ({talk.kind})"


class InboxPage(QWidget):
    """Conversations on the left, the selected one on the right."""

    status_message = Signal(str)
    unread_changed = Signal(int)  # the main window puts it in the tab's title
    open_booking = Signal(int)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.zone: tzinfo = UTC  # the team's, with each load
        self.region = "US"
        self.current: Conversation | None = None
        self.unread = 0

        self.threads = QListWidget()
        self.threads.setObjectName("inboxThreads")
        self.threads.currentItemChanged.connect(lambda *_: self._load_selected())
        self.header = PlainLabel()
        self.header.setObjectName("inboxHeader")
        self.header.setWordWrap(True)
        self.entries = QListWidget()
        self.entries.setObjectName("inboxEntries")
        self.entries.setWordWrap(True)
        self.read_button = QPushButton(self.tr("Mark &read"))
        self.read_button.clicked.connect(self.mark_read)
        self.read_button.setVisible(console.can(Permission.MANAGE_INBOX))
        self.booking_button = QPushButton(self.tr("Open booking"))
        self.booking_button.clicked.connect(self._open_booking)
        self.reply_box = QPlainTextEdit()
        self.reply_box.setObjectName("inboxReply")
        self.reply_box.setPlaceholderText(self.tr("Reply by SMS…"))
        self.reply_box.setMaximumHeight(90)
        self.reply_box.textChanged.connect(self._count)
        self.counter = PlainLabel(segment_note(segments("")))
        self.counter.setObjectName("inboxCounter")
        self.send_button = QPushButton(self.tr("Send rep&ly"))
        self.send_button.clicked.connect(self.send_reply)
        for widget in (self.reply_box, self.send_button, self.counter):
            widget.setVisible(console.can(Permission.REPLY_INBOX))
        self.message = MessageLine()
        self.message.shown.connect(self.status_message)

        right = QWidget()
        column = QVBoxLayout(right)
        column.addWidget(self.header)
        column.addWidget(self.entries, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.read_button)
        actions.addWidget(self.booking_button)
        actions.addStretch(1)
        column.addLayout(actions)
        column.addWidget(self.reply_box)
        sending = QHBoxLayout()
        sending.addWidget(self.counter, 1)
        sending.addWidget(self.send_button)
        column.addLayout(sending)
        column.addWidget(self.message)
        splitter = QSplitter()
        splitter.addWidget(self.threads)
        splitter.addWidget(right)
        splitter.setSizes([320, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        console.ops.changed.connect(self._changed)
        self._update_buttons()
        self.reload()

    # --- loading --------------------------------------------------------------------------

    def _changed(self, what: Change) -> None:
        if what & REFRESH_ON:
            self.reload()

    def reload(self) -> None:
        ctx = self.console.ctx
        run_for(self, self.console.ops, lambda: _load(ctx), self._listed, self.message.show_error)

    def _listed(self, loaded: tuple[TeamSettings, list[Conversation]]) -> None:
        settings, talks = loaded
        self.zone, self.region = settings.zone, settings.region
        selected = self.current.phone if self.current else None
        self.threads.blockSignals(True)
        self.threads.clear()
        for talk in talks:
            when = talk.last_at.astimezone(self.zone).strftime(TIME_FORMAT)
            waiting = f" · {talk.unread} unread" if talk.unread else ""
            phone = phone_for_display(talk.phone, self.region)
            number = f"{phone} · " if talk.name else ""  # without a name the first line is the number
            item = QListWidgetItem(f"{_who(talk, phone)}\n{number}{when}{waiting}")
            item.setData(PHONE_ROLE, talk.phone)
            if talk.unread:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.threads.addItem(item)
            if talk.phone == selected:
                self.threads.setCurrentItem(item)
        self.threads.blockSignals(False)
        unread = sum(talk.unread for talk in talks)
        if unread != self.unread or not talks:
            self.unread = unread
            self.unread_changed.emit(unread)
        if self.threads.currentItem() is None and self.threads.count():
            self.threads.setCurrentRow(0)
        else:
            self._load_selected()

    def select_phone(self, phone: str) -> bool:
        for row in range(self.threads.count()):
            if self.threads.item(row).data(PHONE_ROLE) == phone:
                self.threads.setCurrentRow(row)
                return True
        return False

    def _load_selected(self) -> None:
        item = self.threads.currentItem()
        if item is None:
            self._show(None)
            return
        ctx, phone = self.console.ctx, item.data(PHONE_ROLE)
        run_for(
            self,
            self.console.ops,
            lambda: inbox.conversation(ctx, phone),
            self._show,
            self.message.show_error,
        )

    def _show(self, talk: Conversation | None) -> None:
        self.current = talk
        self.entries.clear()
        if talk is None:
            self.header.setText(self.tr("No texts yet."))
            self._update_buttons()
            return
        booking = f" · {booking_reference(talk.booking_id)}" if talk.booking_id else ""
        if talk.reschedule_requested:
            booking += f" {RESCHEDULE_MARK} ({reschedule_note()})"
        phone = phone_for_display(talk.phone, self.region)
        self.header.setText(f"{_who(talk, phone)} · {phone}{booking}")
        for entry in talk.entries:
            when = entry.at.astimezone(self.zone).strftime(TIME_FORMAT)
            arrow = "←" if entry.direction == "in" else "→"
            item = QListWidgetItem(f"{arrow} {when}  {entry.body}  [{entry.state}]")
            item.setToolTip(plain_tip(entry.body))
            if entry.direction == "out":
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            elif entry.state == "unread":
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.entries.addItem(item)
        self.entries.scrollToBottom()
        self._update_buttons()

    def _update_buttons(self) -> None:
        talk = self.current
        self.read_button.setEnabled(bool(talk and talk.unread))
        self.booking_button.setEnabled(bool(talk and talk.booking_id))
        self.send_button.setEnabled(bool(talk and self.reply_box.toPlainText().strip()))

    # --- actions --------------------------------------------------------------------------

    def _count(self) -> None:
        self.counter.setText(segment_note(segments(self.reply_box.toPlainText())))
        self._update_buttons()

    def mark_read(self) -> None:
        if self.current is None:
            return
        ctx, phone = self.console.ctx, self.current.phone
        run_for(
            self,
            self.console.ops,
            lambda: inbox.mark_conversation_read(ctx, phone),
            lambda count: self.message.show_info(
                self.tr("%s marked read.") % counted(count, self.tr("text"), self.tr("texts"))
            ),
            self.message.show_error,
            changes=Change.INBOX,
        )

    def send_reply(self) -> None:
        talk = self.current
        text = self.reply_box.toPlainText()
        latest = [entry.id for entry in talk.entries if entry.direction == "in"] if talk else []
        if not latest or not text.strip():
            return
        ctx, message_id = self.console.ctx, max(latest)

        def sent(_view: object) -> None:
            self.reply_box.clear()
            self.message.show_info(self.tr("Reply queued."))

        run_for(
            self,
            self.console.ops,
            lambda: inbox.reply(ctx, message_id, text),
            sent,
            self.message.show_error,
            changes=Change.INBOX | Change.OUTBOX,
        )

    def _open_booking(self) -> None:
        if self.current is not None and self.current.booking_id is not None:
            self.open_booking.emit(self.current.booking_id)
