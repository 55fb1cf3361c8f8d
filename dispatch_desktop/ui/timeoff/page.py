"""Time off: pending requests first, request form, approve (after reassigning clashes) and deny with reason."""

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.statuses import TimeOffStatus
from dispatch_desktop.services import agents, bookings, timeoff
from dispatch_desktop.services.bookings import AgentAvailability
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, BookingView, TimeOffView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.people.record_page import RecordListPage, WorkerDialog
from dispatch_desktop.ui.people.record_table import (
    Column,
    RecordTableModel,
    record_table_view,
    select_row,
    selected_record,
)

REFRESH_ON = Change.TIME_OFF | Change.AGENTS | Change.BOOKINGS | Change.SETTINGS


def _to_qt(moment: datetime, zone: ZoneInfo) -> QDateTime:
    local = moment.astimezone(zone)
    return QDateTime.fromSecsSinceEpoch(int(local.timestamp()), QTimeZone(zone.key.encode()))


def _from_qt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


def local_text(moment: datetime | None, zone: tzinfo | None) -> str:
    if moment is None:
        return ""
    return (moment.astimezone(zone) if zone is not None else moment).strftime("%a %Y-%m-%d %H:%M")


class TimeOffRequestDialog(WorkerDialog):
    """Agent, start, end (in the business time zone) and an optional reason."""

    def __init__(
        self,
        console: ConsoleContext,
        agent_list: list[AgentView],
        zone: ZoneInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(console, parent)
        self.setWindowTitle(self.tr("Request time off"))
        self.agent = QComboBox()
        for agent in agent_list:
            if agent.active:
                self.agent.addItem(agent.name, agent.id)
        tomorrow = (datetime.now(zone) + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
        self.start = QDateTimeEdit(_to_qt(tomorrow, zone))
        self.end = QDateTimeEdit(_to_qt(tomorrow + timedelta(hours=9), zone))
        for editor in (self.start, self.end):
            editor.setCalendarPopup(True)
            editor.setDisplayFormat("ddd yyyy-MM-dd HH:mm")
            editor.setTimeZone(QTimeZone(zone.key.encode()))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("optional, e.g. dentist"))
        form = QFormLayout()
        form.addRow(self.tr("&Agent"), self.agent)
        form.addRow(self.tr("&From"), self.start)
        form.addRow(self.tr("&Until"), self.end)
        form.addRow(self.tr("&Reason"), self.reason)
        form.addRow("", PlainLabel(self.tr("Times are in the business time zone (%s).") % zone.key))
        self._lay_out(form, on_accept=self.save, accept_text=self.tr("&Request"))

    def set_times(self, start: datetime, end: datetime) -> None:
        self.start.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp()), self.start.timeZone()))
        self.end.setDateTime(QDateTime.fromSecsSinceEpoch(int(end.timestamp()), self.end.timeZone()))

    def save(self) -> None:
        agent_id = self.agent.currentData()
        if agent_id is None:
            self.message.show_error(self.tr("Add an active agent first."))
            return
        ctx, reason = self.console.ctx, self.reason.text()
        start, end = _from_qt(self.start.dateTime()), _from_qt(self.end.dateTime())
        self._submit(
            lambda: timeoff.request_time_off(ctx, agent_id=agent_id, start=start, end=end, reason=reason),
            changes=Change.TIME_OFF,
        )


class DenyDialog(WorkerDialog):
    decided = Signal(object)  # the page and ApproveDialog's callers listen for `decided`

    def __init__(self, console: ConsoleContext, request: TimeOffView, parent: QWidget | None = None) -> None:
        super().__init__(console, parent)
        self.request = request
        self.saved.connect(self.decided)
        self.setWindowTitle(self.tr("Deny time off for %s") % request.agent_name)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("why, so the agent knows (e.g. peak week)"))
        self._lay_out(
            PlainLabel(self.tr("Reason")),
            self.reason,
            on_accept=self.deny,
            accept=QDialogButtonBox.StandardButton.Ok,
            accept_text=self.tr("&Deny"),
        )

    def deny(self) -> None:
        ctx, request_id, version, reason = (
            self.console.ctx,
            self.request.id,
            self.request.version,
            self.reason.text(),
        )
        self._submit(
            lambda: timeoff.deny_time_off(ctx, request_id, reason=reason, expect_version=version),
            changes=Change.TIME_OFF,
        )


class ApproveDialog(QDialog):
    """Lists the agent's bookings inside the requested time so they can be reassigned before approving.

    With no clashes left, Approve is the default; with clashes, the dispatcher reassigns each
    (to a free agent from bookings.availability) or approves with force, knowingly.
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
        self.reassign_to = QComboBox()
        self.reassign_to.setMinimumWidth(260)
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
        self.table.setVisible(has)
        for widget in (self.reassign_to, self.reassign_button):
            widget.setEnabled(has)
        self.approve_button.setEnabled(not has)
        self.force_button.setVisible(has)
        self.approve_button.setDefault(not has)
        if has:
            self.conflict_label.setText(
                self.tr(
                    "%s has %d booking(s) in that time. Reassign them, or approve anyway and handle them later."
                )
                % (self.request.agent_name, len(clashes))
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
            lambda: bookings.availability(ctx, booking.start, booking.end, exclude_booking_id=booking.id),
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
            self.reassign_to.addItem(label, option.agent_id)
            if option.state != "free":
                # Only a free agent can take it; the others stay visible so the dispatcher sees why.
                item = self.reassign_to.model().item(self.reassign_to.count() - 1)
                item.setEnabled(False)
        free = next(
            (i for i in range(self.reassign_to.count()) if self.reassign_to.model().item(i).isEnabled()), -1
        )
        self.reassign_to.setCurrentIndex(free)
        self.reassign_button.setEnabled(free >= 0)

    def reassign_selected(self) -> None:
        booking = self.selected_booking()
        agent_id = self.reassign_to.currentData()
        if booking is None or agent_id is None:
            return
        ctx = self.console.ctx
        self.reassign_button.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: bookings.assign_booking(ctx, booking.id, agent_id, expect_version=booking.version),
            self._reassigned,
            self._reassign_refused,
            changes=Change.BOOKINGS,
        )

    def _reassigned(self, booking: BookingView) -> None:
        self.message.show_info(self.tr("%s is now with %s.") % (booking.reference, booking.agent_name))
        self.load_conflicts()

    def _reassign_refused(self, error: Exception) -> None:
        self.reassign_button.setEnabled(True)
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


def _load(ctx: ServiceContext) -> tuple[str, list[TimeOffView], list[AgentView]]:
    return ctx.team_settings().timezone_name, timeoff.list_time_off(ctx), agents.list_agents(ctx)


class TimeOffPage(RecordListPage):
    """Every request, pending first. Dispatchers and supervisors request, approve and deny."""

    refresh_on = REFRESH_ON
    list_records = staticmethod(_load)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(console, parent)
        self.may_manage = console.can(Permission.MANAGE_TIME_OFF)
        self.zone = ZoneInfo("UTC")
        self.agents: list[AgentView] = []
        model = RecordTableModel(
            [
                Column(self.tr("Agent"), lambda t: t.agent_name),
                Column(self.tr("From"), lambda t: local_text(t.start, self.zone)),
                Column(self.tr("Until"), lambda t: local_text(t.end, self.zone)),
                Column(self.tr("Reason"), lambda t: t.reason),
                Column(self.tr("Status"), lambda t: t.status),
                Column(self.tr("Decided by"), lambda t: t.decided_by),
                Column(self.tr("Decision note"), lambda t: t.decision_reason),
            ],
            self,
            emphasised=lambda t: t.status == TimeOffStatus.PENDING.value,
            muted=lambda t: t.status in (TimeOffStatus.DENIED.value, TimeOffStatus.CANCELLED.value),
        )
        self.request_button = QPushButton(self.tr("&Request time off…"))
        self.approve_button = QPushButton(self.tr("&Approve…"))
        self.deny_button = QPushButton(self.tr("&Deny…"))
        self.request_button.clicked.connect(self.request)
        self.approve_button.clicked.connect(self.approve_selected)
        self.deny_button.clicked.connect(self.deny_selected)
        self.withdraw_button = QPushButton(self.tr("&Withdraw"))
        self.withdraw_button.setToolTip(self.tr("The agent no longer needs this time off"))
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        buttons = [self.request_button, self.approve_button, self.deny_button, self.withdraw_button]
        for button in buttons:
            button.setVisible(self.may_manage)
        if not self.may_manage:
            self.message.show_info(self.tr("Time off is read-only for your role."))
        self._lay_out(model, buttons, self.approve_selected)
        self._start()

    def _loaded(self, result: tuple[str, list[TimeOffView], list[AgentView]]) -> None:
        zone_name, requests, agent_list = result
        self.zone, self.agents = ZoneInfo(zone_name), agent_list
        super()._loaded(requests)

    def select_request(self, request_id: int) -> None:
        self.select_where(lambda t: t.id == request_id)

    def _update_buttons(self) -> None:
        request = self.selected()
        pending = request is not None and request.status == TimeOffStatus.PENDING.value
        self.approve_button.setEnabled(pending)
        self.deny_button.setEnabled(pending)
        self.withdraw_button.setEnabled(pending)

    def request(self) -> TimeOffRequestDialog:
        dialog = TimeOffRequestDialog(self.console, self.agents, self.zone, self)
        dialog.saved.connect(
            lambda r: self.message.show_info(self.tr("Requested time off for %s.") % r.agent_name)
        )
        self._show(dialog)
        return dialog

    def approve_selected(self) -> ApproveDialog | None:
        request = self.selected()
        if request is None or request.status != TimeOffStatus.PENDING.value or not self.may_manage:
            return None
        dialog = ApproveDialog(self.console, request, self.zone, self)
        dialog.decided.connect(
            lambda r: self.message.show_info(self.tr("Approved time off for %s.") % r.agent_name)
        )
        self._show(dialog)
        return dialog

    def deny_selected(self) -> DenyDialog | None:
        request = self.selected()
        if request is None or request.status != TimeOffStatus.PENDING.value or not self.may_manage:
            return None
        dialog = DenyDialog(self.console, request, self)
        dialog.decided.connect(
            lambda r: self.message.show_info(self.tr("Denied time off for %s.") % r.agent_name)
        )
        self._show(dialog)
        return dialog

    def withdraw_selected(self) -> None:
        request = self.selected()
        if request is None or request.status != TimeOffStatus.PENDING.value or not self.may_manage:
            return
        ctx, request_id, version = self.console.ctx, request.id, request.version
        run_for(
            self,
            self.console.ops,
            lambda: timeoff.cancel_time_off(ctx, request_id, reason="withdrawn", expect_version=version),
            lambda r: self.message.show_info(self.tr("Withdrew the time-off request of %s.") % r.agent_name),
            self.message.show_error,
            changes=Change.TIME_OFF,
        )
