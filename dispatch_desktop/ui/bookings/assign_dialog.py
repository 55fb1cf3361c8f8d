"""Pick the agent for a booking, seeing who is free, busy or off at its time.

Opened with `open()` (window-modal, non-blocking) so live refresh and tests keep running.
"""

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from dispatch_desktop.domain.errors import AvailabilityWarning
from dispatch_desktop.services import bookings
from dispatch_desktop.services.bookings import AgentAvailability
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.availability import availability_colour, availability_text
from dispatch_desktop.ui.kit.book_anyway import ask_book_anyway
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style, is_dark


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


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
            lambda: bookings.availability(
                ctx, booking.start, booking.end, exclude_booking_id=booking.id, service=booking.service
            ),
            self._show,
            self._failed,
        )

    def _show(self, rows: list[AgentAvailability]) -> None:
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

    def _assign(self, agent_id: int | None, override: bool = False) -> None:
        """`override`: "Book anyway" was chosen for an agent outside their hours or skills."""
        ctx, booking = self.console.ctx, self.booking
        self.buttons.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: bookings.assign_booking(
                ctx, booking.id, agent_id, expect_version=booking.version, override=override
            ),
            self._done,
            lambda error: self._refused(error, lambda: self._assign(agent_id, override=True)),
            changes=Change.BOOKINGS,
        )

    def _done(self, view: BookingView) -> None:
        self.assigned.emit(view)
        super().accept()

    def _refused(self, error: Exception, book_anyway: Callable[[], None]) -> None:
        self.buttons.setEnabled(True)
        self.message.setStyleSheet(field_error_style(self.palette()))
        if isinstance(error, AvailabilityWarning):
            self.message.setText("; ".join(error.warnings))
            ask_book_anyway(self, error.warnings, book_anyway)
        else:
            self.message.setText(one_line(error))
        self.message.show()
