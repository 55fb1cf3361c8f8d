"""The Templates page's editing half: one editor per part, the variables a kind may use, and the preview.

Only widgets here; what is loaded, saved and previewed is the page's (templates_page.py).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent, QMouseEvent, QTextDocument
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTabWidget,
    QTextBrowser,
    QWidget,
)

from dispatch_desktop.domain.message_kinds import HTML, PARTS, SMS, SUBJECT, TEXT


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplatesPage", text)


def part_titles() -> dict[str, str]:
    """The tab title of each part, with the mnemonics the Templates page leaves free."""
    return {SMS: tr("&SMS"), SUBJECT: tr("Su&bject"), TEXT: tr("Plain te&xt"), HTML: tr("&HTML")}


def placeholder(name: str) -> str:
    return "{{ " + name + " }}"


class PartEditors(QTabWidget):
    """A tab per part, each a plain-text editor in a fixed-width font; Tab moves on, as in a form."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, QPlainTextEdit] = {}
        self.shown_parts: tuple[str, ...] = PARTS
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for part, title in part_titles().items():
            editor = QPlainTextEdit()
            editor.setObjectName(f"template_{part}")
            editor.setFont(font)
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self.edited)
            self.editors[part] = editor
            self.addTab(editor, title)

    def show_parts(self, parts: Sequence[str]) -> None:
        """Only the tabs of the parts a kind has (a reply to a text is an SMS only)."""
        self.shown_parts = tuple(parts)
        for index, part in enumerate(PARTS):
            self.setTabVisible(index, part in parts)
        if self.current_part() not in parts:
            self.show_part(parts[0])

    def current_part(self) -> str:
        return PARTS[self.currentIndex()]

    def show_part(self, part: str) -> None:
        self.setCurrentIndex(PARTS.index(part))

    def texts(self) -> dict[str, str]:
        """The text of each part the kind has."""
        return {part: self.editors[part].toPlainText() for part in self.shown_parts}

    def set_texts(self, texts: Mapping[str, str]) -> None:
        """Replace the texts without a `edited` per part (one reload is one change)."""
        for part, text in texts.items():
            editor = self.editors[part]
            if editor.toPlainText() != text:
                editor.blockSignals(True)
                editor.setPlainText(text)
                editor.blockSignals(False)
        self.edited.emit()

    def insert(self, text: str) -> None:
        """`text` at the cursor of the part shown, which keeps the focus."""
        editor = self.editors[self.current_part()]
        editor.insertPlainText(text)
        editor.setFocus()


class VariableList(QListWidget):
    """The variables a kind may use; a click, Enter or Space on one chooses it."""

    chosen = Signal(str)

    def show_variables(self, names: Sequence[str]) -> None:
        self.clear()
        for name in names:
            item = QListWidgetItem(placeholder(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.addItem(item)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        item = self.itemAt(event.position().toPoint())
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.chosen.emit(placeholder(item.data(Qt.ItemDataRole.UserRole)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if item is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.chosen.emit(placeholder(item.data(Qt.ItemDataRole.UserRole)))
            return
        super().keyPressEvent(event)


class _LoadsNothing(QTextDocument):
    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None  # a template's <img src=file:///...> must not read this computer's files


class HtmlPreview(QTextBrowser):
    """The HTML part laid out as a mail client would, loading nothing: no image, file or link."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocument(_LoadsNothing(self))
        self.setOpenLinks(False)
        self.setTabChangesFocus(True)
