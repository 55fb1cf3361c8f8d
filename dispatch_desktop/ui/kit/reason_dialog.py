"""Asks for a reason that may not be empty (cancelling a booking, denying time off)."""

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


class ReasonDialog(QDialog):
    """Asks for a reason that may not be empty (cancelling a booking, denying time off)."""

    reason_given = Signal(str)

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.prompt = PlainLabel(prompt)
        self.prompt.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("Required"))
        self.hint = PlainLabel(tr("A reason is required."))
        self.hint.setStyleSheet(field_error_style(self.palette()))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.prompt, self.reason, self.hint, self.buttons):
            layout.addWidget(widget)
        self.reason.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        filled = bool(self.reason.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(filled)
        self.hint.setVisible(not filled)

    def accept(self) -> None:
        text = self.reason.text().strip()
        if not text:
            return
        super().accept()
        self.reason_given.emit(text)
