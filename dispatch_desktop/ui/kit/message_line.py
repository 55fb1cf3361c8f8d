"""The one line under a form or list that says why something was refused or what just happened."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style

INFO_STYLE = "color: palette(text);"


def error_style() -> str:
    """Red that stays readable on the dark theme too (the console's shared field-error colour)."""
    return field_error_style() + " font-weight: 600;"


class MessageLine(PlainLabel):
    """One line under a form or list: why something was refused, or what just happened."""

    shown = Signal(str)  # every message, so a page can repeat it in the window's status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error = False
        self.hide()

    def show_error(self, error: BaseException | str) -> None:
        self._error = True
        self.setStyleSheet(error_style())
        self.setText(error if isinstance(error, str) else one_line(error))
        self.show()
        self.shown.emit(self.text())

    def show_info(self, text: str) -> None:
        self._error = False
        self.setStyleSheet(INFO_STYLE)
        self.setText(text)
        self.show()
        self.shown.emit(text)

    def clear_message(self) -> None:
        self.clear()
        self.hide()

    @property
    def is_error(self) -> bool:
        return not self.isHidden() and self._error
