"""What the agents, operators and time-off panes share: a dialog that saves on a worker, and a record list page."""

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import retire, run_for
from dispatch_desktop.ui.kit.message_line import MessageLine
from dispatch_desktop.ui.people.record_table import (
    RecordTableModel,
    record_table_view,
    select_row,
    selected_record,
)


class WorkerDialog(QDialog):
    """A dialog whose save runs on a worker: success emits `saved` and closes, a refusal stays in the dialog."""

    saved = Signal(object)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.message = MessageLine()

    def _lay_out(
        self,
        *parts: QWidget | QLayout,
        on_accept: Callable[[], None],
        accept: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Save,
        accept_text: str | None = None,
    ) -> None:
        """`parts` top to bottom, then the message line, then accept and Cancel."""
        self.buttons = QDialogButtonBox(accept | QDialogButtonBox.StandardButton.Cancel)
        if accept_text is not None:
            self.buttons.button(accept).setText(accept_text)
        self.buttons.accepted.connect(on_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # never smaller than its fields
        for part in parts:
            if isinstance(part, QLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _submit(self, work: Callable[[], Any], changes: Change) -> None:
        self.buttons.setEnabled(False)
        run_for(self, self.console.ops, work, self._done, self._refused, changes=changes)

    def _done(self, record: Any) -> None:
        self.saved.emit(record)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        self.message.show_error(error)


class RecordListPage(QWidget):
    """A row of buttons over a table of records and a message line, reloaded when `refresh_on` changes.

    A subclass sets `refresh_on` and `list_records(ctx)`, builds its model and buttons, calls `_lay_out`,
    then `_start` once it wants the page live, and implements `_update_buttons`.
    """

    status_message = Signal(str)  # the main window repeats it in the status bar

    refresh_on: ClassVar[Change] = Change(0)
    list_records: Callable[[Any], Any]

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.loaded = 0
        self.dialog: QDialog | None = None
        self.message = MessageLine()

    def _lay_out(
        self, model: RecordTableModel, buttons: Sequence[QPushButton], on_double_click: Callable[[], Any]
    ) -> None:
        self.model = model
        self.table = record_table_view(model, self)
        self.table.doubleClicked.connect(lambda _index: on_double_click())
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table)
        layout.addWidget(self.message)

    def _start(self) -> None:
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.message.shown.connect(self.status_message)
        self.console.ops.changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    def _update_buttons(self) -> None:
        raise NotImplementedError

    def _on_changed(self, what: Change) -> None:
        if what & self.refresh_on:
            self.refresh()

    def refresh(self) -> None:
        ctx, list_records = self.console.ctx, self.list_records
        run_for(self, self.console.ops, lambda: list_records(ctx), self._loaded, self.message.show_error)

    def _loaded(self, result: Any) -> None:
        """What `list_records` returned: the records, unless a subclass lists more beside them."""
        self._show_records(result)

    def _show_records(self, rows: list[Any]) -> None:
        current = self.selected()
        self.model.set_records(rows)
        if current is not None:
            self.select_where(lambda r: r.id == current.id)
        self.loaded += 1
        self._update_buttons()

    def selected(self) -> Any | None:
        return selected_record(self.table)

    def select_where(self, predicate: Callable[[Any], bool]) -> None:
        select_row(self.table, self.model.row_of(predicate))

    def _show(self, dialog: QDialog) -> QDialog:
        retire(self.dialog)
        self.dialog = dialog
        dialog.open()
        return dialog


def with_region(list_records: Callable[[ServiceContext], list[Any]]) -> Callable[[ServiceContext], Any]:
    """`list_records` with the team's region beside the records, for `ActiveRecordsPage._loaded`."""
    return lambda ctx: (ctx.team_settings().region, list_records(ctx))


class ActiveRecordsPage(RecordListPage):
    """Records that are added, edited, deactivated and reactivated (agents, operators).

    A subclass sets `changes` (what a toggle changes), `dialog_class(console, record, parent)`,
    `set_active(ctx, id, active)` and `may_manage`; `label(record)` names a record in messages.
    """

    changes: ClassVar[Change]
    dialog_class: ClassVar[Callable[..., WorkerDialog]]
    set_active: Callable[[Any, int, bool], Any]
    may_manage: bool
    region = "US"  # the team's, read with the records (`with_region`): phones show in its national format

    def _loaded(self, result: tuple[str, list[Any]]) -> None:
        self.region, rows = result
        self._show_records(rows)

    def phone(self, number: str | None) -> str:
        return phone_for_display(number, self.region) if number else ""

    def _record_buttons(self, add_text: str, edit_text: str) -> list[QPushButton]:
        self.add_button = QPushButton(add_text)
        self.edit_button = QPushButton(edit_text)
        self.toggle_button = QPushButton(self.tr("&Deactivate"))
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.toggle_button.clicked.connect(self.toggle_selected)
        return [self.add_button, self.edit_button, self.toggle_button]

    def label(self, record: Any) -> str:
        return record.name

    def _update_buttons(self) -> None:
        record = self.selected()
        self.edit_button.setEnabled(record is not None)
        self.toggle_button.setEnabled(record is not None)
        self.toggle_button.setText(
            self.tr("&Reactivate") if record is not None and not record.active else self.tr("&Deactivate")
        )

    def add(self) -> WorkerDialog:
        return self._open(None)

    def edit_selected(self) -> WorkerDialog | None:
        record = self.selected()
        if record is None or not self.may_manage:
            return None
        return self._open(record)

    def _open(self, record: Any | None) -> WorkerDialog:
        dialog = self.dialog_class(self.console, record, self)
        dialog.saved.connect(lambda saved: self.message.show_info(self.tr("Saved %s.") % self.label(saved)))
        self._show(dialog)
        return dialog

    def toggle_selected(self) -> None:
        record = self.selected()
        if record is None:
            return
        ctx, record_id, active, set_active = self.console.ctx, record.id, not record.active, self.set_active
        done = self.tr("%s is active again.") if active else self.tr("%s is deactivated.")
        run_for(
            self,
            self.console.ops,
            lambda: set_active(ctx, record_id, active),
            lambda saved: self.message.show_info(done % self.label(saved)),
            self.message.show_error,
            changes=self.changes,
        )
