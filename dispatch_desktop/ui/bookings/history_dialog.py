"""The history of one booking, told as a story: who did what, and who was told."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.services.booking_story import StoryLine, booking_story
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


class HistoryDialog(QDialog):
    """One line per change: "Dana Whitfield moved it from 10:00 to 10:30 · customer told by SMS and email"."""

    def __init__(self, console: ConsoleContext, booking_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.booking_id = booking_id
        self.loaded = False
        self.setWindowTitle(tr("History of booking {0}").format(booking_reference(booking_id)))
        self.resize(760, 380)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([tr("When"), tr("What happened")])
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.error = PlainLabel()
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        ctx = console.ctx
        run_for(
            self,
            console.ops,
            lambda: (booking_story(ctx, booking_id), ctx.team_settings()),
            self._show,
            self._failed,
        )

    def _show(self, result: tuple[list[StoryLine], TeamSettings]) -> None:
        lines, settings = result
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            for column, value in enumerate((settings.local(line.at), line.text)):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.loaded = True

    def _failed(self, error: Exception) -> None:
        self.error.setText(one_line(error))
        self.error.show()
        self.loaded = True
