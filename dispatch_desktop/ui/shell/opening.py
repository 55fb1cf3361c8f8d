"""The console's window while the database opens: shown right after QApplication, before the services load.

Its title, size and place are those of the main window that takes its place (the saved layout);
the central area and the status bar say what is happening, or why the console cannot start and
what to do. It imports nothing of services or storage, so it shows at the cost of an empty window.
"""

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.screen import fit_to_screen
from dispatch_desktop.ui.shell.layout import WindowLayout


class OpeningWindow(QMainWindow):
    """Quitting here ends the program; `hand_over` closes it for the main window."""

    quit_requested = Signal()

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.setObjectName("openingWindow")
        self.resize(1280, 800)
        self._handed_over = False
        self.headline = PlainLabel()
        self.headline.setObjectName("openingHeadline")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        self.detail = PlainLabel()
        self.detail.setObjectName("openingDetail")
        self.detail.setWordWrap(True)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(48, 24, 48, 24)
        column.addStretch(1)
        for label in (self.headline, self.detail):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            column.addWidget(label)
        column.addStretch(2)
        self.setCentralWidget(central)
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.menuBar().addMenu(self.tr("&File")).addAction(quit_action)
        WindowLayout(home).restore(self, None)

    def say(self, headline: str, detail: str = "", status: str | None = None) -> None:
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.statusBar().showMessage(headline if status is None else status)

    def hand_over(self, window: QMainWindow) -> None:
        """The main window where this one is (also if it was moved meanwhile), this one closed."""
        window.setGeometry(self.normalGeometry())
        window.setWindowState(self.windowState())
        window.show()
        self._handed_over = True
        self.close()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_screen(self)  # as the main window will, so it takes this one's place unchanged

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if not self._handed_over:
            self.quit_requested.emit()
