"""A non-blocking warning with the one line a person can act on."""

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import message_box


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


def show_error(parent: QWidget | None, error: BaseException | str, title: str | None = None) -> QMessageBox:
    """A non-blocking warning with the one-line message a person can act on."""
    text = error if isinstance(error, str) else one_line(error)
    box = message_box(parent, QMessageBox.Icon.Warning, title or tr("Dispatch Desktop"), text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
