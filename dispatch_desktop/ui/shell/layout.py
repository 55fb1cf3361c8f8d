"""The window's size, docks and open tab, per home, for people who keep the console open all day."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

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
