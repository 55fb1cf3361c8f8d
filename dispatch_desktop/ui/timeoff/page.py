"""Time off: pending requests first, request form, approve (after reassigning clashes) and deny with reason."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.statuses import TimeOffStatus
from dispatch_desktop.services import agents, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import AgentView, TimeOffView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.people.record_page import RecordListPage, WorkerDialog
from dispatch_desktop.ui.people.record_table import (
    Column,
    RecordTableModel,
)
from dispatch_desktop.ui.timeoff.approve_dialog import ApproveDialog
from dispatch_desktop.ui.timeoff.times import from_qt, local_text, to_qt

REFRESH_ON = Change.TIME_OFF | Change.AGENTS | Change.BOOKINGS | Change.SETTINGS


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
        self.start = QDateTimeEdit(to_qt(tomorrow, zone))
        self.end = QDateTimeEdit(to_qt(tomorrow + timedelta(hours=9), zone))
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
        start, end = from_qt(self.start.dateTime()), from_qt(self.end.dateTime())
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
                Column(self.tr("Decided by"), lambda t: t.decided_by_name),
                Column(self.tr("Decision note"), lambda t: t.decision_reason),
                Column(self.tr("Bookings"), self._affected_text),
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

    def _affected_text(self, request: TimeOffView) -> str:
        """ "2 bookings affected" before anyone opens the request; "2 to reassign" once approved."""
        if not request.affected:
            return ""
        if request.status == TimeOffStatus.APPROVED.value:
            return self.tr("%d to reassign") % request.affected
        if request.affected == 1:
            return self.tr("1 booking affected")
        return self.tr("%d bookings affected") % request.affected

    def _loaded(self, result: tuple[str, list[TimeOffView], list[AgentView]]) -> None:
        zone_name, requests, agent_list = result
        self.zone, self.agents = ZoneInfo(zone_name), agent_list
        self._show_records(requests)

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
