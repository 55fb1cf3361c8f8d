"""The window's size, docks and open tab, per home, for people who keep the console open all day."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtWidgets import QMainWindow, QWidget

LAYOUT_FILE = "window.ini"


class WindowLayout:
    def __init__(self, home: Path) -> None:
        self.file = home / LAYOUT_FILE

    def _settings(self) -> QSettings:
        return QSettings(str(self.file), QSettings.Format.IniFormat)

    def restore(self, window: QMainWindow, show_tab: Callable[[str], bool] | None) -> None:
        """As it was left; `show_tab` is None when the open tab must not come back (call center)."""
        if not self.file.exists():
            return
        stored = self._settings()
        geometry, state = stored.value("geometry"), stored.value("state")
        if isinstance(geometry, QByteArray):
            window.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            window.restoreState(state)
        tab = stored.value("tab")
        if isinstance(tab, str) and show_tab is not None:
            show_tab(tab)

    def save(self, window: QMainWindow, tab: str | None) -> None:
        stored = self._settings()
        stored.setValue("geometry", window.saveGeometry())
        stored.setValue("state", window.saveState())
        if tab:
            stored.setValue("tab", tab)
        stored.sync()


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move a window into the screen it opens on: a layout saved at another scale
    factor (or on a bigger monitor) must not open with its edges or title bar off-screen."""
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    margins = frame.size() - window.geometry().size()  # the title bar and borders
    width = min(window.width(), screen.width() - margins.width())
    height = min(window.height(), screen.height() - margins.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    fitted = QRect(window.frameGeometry())
    fitted.moveLeft(max(screen.left(), min(fitted.left(), screen.right() - fitted.width() + 1)))
    fitted.moveTop(max(screen.top(), min(fitted.top(), screen.bottom() - fitted.height() + 1)))
    if fitted.topLeft() != window.frameGeometry().topLeft():
        window.move(fitted.topLeft())
