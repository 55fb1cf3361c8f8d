"""Field agents: list, add, edit, deactivate and reactivate (read-only for call-center)."""

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from dispatch_desktop.domain.availability import team_hours
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import DEFAULT_DAY_END_HOUR, DEFAULT_DAY_START_HOUR, TeamSettings
from dispatch_desktop.services import agents
from dispatch_desktop.services.views import AgentView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.people.hours_editor import WeeklyHoursEditor
from dispatch_desktop.ui.people.record_page import ActiveRecordsPage, WorkerDialog, with_region
from dispatch_desktop.ui.people.record_table import Column, RecordTableModel

REFRESH_ON = Change.AGENTS


class AgentDialog(WorkerDialog):
    """Add a new agent (agent=None) or edit one. Saves on a worker; a refusal stays in the dialog."""

    def __init__(
        self, console: ConsoleContext, agent: AgentView | None = None, parent: QWidget | None = None
    ):
        super().__init__(console, parent)
        self.agent = agent
        self.setWindowTitle(self.tr("Add agent") if agent is None else self.tr("Edit agent"))
        self.name = QLineEdit(agent.name if agent else "")
        self.phone = QLineEdit(agent.phone if agent else "")
        self.email = QLineEdit(agent.email if agent else "")
        self.phone.setPlaceholderText(self.tr("e.g. +1 312 555 0142"))
        self.hours = WeeklyHoursEditor()
        # A new agent starts from the team's working day, Monday to Friday; one whose hours were
        # never set (before hours existed) keeps "any time" until someone sets them.
        self.team_day_shown = False
        self._show_team_day(DEFAULT_DAY_START_HOUR, DEFAULT_DAY_END_HOUR)
        if agent is None or not agent.hours:
            run_for(self, console.ops, console.ctx.team_settings, self._settings_arrived, lambda _e: None)
        self.skills = QLineEdit(", ".join(agent.skills) if agent else "")
        self.skills.setPlaceholderText(self.tr("e.g. boiler, electric"))
        form = QFormLayout()
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("&Phone"), self.phone)
        form.addRow(self.tr("&Email"), self.email)
        form.addRow(self.tr("Working hours"), self.hours)
        form.addRow(self.tr("S&kills"), self.skills)
        self._lay_out(form, on_accept=self.save)

    def _show_team_day(self, start_hour: int, end_hour: int) -> None:
        agent = self.agent
        self.hours.show_hours(
            agent.hours if agent else "",
            team_hours(start_hour, end_hour),
            any_time=agent is not None and not agent.hours,
        )

    def _settings_arrived(self, settings: TeamSettings) -> None:
        self._show_team_day(settings.day_start_hour, settings.day_end_hour)
        self.team_day_shown = True

    def save(self) -> None:
        ctx, name, phone, email = self.console.ctx, self.name.text(), self.phone.text(), self.email.text()
        try:
            hours = self.hours.hours_text()
        except ValidationError as error:
            self.message.show_error(error)
            return
        skills = self.skills.text()
        if self.agent is None:

            def work() -> AgentView:
                return agents.add_agent(ctx, name=name, phone=phone, email=email, hours=hours, skills=skills)
        else:
            agent_id = self.agent.id

            def work() -> AgentView:
                return agents.update_agent(
                    ctx, agent_id, name=name, phone=phone, email=email, hours=hours, skills=skills
                )

        self._submit(work, changes=Change.AGENTS)


class AgentsPage(ActiveRecordsPage):
    """Everyone can see the agents; dispatchers and supervisors change them."""

    refresh_on = REFRESH_ON
    changes = Change.AGENTS
    dialog_class = AgentDialog
    list_records = staticmethod(with_region(agents.list_agents))
    set_active = staticmethod(agents.set_agent_active)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(console, parent)
        self.may_manage = console.can(Permission.MANAGE_AGENTS)
        model = RecordTableModel(
            [
                Column(self.tr("Name"), lambda a: a.name),
                Column(self.tr("Phone"), lambda a: self.phone(a.phone)),
                Column(self.tr("Email"), lambda a: a.email),
                Column(self.tr("Hours"), lambda a: a.hours or self.tr("any time")),
                Column(self.tr("Skills"), lambda a: ", ".join(a.skills)),
                Column(self.tr("Status"), lambda a: self.tr("active") if a.active else self.tr("inactive")),
            ],
            self,
            muted=lambda a: not a.active,
        )
        buttons = self._record_buttons(self.tr("&Add agent…"), self.tr("&Edit…"))
        for button in buttons:
            button.setVisible(self.may_manage)
        if not self.may_manage:
            self.message.show_info(self.tr("Agents are read-only for your role."))
        self._lay_out(model, buttons, self.edit_selected)
        self._start()

    def select_agent(self, agent_id: int) -> None:
        self.select_where(lambda a: a.id == agent_id)
