"""Approving time off: the bookings it clashes with, reassigned first, or approved anyway with force.
A reassignment outside the new agent's hours or skills asks "Book anyway?" as the board does."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.errors import AvailabilityWarning
from dispatch_desktop.services import bookings, timeoff
from dispatch_desktop.services.bookings import AgentAvailability
from dispatch_desktop.services.views import BookingView, TimeOffView
from dispatch_desktop.ui.kit.book_anyway import ask_book_anyway
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.plural import counted
from dispatch_desktop.ui.people.record_table import (
    Column,
    RecordTableModel,
    record_table_view,
    select_row,
    selected_record,
)
from dispatch_desktop.ui.timeoff.times import local_text


class ApproveDialog(QDialog):
    """Lists the agent's bookings inside the requested time so they can be reassigned before approving.

    With no clashes left, Approve is the default; with clashes, Reassign is (Enter never leaves a
    customer with an agent who is off), and approving anyway is a deliberate click. The layout
    stays put as clashes are reassigned: the list, the reassign row and both approve buttons stay.
    """

    decided = Signal(object)
    conflictsLoaded = Signal()

    def __init__(
        self, console: ConsoleContext, request: TimeOffView, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.request = request
        self.zone = zone
        self.loaded = 0
        self.book_anyway_question: QMessageBox | None = None
        self.setWindowTitle(self.tr("Approve time off for %s") % request.agent_name)
        self.resize(720, 420)
        summary = PlainLabel(
            self.tr("%s is asking for time off from %s until %s.")
            % (request.agent_name, local_text(request.start, zone), local_text(request.end, zone))
            + (f"\n{self.tr('Reason')}: {request.reason}" if request.reason else "")
        )
        summary.setWordWrap(True)
        self.conflict_label = PlainLabel(self.tr("Checking the agent's bookings in that time…"))
        self.conflict_label.setWordWrap(True)
        self.model = RecordTableModel(
            [
                Column(self.tr("Booking"), lambda b: b.reference),
                Column(self.tr("Start"), lambda b: local_text(b.start, zone)),
                Column(self.tr("End"), lambda b: b.end.astimezone(zone).strftime("%H:%M")),
                Column(self.tr("Customer"), lambda b: b.customer_name),
                Column(self.tr("Service"), lambda b: b.service),
                Column(self.tr("Status"), lambda b: b.status),
            ],
            self,
        )
        self.table = record_table_view(self.model, self)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._load_availability())
        # The combo box's items, held here so that single agents can be greyed out.
        self.reassign_items = QStandardItemModel(self)
        self.reassign_to = QComboBox()
        self.reassign_to.setModel(self.reassign_items)
        self.reassign_to.setMinimumWidth(260)
        self.reassign_to.setPlaceholderText(self.tr("No agent is free then"))
        self.reassign_button = QPushButton(self.tr("&Reassign"))
        self.reassign_button.clicked.connect(self.reassign_selected)
        reassign_row = QHBoxLayout()
        reassign_row.addWidget(PlainLabel(self.tr("Reassign the selected booking to")))
        reassign_row.addWidget(self.reassign_to, 1)
        reassign_row.addWidget(self.reassign_button)
        self.message = MessageLine()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.approve_button = self.buttons.addButton(
            self.tr("&Approve"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.force_button = self.buttons.addButton(
            self.tr("Approve &anyway (keep bookings)"), QDialogButtonBox.ButtonRole.ActionRole
        )
        for button in (self.approve_button, self.force_button):
            button.setAutoDefault(False)  # only the one chosen below answers Enter
        self.approve_button.clicked.connect(lambda: self.approve(force=False))
        self.force_button.clicked.connect(lambda: self.approve(force=True))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.conflict_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(reassign_row)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._set_conflicts([])
        self.approve_button.setEnabled(False)
        self.load_conflicts()

    def load_conflicts(self) -> None:
        ctx, request_id = self.console.ctx, self.request.id
        run_for(
            self,
            self.console.ops,
            lambda: timeoff.conflicting_bookings(ctx, request_id),
            self._conflicts_loaded,
            self.message.show_error,
        )

    def _conflicts_loaded(self, clashes: list[BookingView]) -> None:
        self._set_conflicts(clashes)
        self.loaded += 1
        self.conflictsLoaded.emit()

    def _set_conflicts(self, clashes: list[BookingView]) -> None:
        self.model.set_records(clashes)
        has = bool(clashes)
        for widget in (self.reassign_to, self.reassign_button, self.force_button):
            widget.setEnabled(has)
        self.approve_button.setEnabled(not has)
        self.reassign_button.setDefault(has)
        self.approve_button.setDefault(not has)
        if has:
            self.conflict_label.setText(
                self.tr("%s has %s in that time. Reassign them, or approve anyway and handle them later.")
                % (self.request.agent_name, counted(len(clashes), self.tr("booking"), self.tr("bookings")))
            )
            if not self.table.selectionModel().hasSelection():
                select_row(self.table, 0)
        else:
            self.conflict_label.setText(self.tr("No bookings clash with this time off."))
            self.reassign_to.clear()

    def selected_booking(self) -> BookingView | None:
        return selected_record(self.table)

    def _load_availability(self) -> None:
        booking = self.selected_booking()
        self.reassign_to.clear()
        if booking is None:
            return
        ctx = self.console.ctx
        run_for(
            self,
            self.console.ops,
            lambda: bookings.availability(
                ctx, booking.start, booking.end, exclude_booking_id=booking.id, service=booking.service
            ),
            lambda options: self._show_availability(booking.id, options),
            self.message.show_error,
        )

    def _show_availability(self, booking_id: int, options: list[AgentAvailability]) -> None:
        current = self.selected_booking()
        if current is None or current.id != booking_id:
            return
        self.reassign_to.clear()
        for option in options:
            if option.agent_id == self.request.agent_id:
                continue
            label = f"{option.agent_name} — {option.state}" + (f" ({option.detail})" if option.detail else "")
            label = " · ".join([label, *option.warnings])  # outside their hours, or without the skill
            self.reassign_to.addItem(label, option.agent_id)
            if option.state != "free":
                # Only a free agent can take it; the others stay visible so the dispatcher sees why.
                self.reassign_items.item(self.reassign_to.count() - 1).setEnabled(False)
        free = next(
            (i for i in range(self.reassign_to.count()) if self.reassign_items.item(i).isEnabled()), -1
        )
        self.reassign_to.setCurrentIndex(free)
        # With nobody free the list shows its placeholder instead of a blank busy agent.
        self.reassign_to.setEnabled(free >= 0)
        self.reassign_button.setEnabled(free >= 0)
        self.reassign_button.setToolTip(
            "" if free >= 0 else self.tr("No other agent is free at this booking's time.")
        )

    def reassign_selected(self) -> None:
        booking = self.selected_booking()
        agent_id = self.reassign_to.currentData()
        if booking is None or agent_id is None:
            return
        self._reassign(booking, agent_id)

    def _reassign(self, booking: BookingView, agent_id: int, override: bool = False) -> None:
        """`override`: "Book anyway" was chosen for an agent outside their hours or skills."""
        ctx = self.console.ctx
        self.reassign_button.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: bookings.assign_booking(
                ctx, booking.id, agent_id, expect_version=booking.version, override=override
            ),
            self._reassigned,
            lambda error: self._reassign_refused(
                error, lambda: self._reassign(booking, agent_id, override=True)
            ),
            changes=Change.BOOKINGS,
        )

    def _reassigned(self, booking: BookingView) -> None:
        self.message.show_info(self.tr("%s is now with %s.") % (booking.reference, booking.agent_name))
        self.load_conflicts()

    def _reassign_refused(self, error: Exception, book_anyway: Callable[[], None]) -> None:
        self.reassign_button.setEnabled(True)
        if isinstance(error, AvailabilityWarning):
            self.book_anyway_question = ask_book_anyway(self, error.warnings, book_anyway)
            return
        self.message.show_error(error)
        self.load_conflicts()

    def approve(self, *, force: bool) -> None:
        ctx, request_id, version = self.console.ctx, self.request.id, self.request.version
        self.approve_button.setEnabled(False)
        self.force_button.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: timeoff.approve_time_off(ctx, request_id, force=force, expect_version=version),
            self._approved,
            self._approve_refused,
            changes=Change.TIME_OFF,
        )

    def _approved(self, request: TimeOffView) -> None:
        self.decided.emit(request)
        self.accept()

    def _approve_refused(self, error: Exception) -> None:
        self.force_button.setEnabled(True)
        self.message.show_error(error)
        self.load_conflicts()
