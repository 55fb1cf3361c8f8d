"""Small dialogs shared by the bookings pages: errors, reasons, history, stale edits, agent picking.

All of them are opened with `open()` (window-modal, non-blocking) so the event loop, live refresh
and tests keep running while they are up.
"""

from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.services import bookings
from dispatch_desktop.services.bookings import AgentAvailability
from dispatch_desktop.services.views import AuditView, BookingView
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel, message_box
from dispatch_desktop.ui.kit.style import field_error_style, status_label


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


def show_error(parent: QWidget | None, error: BaseException | str, title: str | None = None) -> QMessageBox:
    """A non-blocking warning with the one-line message a person can act on."""
    text = error if isinstance(error, str) else one_line(error)
    box = message_box(parent, QMessageBox.Icon.Warning, title or tr("Dispatch Desktop"), text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class ReasonDialog(QDialog):
    """Asks for a reason that may not be empty (cancelling a booking, denying time off)."""

    reason_given = Signal(str)

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.prompt = PlainLabel(prompt)
        self.prompt.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("Required"))
        self.hint = PlainLabel(tr("A reason is required."))
        self.hint.setStyleSheet(field_error_style(self.palette()))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.prompt, self.reason, self.hint, self.buttons):
            layout.addWidget(widget)
        self.reason.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        filled = bool(self.reason.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(filled)
        self.hint.setVisible(not filled)

    def accept(self) -> None:
        text = self.reason.text().strip()
        if not text:
            return
        super().accept()
        self.reason_given.emit(text)


class StaleVersionDialog(QDialog):
    """Someone else saved this booking first: say who and when, and offer to reload."""

    reload_requested = Signal()

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Booking changed by someone else"))
        self.message = PlainLabel(message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = PlainLabel(
            tr("Your changes were not saved, and nothing was overwritten. Reload to see the current booking.")
        )
        explain.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.reload_button = self.buttons.addButton(tr("Reload"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = self.buttons.addButton(tr("Keep my edits"), QDialogButtonBox.ButtonRole.RejectRole)
        self.reload_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(explain)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        super().accept()
        self.reload_requested.emit()


class HistoryDialog(QDialog):
    """The audit trail of one booking: who changed which field, when, from what to what."""

    def __init__(self, console: ConsoleContext, booking_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.booking_id = booking_id
        self.loaded = False
        self.setWindowTitle(tr("History of booking {0}").format(booking_reference(booking_id)))
        self.resize(760, 380)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("When"), tr("Who"), tr("What"), tr("From"), tr("To")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error = PlainLabel()
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        ctx = console.ctx
        run_for(
            self,
            console.ops,
            lambda: (bookings.booking_history(ctx, booking_id), ctx.team_settings()),
            self._show,
            self._failed,
        )

    def _show(self, result: tuple[list[AuditView], TeamSettings]) -> None:
        entries, settings = result
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            what = entry.action if not entry.field else f"{entry.action}: {entry.field}"
            values = (
                settings.local(entry.at),
                entry.actor,
                what,
                _readable(entry.old_value, settings),
                _readable(entry.new_value, settings),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.loaded = True

    def _failed(self, error: Exception) -> None:
        self.error.setText(one_line(error))
        self.error.show()
        self.loaded = True


def _readable(value: str | None, settings: TeamSettings) -> str:
    if value is None:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return status_label(value)
    if moment.tzinfo is None:
        return value
    return settings.local(moment)


AVAILABILITY_COLOURS = {
    "free": ("#15803d", "#86efac"),
    "busy": ("#b45309", "#fdba74"),
    "time off": ("#6b7280", "#9ca3af"),
}


def availability_text(item: AgentAvailability) -> str:
    state = {"free": tr("free"), "busy": tr("busy"), "time off": tr("time off")}.get(item.state, item.state)
    return f"{item.agent_name} — {state}" + (f": {item.detail}" if item.detail else "")


def availability_colour(state: str, dark: bool) -> QColor:
    pair = AVAILABILITY_COLOURS.get(state, ("#000000", "#ffffff"))
    return QColor(pair[1] if dark else pair[0])


class AssignDialog(QDialog):
    """Pick the agent for a booking, seeing who is free, busy or off at its time."""

    assigned = Signal(object)  # BookingView

    def __init__(self, console: ConsoleContext, booking: BookingView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.booking = booking
        self.loaded = False
        self.setWindowTitle(tr("Assign {0}").format(booking.reference))
        self.resize(520, 360)
        self.agents = QListWidget()
        self.message = PlainLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Assign"))
        self.unassign_button = None
        if booking.agent_id is not None:
            self.unassign_button = self.buttons.addButton(
                tr("Unassign"), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.unassign_button.clicked.connect(lambda: self._assign(None))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.agents.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(
            PlainLabel(tr("{0}: {1}, {2}").format(booking.reference, booking.customer_name, booking.service))
        )
        layout.addWidget(self.agents)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        ctx = console.ctx
        run_for(
            self,
            console.ops,
            lambda: bookings.availability(ctx, booking.start, booking.end, exclude_booking_id=booking.id),
            self._show,
            self._failed,
        )

    def _show(self, rows: list[AgentAvailability]) -> None:
        from dispatch_desktop.ui.kit.style import is_dark

        dark = is_dark(self.palette())
        for row in rows:
            item = QListWidgetItem(availability_text(row))
            item.setData(Qt.ItemDataRole.UserRole, row.agent_id)
            item.setForeground(availability_colour(row.state, dark))
            self.agents.addItem(item)
            if row.agent_id == self.booking.agent_id:
                item.setText(item.text() + tr(" (current)"))
        if rows:
            self.agents.setCurrentRow(0)
        self.loaded = True

    def _failed(self, error: Exception) -> None:
        self.message.setText(one_line(error))
        self.message.show()
        self.loaded = True

    def select_agent(self, agent_id: int) -> None:
        for row in range(self.agents.count()):
            if self.agents.item(row).data(Qt.ItemDataRole.UserRole) == agent_id:
                self.agents.setCurrentRow(row)
                return

    def accept(self) -> None:
        item = self.agents.currentItem()
        if item is None:
            return
        self._assign(item.data(Qt.ItemDataRole.UserRole))

    def _assign(self, agent_id: int | None) -> None:
        ctx, booking = self.console.ctx, self.booking
        self.buttons.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: bookings.assign_booking(ctx, booking.id, agent_id, expect_version=booking.version),
            self._done,
            self._refused,
            changes="bookings",
        )

    def _done(self, view: BookingView) -> None:
        self.assigned.emit(view)
        super().accept()

    def _refused(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.message.setStyleSheet(field_error_style(self.palette()))
        self.message.setText(one_line(error))
        self.message.show()


class TextDialog(QDialog):
    """Read-only text, e.g. the keyboard shortcuts."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        body = QPlainTextEdit(text)
        body.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addWidget(buttons)
        self.resize(480, 360)
