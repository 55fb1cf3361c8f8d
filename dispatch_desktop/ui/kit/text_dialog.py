"""Read-only text in a dialog: the about box; and the keyboard shortcuts as a two-column list."""

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class TextDialog(QDialog):
    """Read-only text, e.g. the about box."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        body = QPlainTextEdit(text)
        body.setReadOnly(True)
        _close_below(self, body)
        self.resize(480, 360)


class ShortcutsDialog(QDialog):
    """Keys and what they do, in two lined-up columns that scroll rather than clip."""

    def __init__(self, title: str, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("What it does")])
        for row, (keys, meaning) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(meaning))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        _close_below(self, self.table)
        self.table.resizeColumnsToContents()
        wanted = self.table.horizontalHeader().length() + 48
        self.setMinimumSize(420, 240)
        self.resize(max(560, wanted), min(560, self.table.verticalHeader().length() + 120))


def _close_below(dialog: QDialog, body: QWidget) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(body)
    layout.addWidget(buttons)
