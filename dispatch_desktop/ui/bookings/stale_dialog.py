"""Someone else saved this booking first: say who and when, and offer to reload."""

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from dispatch_desktop.ui.kit.plain import PlainLabel


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


class StaleVersionDialog(QDialog):
    """Someone else saved this booking first: say who and when, and offer to reload."""

    reload_requested = Signal()

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Booking changed by someone else"))
        self.message = PlainLabel(message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        explain = PlainLabel(
            tr("Your changes were not saved, and nothing was overwritten. Reload to see the current booking.")
        )
        explain.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.reload_button = self.buttons.addButton(tr("Reload"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = self.buttons.addButton(tr("Keep my edits"), QDialogButtonBox.ButtonRole.RejectRole)
        self.reload_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(explain)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        super().accept()
        self.reload_requested.emit()
