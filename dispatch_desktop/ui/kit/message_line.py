"""Small pieces the board, people, time-off, log and settings panes share."""

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style
from dispatch_desktop.ui.people.record_table import RecordTableModel

INFO_STYLE = "color: palette(text);"


def error_style() -> str:
    """Red that stays readable on the dark theme too (the console's shared field-error colour)."""
    return field_error_style() + " font-weight: 600;"


def local_text(moment: datetime | None, zone: tzinfo | None) -> str:
    if moment is None:
        return ""
    return (moment.astimezone(zone) if zone is not None else moment).strftime("%a %Y-%m-%d %H:%M")


class MessageLine(PlainLabel):
    """One line under a form or list: why something was refused, or what just happened."""

    shown = Signal(str)  # every message, so a page can repeat it in the window's status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error = False
        self.hide()

    def show_error(self, error: BaseException | str) -> None:
        self._error = True
        self.setStyleSheet(error_style())
        self.setText(error if isinstance(error, str) else one_line(error))
        self.show()
        self.shown.emit(self.text())

    def show_info(self, text: str) -> None:
        self._error = False
        self.setStyleSheet(INFO_STYLE)
        self.setText(text)
        self.show()
        self.shown.emit(text)

    def clear_message(self) -> None:
        self.clear()
        self.hide()

    @property
    def is_error(self) -> bool:
        return not self.isHidden() and self._error


def record_table_view(model: RecordTableModel, parent: QWidget | None = None) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setWordWrap(False)
    model.modelReset.connect(view.resizeColumnsToContents)
    return view


def selected_record(view: QTableView) -> Any | None:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    if not rows:
        return None
    index: QModelIndex = rows[0]
    return index.data(RecordTableModel.RecordRole)


def select_row(view: QTableView, row: int) -> None:
    if row >= 0:
        view.selectRow(row)


def retire(dialog: QWidget | None) -> None:
    """Free a finished dialog once a new one replaces it (open dialogs stay alive while shown)."""
    if dialog is not None and not dialog.isVisible():
        dialog.deleteLater()


def while_alive(widget: QWidget, callback: Callable[..., None]) -> Callable[..., None]:
    """A background result for a dialog the person may already have closed (and Qt deleted) is dropped."""

    def call(*args: Any) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return call


def run_for(
    widget: Any,
    work: Callable[[], Any],
    on_done: Callable[..., None] | None = None,
    on_error: Callable[..., None] | None = None,
    **options: Any,
) -> None:
    """`widget.console.ops.run(...)` whose results are dropped if the widget is gone by then."""
    widget.console.ops.run(
        work,
        while_alive(widget, on_done) if on_done is not None else None,
        while_alive(widget, on_error) if on_error is not None else None,
        **options,
    )
