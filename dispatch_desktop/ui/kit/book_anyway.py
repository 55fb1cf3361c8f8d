"""Asking before booking an agent outside their hours or without the service's skill: "Go back"
is the default, "Book anyway" must be chosen, and the services audit the override."""

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from dispatch_desktop.ui.kit.plain import message_box


def tr(text: str) -> str:
    return QCoreApplication.translate("BookAnyway", text)


def ask_book_anyway(parent: QWidget, warnings: Sequence[str], on_book: Callable[[], object]) -> QMessageBox:
    """A window-modal question naming the warnings; only "Book anyway" calls `on_book`."""
    text = "\n".join([*warnings, "", tr("Book anyway? The audit trail records the override.")])
    box = message_box(parent, QMessageBox.Icon.Warning, tr("Book anyway?"), text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    back = box.addButton(tr("&Go back"), QMessageBox.ButtonRole.RejectRole)
    book = box.addButton(tr("&Book anyway"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    book.clicked.connect(on_book)
    box.open()
    return box
