"""Asking before typed work is thrown away: "Keep editing" is the default, "Discard" must be chosen."""

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from dispatch_desktop.ui.kit.plain import message_box


def tr(text: str) -> str:
    return QCoreApplication.translate("Discard", text)


def ask_to_discard(parent: QWidget, question: str, on_discard: Callable[[], object]) -> QMessageBox:
    """A window-modal question; Enter or Esc keeps the work, only "Discard" calls `on_discard`."""
    box = message_box(parent, QMessageBox.Icon.Question, tr("Discard changes?"), question)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    keep = box.addButton(tr("&Keep editing"), QMessageBox.ButtonRole.RejectRole)
    discard = box.addButton(tr("&Discard"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    discard.clicked.connect(on_discard)
    box.open()
    return box
