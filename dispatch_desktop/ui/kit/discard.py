"""Asking before work is thrown away: "Keep editing" is the default, "Discard" must be chosen."""

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from dispatch_desktop.ui.kit.plain import message_box


def tr(text: str) -> str:
    return QCoreApplication.translate("Discard", text)


def ask_to_discard(parent: QWidget, question: str, on_discard: Callable[[], object]) -> QMessageBox:
    """A window-modal question; Enter or Esc keeps the work, only "Discard" calls `on_discard`."""
    return ask_before(
        parent, tr("Discard changes?"), question, tr("&Keep editing"), tr("&Discard"), on_discard
    )


def ask_before(
    parent: QWidget, title: str, question: str, keep: str, act: str, on_act: Callable[[], object]
) -> QMessageBox:
    """A window-modal question whose default (Enter, Esc) is `keep`; only the `act` button calls `on_act`."""
    box = message_box(parent, QMessageBox.Icon.Question, title, question)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    keep_button = box.addButton(keep, QMessageBox.ButtonRole.RejectRole)
    act_button = box.addButton(act, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep_button)
    box.setEscapeButton(keep_button)
    act_button.clicked.connect(on_act)
    box.open()
    return box
