"""The bookings tab's filter row: search text, status, agent, source and a day range, as a BookingQuery."""

from datetime import datetime, time, timedelta

from PySide6.QtCore import QCoreApplication, QDate, QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLineEdit, QWidget

from dispatch_desktop.domain.statuses import NOT_STARTED_STATUSES, BookingSource, BookingStatus
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.views import AgentView
from dispatch_desktop.ui.bookings.labels import source_label, status_label
from dispatch_desktop.ui.kit.dates import to_date
from dispatch_desktop.ui.kit.plain import PlainLabel

SEARCH_DELAY_MS = 250
ACTIVE = "active"
NOT_STARTED = "not started"
UNASSIGNED = -1
NEEDS_REASSIGNMENT = -2  # the agent has approved time off over it
FIXED_AGENT_CHOICES = 3  # All, Unassigned, Needs reassignment; then the agents


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingsPage", text)


class BookingFilters(QWidget):
    """Emits `changed` when what to show changed (typing waits SEARCH_DELAY_MS; Enter does not)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search reference, customer, phone or address  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem(tr("All statuses"), None)
        self.status_filter.addItem(tr("Active (not cancelled / no-show)"), ACTIVE)
        self.status_filter.addItem(tr("Not started"), NOT_STARTED)
        for status in BookingStatus:
            self.status_filter.addItem(status_label(status), status.value)
        self.agent_filter = QComboBox()
        self.agent_filter.addItem(tr("All agents"), None)
        self.agent_filter.addItem(tr("Unassigned"), UNASSIGNED)
        self.agent_filter.addItem(tr("Needs reassignment (agent off)"), NEEDS_REASSIGNMENT)
        self.source_filter = QComboBox()
        self.source_filter.addItem(tr("All sources"), None)
        for source in BookingSource:
            self.source_filter.addItem(source_label(source), source.value)
        self.date_filter = QCheckBox(tr("From"))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today)
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.search, 3)
        self.row.addWidget(self.status_filter)
        self.row.addWidget(self.agent_filter)
        self.row.addWidget(self.source_filter)
        self.row.addWidget(self.date_filter)
        self.row.addWidget(self.date_from)
        self.row.addWidget(PlainLabel(tr("to")))
        self.row.addWidget(self.date_to)

        self.search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _text: self.search_timer.start())
        self.search.returnPressed.connect(self.changed)
        for combo in (self.status_filter, self.agent_filter, self.source_filter):
            combo.currentIndexChanged.connect(self.changed)
        self.date_filter.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(self.changed)
        self.date_to.dateChanged.connect(self.changed)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.changed.emit()

    def show_today(self) -> None:
        today = QDate.currentDate()
        self.date_from.setDate(today)
        self.date_to.setDate(today)
        self.date_filter.setChecked(True)

    def show_agents(self, team: list[AgentView]) -> None:
        """The agent choices, keeping the one picked; no `changed` for it."""
        current = self.agent_filter.currentData()
        with QSignalBlocker(self.agent_filter):
            while self.agent_filter.count() > FIXED_AGENT_CHOICES:
                self.agent_filter.removeItem(FIXED_AGENT_CHOICES)
            for agent in team:
                label = agent.name if agent.active else tr("{0} (inactive)").format(agent.name)
                self.agent_filter.addItem(label, agent.id)
            self.agent_filter.setCurrentIndex(max(0, self.agent_filter.findData(current)))

    def query(self, sorted_like: BookingQuery) -> BookingQuery:
        """What the filters ask for, sorted as `sorted_like` (the days are naive, business-local)."""
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
            start_from = datetime.combine(to_date(self.date_from.date()), time())
            end_day = to_date(self.date_to.date())
            start_to = datetime.combine(max(end_day, start_from.date()) + timedelta(days=1), time())
        return BookingQuery(
            text=self.search.text().strip(),
            statuses=statuses,
            agent_id=agent if agent not in (None, UNASSIGNED, NEEDS_REASSIGNMENT) else None,
            unassigned=agent == UNASSIGNED,
            needs_reassignment=agent == NEEDS_REASSIGNMENT,
            source=self.source_filter.currentData(),
            start_from=start_from,
            start_to=start_to,
            sort=sorted_like.sort,
            descending=sorted_like.descending,
        )
