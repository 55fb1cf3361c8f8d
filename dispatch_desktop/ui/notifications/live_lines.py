"""This workstation's live log lines, handed to the log pane in batches: lines arriving within
LINE_BATCH_MS go in as one insert, one repaint (a save's four notifications log four lines
within a few milliseconds)."""

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer

from dispatch_desktop.services.console_notify import Notice

LINE_BATCH_MS = 50
Line = tuple[str, datetime, Notice | None]


class LineBatch(QObject):
    def __init__(self, add: Callable[[list[Line]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._add = add
        self._lines: list[Line] = []
        self._timer = QTimer(self, singleShot=True, interval=LINE_BATCH_MS)
        self._timer.timeout.connect(self._flush)

    def take(self, line: str, at: datetime, notice: Notice | None) -> None:
        self._lines.append((line, at, notice))
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        lines, self._lines = self._lines, []
        self._add(lines)
