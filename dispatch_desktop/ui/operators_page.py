"""Console users: supervisors add them, change their role and deactivate them."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.roles import Permission, Role
from dispatch_desktop.services import operators
from dispatch_desktop.services.views import OperatorView
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

REFRESH_ON = {"operators", "*"}


class OperatorDialog(QDialog):
    """Add an operator (operator=None) or edit one: name, role, phone, email. Username is fixed once set."""

    saved = Signal(object)

    def __init__(
        self, console: ConsoleContext, operator: OperatorView | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
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
        ctx = self.console.ctx
        name, username, role = self.name.text(), self.username.text(), self.role.currentData()
        phone, email = self.phone.text(), self.email.text()
        self.buttons.setEnabled(False)
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

        run_for(self, work, self._done, self._refused, changes="operators")

    def _done(self, operator: OperatorView) -> None:
        self.saved.emit(operator)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.message.show_error(error)


class OperatorsPage(QWidget):
    """Only supervisors see the operators; everyone else is told why the page is empty."""

    status_message = Signal(str)  # the main window repeats it in the status bar

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.may_manage = console.can(Permission.MANAGE_OPERATORS)
        self.model = RecordTableModel(
            [
                Column(self.tr("Name"), lambda o: o.name),
                Column(self.tr("Username"), lambda o: o.username),
                Column(self.tr("Role"), lambda o: o.role),
                Column(self.tr("Phone"), lambda o: o.phone),
                Column(self.tr("Email"), lambda o: o.email),
                Column(self.tr("Status"), lambda o: self.tr("active") if o.active else self.tr("inactive")),
            ],
            self,
            muted=lambda o: not o.active,
        )
        self.table = record_table_view(self.model, self)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_button = QPushButton(self.tr("&Add operator…"))
        self.edit_button = QPushButton(self.tr("&Edit or change role…"))
        self.toggle_button = QPushButton(self.tr("&Deactivate"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.toggle_button.clicked.connect(self.toggle_selected)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.toggle_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        self.dialog: OperatorDialog | None = None
        self.loaded = 0
        if not self.may_manage:
            self.table.hide()
            for button in (self.add_button, self.edit_button, self.toggle_button):
                button.hide()
            self.message.show_info(self.tr("Only supervisors manage operators."))
            return
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.message.shown.connect(self.status_message)
        console.ops.changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    def _on_changed(self, what: str) -> None:
        if what in REFRESH_ON:
            self.refresh()

    def refresh(self) -> None:
        ctx = self.console.ctx
        run_for(self, lambda: operators.list_operators(ctx), self._loaded, self.message.show_error)

    def _loaded(self, rows: list[OperatorView]) -> None:
        current = self.selected()
        self.model.set_records(rows)
        if current is not None:
            select_row(self.table, self.model.row_of(lambda o: o.id == current.id))
        self.loaded += 1
        self._update_buttons()

    def selected(self) -> OperatorView | None:
        return selected_record(self.table)

    def select_operator(self, username: str) -> None:
        select_row(self.table, self.model.row_of(lambda o: o.username == username))

    def _update_buttons(self) -> None:
        operator = self.selected()
        self.edit_button.setEnabled(operator is not None)
        self.toggle_button.setEnabled(operator is not None)
        self.toggle_button.setText(
            self.tr("&Reactivate") if operator is not None and not operator.active else self.tr("&Deactivate")
        )

    def add(self) -> OperatorDialog:
        return self._open(None)

    def edit_selected(self) -> OperatorDialog | None:
        operator = self.selected()
        return self._open(operator) if operator is not None else None

    def _open(self, operator: OperatorView | None) -> OperatorDialog:
        retire(self.dialog)
        self.dialog = OperatorDialog(self.console, operator, self)
        self.dialog.saved.connect(lambda saved: self.message.show_info(self.tr("Saved %s.") % saved.username))
        self.dialog.open()
        return self.dialog

    def toggle_selected(self) -> None:
        operator = self.selected()
        if operator is None:
            return
        ctx, operator_id, active = self.console.ctx, operator.id, not operator.active
        done = self.tr("%s is active again.") if active else self.tr("%s is deactivated.")
        run_for(
            self,
            lambda: operators.set_operator_active(ctx, operator_id, active),
            lambda saved: self.message.show_info(done % saved.username),
            self.message.show_error,
            changes="operators",
        )
