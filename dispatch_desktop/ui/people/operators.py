"""Console users: supervisors add them, change their role and deactivate them."""

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from dispatch_desktop.domain.roles import Permission, Role
from dispatch_desktop.services import operators
from dispatch_desktop.services.views import OperatorView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.people.record_page import ActiveRecordsPage, WorkerDialog, with_region
from dispatch_desktop.ui.people.record_table import Column, RecordTableModel

REFRESH_ON = Change.OPERATORS


class OperatorDialog(WorkerDialog):
    """Add an operator (operator=None) or edit one: name, role, phone, email. Username is fixed once set."""

    def __init__(
        self, console: ConsoleContext, operator: OperatorView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(console, parent)
        self.operator = operator
        self.setWindowTitle(self.tr("Add operator") if operator is None else self.tr("Edit operator"))
        self.name = QLineEdit(operator.name if operator else "")
        self.username = QLineEdit(operator.username if operator else "")
        self.username.setReadOnly(operator is not None)
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.value, role.value)
        self.role.setCurrentIndex(self.role.findData(operator.role if operator else Role.DISPATCHER.value))
        self.phone = QLineEdit((operator.phone or "") if operator else "")
        self.email = QLineEdit((operator.email or "") if operator else "")
        self.phone.setPlaceholderText(self.tr("optional; dispatchers get time-off requests here"))
        form = QFormLayout()
        form.addRow(self.tr("&Name"), self.name)
        form.addRow(self.tr("&Username"), self.username)
        form.addRow(self.tr("&Role"), self.role)
        form.addRow(self.tr("&Phone"), self.phone)
        form.addRow(self.tr("&Email"), self.email)
        self._lay_out(form, on_accept=self.save)

    def save(self) -> None:
        ctx = self.console.ctx
        name, username, role = self.name.text(), self.username.text(), self.role.currentData()
        phone, email = self.phone.text(), self.email.text()
        if self.operator is None:

            def work() -> OperatorView:
                return operators.add_operator(
                    ctx, name=name, username=username, role=role, phone=phone or None, email=email or None
                )
        else:
            operator_id = self.operator.id

            def work() -> OperatorView:
                return operators.update_operator(
                    ctx, operator_id, name=name, role=role, phone=phone, email=email
                )

        self._submit(work, changes=Change.OPERATORS)


class OperatorsPage(ActiveRecordsPage):
    """Only supervisors see the operators; everyone else is told why the page is empty."""

    refresh_on = REFRESH_ON
    changes = Change.OPERATORS
    dialog_class = OperatorDialog
    list_records = staticmethod(with_region(operators.list_operators))
    set_active = staticmethod(operators.set_operator_active)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(console, parent)
        self.may_manage = console.can(Permission.MANAGE_OPERATORS)
        model = RecordTableModel(
            [
                Column(self.tr("Name"), lambda o: o.name),
                Column(self.tr("Username"), lambda o: o.username),
                Column(self.tr("Role"), lambda o: o.role),
                Column(self.tr("Phone"), lambda o: self.phone(o.phone)),
                Column(self.tr("Email"), lambda o: o.email),
                Column(self.tr("Status"), lambda o: self.tr("active") if o.active else self.tr("inactive")),
            ],
            self,
            muted=lambda o: not o.active,
        )
        buttons = self._record_buttons(self.tr("&Add operator…"), self.tr("&Edit or change role…"))
        self._lay_out(model, buttons, self.edit_selected)
        if not self.may_manage:
            # Never loaded, so nothing can be selected or edited.
            self.table.hide()
            for button in buttons:
                button.hide()
            self.message.show_info(self.tr("Only supervisors manage operators."))
            return
        self._start()

    def label(self, record: OperatorView) -> str:
        return record.username

    def select_operator(self, username: str) -> None:
        self.select_where(lambda o: o.username == username)
