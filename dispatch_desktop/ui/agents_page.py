"""Field agents: list, add, edit, deactivate and reactivate (read-only for call-center)."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
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
from dispatch_desktop.services import agents
from dispatch_desktop.services.views import AgentView
from dispatch_desktop.ui.console import ConsoleContext
from dispatch_desktop.ui.pane_helpers import (
    MessageLine,
    record_table_view,
    retire,
    run_for,
    select_row,
    selected_record,
)
from dispatch_desktop.ui.record_table import Column, RecordTableModel

REFRESH_ON = {"agents", "*"}


class AgentDialog(QDialog):
    """Add a new agent (agent=None) or edit one. Saves on a worker; a refusal stays in the dialog."""

    saved = Signal(object)

    def __init__(
        self, console: ConsoleContext, agent: AgentView | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.console = console
        self.agent = agent
        self.setWindowTitle(self.tr("Add agent") if agent is None else self.tr("Edit agent"))
        self.name = QLineEdit(agent.name if agent else "")
        self.phone = QLineEdit(agent.phone if agent else "")
        self.email = QLineEdit(agent.email if agent else "")
        self.phone.setPlaceholderText(self.tr("e.g. +1 312 555 0142"))
        form = QFormLayout()
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("&Phone"), self.phone)
        form.addRow(self.tr("&Email"), self.email)
        self.message = MessageLine()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        ctx, name, phone, email = self.console.ctx, self.name.text(), self.phone.text(), self.email.text()
        self.buttons.setEnabled(False)
        if self.agent is None:

            def work() -> AgentView:
                return agents.add_agent(ctx, name=name, phone=phone, email=email)
        else:
            agent_id = self.agent.id

            def work() -> AgentView:
                return agents.update_agent(ctx, agent_id, name=name, phone=phone, email=email)

        run_for(self, work, self._done, self._refused, changes="agents")

    def _done(self, agent: AgentView) -> None:
        self.saved.emit(agent)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.message.show_error(error)


class AgentsPage(QWidget):
    """Everyone can see the agents; dispatchers and supervisors change them."""

    status_message = Signal(str)  # the main window repeats it in the status bar

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.may_manage = console.can(Permission.MANAGE_AGENTS)
        self.model = RecordTableModel(
            [
                Column(self.tr("Name"), lambda a: a.name),
                Column(self.tr("Phone"), lambda a: a.phone),
                Column(self.tr("Email"), lambda a: a.email),
                Column(self.tr("Status"), lambda a: self.tr("active") if a.active else self.tr("inactive")),
            ],
            self,
            muted=lambda a: not a.active,
        )
        self.table = record_table_view(self.model, self)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_button = QPushButton(self.tr("&Add agent…"))
        self.edit_button = QPushButton(self.tr("&Edit…"))
        self.toggle_button = QPushButton(self.tr("&Deactivate"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.toggle_button.clicked.connect(self.toggle_selected)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button):
            button.setVisible(self.may_manage)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = MessageLine()
        if not self.may_manage:
            self.message.show_info(self.tr("Agents are read-only for your role."))
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.dialog: AgentDialog | None = None
        self.loaded = 0
        self.message.shown.connect(self.status_message)
        console.ops.changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    def _on_changed(self, what: str) -> None:
        if what in REFRESH_ON:
            self.refresh()

    def refresh(self) -> None:
        ctx = self.console.ctx
        run_for(self, lambda: agents.list_agents(ctx), self._loaded, self.message.show_error)

    def _loaded(self, rows: list[AgentView]) -> None:
        current = self.selected()
        self.model.set_records(rows)
        if current is not None:
            select_row(self.table, self.model.row_of(lambda a: a.id == current.id))
        self.loaded += 1
        self._update_buttons()

    def selected(self) -> AgentView | None:
        return selected_record(self.table)

    def select_agent(self, agent_id: int) -> None:
        select_row(self.table, self.model.row_of(lambda a: a.id == agent_id))

    def _update_buttons(self) -> None:
        agent = self.selected()
        self.edit_button.setEnabled(agent is not None)
        self.toggle_button.setEnabled(agent is not None)
        self.toggle_button.setText(
            self.tr("&Reactivate") if agent is not None and not agent.active else self.tr("&Deactivate")
        )

    def add(self) -> AgentDialog:
        return self._open(None)

    def edit_selected(self) -> AgentDialog | None:
        agent = self.selected()
        if agent is None or not self.may_manage:
            return None
        return self._open(agent)

    def _open(self, agent: AgentView | None) -> AgentDialog:
        retire(self.dialog)
        self.dialog = AgentDialog(self.console, agent, self)
        self.dialog.saved.connect(lambda saved: self.message.show_info(self.tr("Saved %s.") % saved.name))
        self.dialog.open()
        return self.dialog

    def toggle_selected(self) -> None:
        agent = self.selected()
        if agent is None:
            return
        ctx, agent_id, active = self.console.ctx, agent.id, not agent.active
        done = self.tr("%s is active again.") if active else self.tr("%s is deactivated.")
        run_for(
            self,
            lambda: agents.set_agent_active(ctx, agent_id, active),
            lambda saved: self.message.show_info(done % saved.name),
            self.message.show_error,
            changes="agents",
        )
