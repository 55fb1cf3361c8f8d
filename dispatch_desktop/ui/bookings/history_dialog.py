"""The audit trail of one booking."""

from datetime import datetime

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
from dispatch_desktop.services import bookings
from dispatch_desktop.services.views import AuditView
from dispatch_desktop.ui.bookings.labels import status_label
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


class HistoryDialog(QDialog):
    """The audit trail of one booking: who changed which field, when, from what to what."""

    def __init__(self, console: ConsoleContext, booking_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.booking_id = booking_id
        self.loaded = False
        self.setWindowTitle(tr("History of booking {0}").format(booking_reference(booking_id)))
        self.resize(760, 380)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([tr("When"), tr("Who"), tr("What"), tr("From"), tr("To")])
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
            lambda: (bookings.booking_history(ctx, booking_id), ctx.team_settings()),
            self._show,
            self._failed,
        )

    def _show(self, result: tuple[list[AuditView], TeamSettings]) -> None:
        entries, settings = result
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            what = entry.action if not entry.field else f"{entry.action}: {entry.field}"
            values = (
                settings.local(entry.at),
                entry.actor,
                what,
                _readable(entry.old_value, settings),
                _readable(entry.new_value, settings),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.loaded = True

    def _failed(self, error: Exception) -> None:
        self.error.setText(one_line(error))
        self.error.show()
        self.loaded = True


def _readable(value: str | None, settings: TeamSettings) -> str:
    if value is None:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return status_label(value)
    if moment.tzinfo is None:
        return value
    return settings.local(moment)
