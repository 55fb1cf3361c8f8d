"""The skill each service needs, under the Agents tab (dispatchers and supervisors): a booking of
such a service warns for an agent without the skill. The same rule as `service-skill set/remove`."""

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QFormLayout, QLineEdit, QPushButton, QWidget

from dispatch_desktop.domain import validation
from dispatch_desktop.services import availability
from dispatch_desktop.services.availability import ServiceSkillChoices, ServiceSkillView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.people.record_page import RecordListPage, WorkerDialog
from dispatch_desktop.ui.people.record_table import Column, RecordTableModel


def _completer(field: QLineEdit) -> QStringListModel:
    """A completer matching any part of what is typed, in any case; its words come later."""
    words = QStringListModel(field)
    completer = QCompleter(words, field)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    field.setCompleter(completer)
    return words


class ServiceSkillDialog(WorkerDialog):
    """Set the skill a new service needs (record=None), or change a service's skill."""

    def __init__(
        self, console: ConsoleContext, record: ServiceSkillView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(console, parent)
        self.record = record
        self.choices: ServiceSkillChoices | None = None
        self.setWindowTitle(self.tr("Service skill"))
        self.service = QLineEdit(record.service if record else "")
        self.service.setMaxLength(validation.SERVICE_MAX)
        self.service.setPlaceholderText(self.tr("as bookings name it, e.g. Boiler service"))
        self.service.setMinimumWidth(320)  # the completer's list is as wide: long service names
        self.service.setReadOnly(record is not None)  # a service is its name: another name is another row
        self.skill = QLineEdit(record.skill if record else "")
        self.skill.setPlaceholderText(self.tr("e.g. boiler"))
        self.skill.textChanged.connect(self._note_unknown_skill)
        self.known_services = _completer(self.service)
        self.known_skills = _completer(self.skill)
        self.note = PlainLabel()  # one line: a wrapped label would be clipped by the dialog's minimum size
        self.note.hide()
        form = QFormLayout()
        form.addRow(self.tr("&Service"), self.service)
        form.addRow(self.tr("Needs s&kill"), self.skill)
        self._lay_out(form, self.note, on_accept=self.save)
        run_for(
            self,
            console.ops,
            lambda: availability.service_skill_choices(console.ctx),
            self._choices_arrived,
            self.message.show_error,
        )

    def _choices_arrived(self, choices: ServiceSkillChoices) -> None:
        self.choices = choices
        self.known_services.setStringList(list(choices.services))
        self.known_skills.setStringList(list(choices.skills))
        self._note_unknown_skill()

    def _note_unknown_skill(self) -> None:
        skill = self.skill.text().strip().lower()
        unknown = self.choices is not None and bool(skill) and skill not in self.choices.skills
        self.note.setText(
            self.tr("No agent has skill '%s' yet: every booking of this service will warn.") % skill
            if unknown
            else ""
        )
        self.note.setVisible(unknown)

    def save(self) -> None:
        ctx, service, skill = self.console.ctx, self.service.text(), self.skill.text()
        self._submit(lambda: availability.set_service_skill(ctx, service, skill), changes=Change.AGENTS)


class ServiceSkillsPage(RecordListPage):
    """Services and the skill each needs, with add, edit and remove."""

    refresh_on = Change.AGENTS
    list_records = staticmethod(availability.list_service_skills)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(console, parent)
        model = RecordTableModel(
            [
                Column(self.tr("Service"), lambda s: s.service),
                Column(self.tr("Needs skill"), lambda s: s.skill),
            ],
            self,
        )
        self.add_button = QPushButton(self.tr("Add service sk&ill…"))
        self.edit_button = QPushButton(self.tr("Change skil&l…"))
        self.remove_button = QPushButton(self.tr("Re&move"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self._lay_out(model, [self.add_button, self.edit_button, self.remove_button], self.edit_selected)
        self._start()

    @staticmethod
    def key(record: ServiceSkillView) -> object:
        return record.service.lower()  # a service is named in any case

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def add(self) -> ServiceSkillDialog:
        return self._open(None)

    def edit_selected(self) -> ServiceSkillDialog | None:
        record = self.selected()
        return None if record is None else self._open(record)

    def _open(self, record: ServiceSkillView | None) -> ServiceSkillDialog:
        dialog = ServiceSkillDialog(self.console, record, self)
        dialog.saved.connect(self._saved)
        self._show(dialog)
        return dialog

    def _saved(self, saved: ServiceSkillView) -> None:
        self.message.show_info(self.tr("%s needs skill '%s'.") % (saved.service, saved.skill))

    def remove_selected(self) -> None:
        record = self.selected()
        if record is None:
            return
        ctx, service = self.console.ctx, record.service
        run_for(
            self,
            self.console.ops,
            lambda: availability.remove_service_skill(ctx, service),
            lambda removed: self.message.show_info(self.tr("%s needs no skill now.") % removed.service),
            self.message.show_error,
            changes=Change.AGENTS,
        )
