"""Asks for a reason that may not be empty (cancelling a booking, denying time off)."""

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


class ReasonDialog(QDialog):
    """Asks for a reason that may not be empty (cancelling a booking, denying time off).

    `reasons` are common ones offered in a list above the field; `accept_text` and `reject_text`
    name the two buttons by what they do ("Cancel booking" / "Keep booking").
    """

    reason_given = Signal(str)

    def __init__(
        self,
        title: str,
        prompt: str,
        parent: QWidget | None = None,
        *,
        reasons: Sequence[str] = (),
        accept_text: str | None = None,
        reject_text: str | None = None,
    ) -> None:
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
        if accept_text is not None:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(accept_text)
        if reject_text is not None:
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(reject_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.common = QComboBox()
        self.common.addItem(tr("Pick a common reason, or type one below"))
        self.common.addItems(list(reasons))
        self.common.setVisible(bool(reasons))
        self.common.activated.connect(self._pick)
        layout = QVBoxLayout(self)
        for widget in (self.prompt, self.common, self.reason, self.hint, self.buttons):
            layout.addWidget(widget)
        self.reason.textChanged.connect(self._update)
        self._update()

    def _pick(self, index: int) -> None:
        if index > 0:
            self.reason.setText(self.common.itemText(index))
            self.reason.setFocus()

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
