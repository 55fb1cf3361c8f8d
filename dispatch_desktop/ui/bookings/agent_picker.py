"""The booking form's agent list: who is free, busy or off at the booking's time, "Unassigned" first."""

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QWidget

from dispatch_desktop.services.bookings import AgentAvailability
from dispatch_desktop.ui.bookings.availability import availability_colour, availability_text
from dispatch_desktop.ui.kit.style import is_dark

STATE_ROLE = Qt.ItemDataRole.UserRole + 1
WARNINGS_ROLE = Qt.ItemDataRole.UserRole + 2
STATE_ORDER = {"free": 0, "busy": 1, "time off": 2}


def _order(row: AgentAvailability) -> tuple[int, bool, str]:
    return STATE_ORDER.get(row.state, len(STATE_ORDER)), bool(row.warnings), row.agent_name


class AgentPicker(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumContentsLength(30)

    def show_availability(self, rows: list[AgentAvailability], wanted: int | None) -> None:
        """The agents as they are at the new time, keeping `wanted` selected (or Unassigned)."""
        dark = is_dark(self.palette())
        with QSignalBlocker(self):
            self.clear()
            self.addItem(QCoreApplication.translate("BookingForm", "Unassigned (assign later)"), None)
            # Who can go comes first: free agents, then busy, then off; within each those in their
            # hours and with the service's skill, then by name.
            for row in sorted(rows, key=_order):
                self.addItem(availability_text(row), row.agent_id)
                self.setItemData(
                    self.count() - 1, availability_colour(row.state, dark), Qt.ItemDataRole.ForegroundRole
                )
                self.setItemData(self.count() - 1, row.state, STATE_ROLE)
                self.setItemData(self.count() - 1, list(row.warnings), WARNINGS_ROLE)
            position = self.findData(wanted) if wanted is not None else 0
            self.setCurrentIndex(max(0, position))

    def select_agent(self, agent_id: int | None) -> None:
        self.setCurrentIndex(max(0, self.findData(agent_id)))

    def agent_states(self) -> dict[int, str]:
        return {self.itemData(i): self.itemData(i, STATE_ROLE) for i in range(1, self.count())}

    def state(self) -> str | None:
        """ "free", "busy" or "time off" for the selected agent; None for Unassigned."""
        return self.currentData(STATE_ROLE)

    def warnings(self) -> list[str]:
        """Why the selected agent is a poor fit ("off Sat", "no boiler skill"); none for Unassigned."""
        return list(self.currentData(WARNINGS_ROLE) or [])
