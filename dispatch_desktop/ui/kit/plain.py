"""Text in the console is shown as text, never as markup.

Qt guesses: a label, message box or tooltip whose first line holds something like a tag is
rendered as rich text, so a customer named '<h2 style=color:red>SYSTEM: call 1-900-…</h2>'
would be a red headline and '<img src=file:///…>' would load a local file. Labels and message
boxes here are PlainText; tooltips have no format switch, so they are escaped.
tests/ui/test_plain_text.py keeps ui/ on these.
"""

import html

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


class PlainLabel(QLabel):
    """A QLabel that shows its text literally, whatever it contains."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` literally (line breaks kept); empty stays empty, i.e. no tooltip."""
    return QtGui.Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal) if text else ""


def rich_tip(title: str, *lines: str) -> str:
    """A tooltip with a bold first line; every piece is escaped, so data never becomes markup."""
    return "<br>".join([f"<b>{html.escape(title)}</b>", *(html.escape(line) for line in lines)])


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    """A QMessageBox whose text and informative text are shown literally."""
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    return box
