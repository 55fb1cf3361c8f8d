"""One booking's details with its Notifications section: every message it caused, to whom, and what
became of it (the console's `dispatch-desktop booking notices`); who was not reached comes first."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.services import bookings
from dispatch_desktop.services.booking_notices import BookingNotice, booking_notices
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.display import phone_for_display
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.labels import not_reached_tip, source_label, status_label
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel, plain_tip

NOT_REACHED_STYLE = "color: #c62828; font-weight: 600;"
NOT_REACHED_TEXT = QColor("#c62828")


def tr(text: str) -> str:
    return QCoreApplication.translate("dialogs", text)


def _loaded(ctx: ServiceContext, booking_id: int) -> tuple[BookingView, list[BookingNotice], TeamSettings]:
    """On the worker: the booking, its notifications and the team's time zone."""
    return bookings.get_booking(ctx, booking_id), booking_notices(ctx, booking_id), ctx.team_settings()


class BookingDetailsDialog(QDialog):
    """The booking in a few lines, who its messages did not reach, and its Notifications section."""

    COLUMNS = ("When", "Event", "Channel", "Recipient", "Status", "Delivery", "Reason")

    def __init__(self, console: ConsoleContext, booking_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookingDetails")
        self.booking_id = booking_id
        self.loaded = False
        self.setWindowTitle(tr("Booking {0}").format(booking_reference(booking_id)))
        self.resize(980, 440)
        self.summary = PlainLabel()
        self.summary.setObjectName("bookingSummary")
        self.not_reached = PlainLabel()
        self.not_reached.setObjectName("notReached")
        self.not_reached.setStyleSheet(NOT_REACHED_STYLE)
        self.not_reached.setWordWrap(True)
        self.not_reached.hide()
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("bookingNotifications")
        self.table.setHorizontalHeaderLabels([tr(title) for title in self.COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.section = QGroupBox(tr("Notifications"))
        QVBoxLayout(self.section).addWidget(self.table)
        self.error = PlainLabel()
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.not_reached, self.section, self.error, buttons):
            layout.addWidget(widget)
        ctx = console.ctx
        run_for(self, console.ops, lambda: _loaded(ctx, booking_id), self._show, self._failed)

    def _show(self, result: tuple[BookingView, list[BookingNotice], TeamSettings]) -> None:
        view, notices, settings = result
        agent = view.agent_name or tr("unassigned")
        self.summary.setText(
            tr("{0} · {1} · {2}\n{3} to {4} · agent: {5} · {6}").format(
                view.reference,
                status_label(view.status),
                view.customer_name,
                settings.local(view.start),
                settings.local(view.end),
                agent,
                source_label(view.source),
            )
        )
        self.not_reached.setText(not_reached_tip(view))
        self.not_reached.setVisible(bool(view.unreached))
        self.table.setRowCount(len(notices))
        for row, notice in enumerate(notices):
            reason = (notice.reason or "") + (f": {notice.advice}" if notice.advice else "")
            values = (
                settings.local(notice.created_at),
                notice.event,
                "SMS" if notice.channel == "sms" else notice.channel,
                f"{notice.recipient_kind} {notice.recipient_name or ''} "
                f"{phone_for_display(notice.recipient, settings.region)}".replace("  ", " "),
                notice.status,
                notice.delivery or "—",
                reason or "—",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if notice.not_reached:
                    item.setForeground(QBrush(NOT_REACHED_TEXT))
                    item.setToolTip(plain_tip(tr("Not reached: {0}").format(reason)))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.loaded = True

    def _failed(self, error: Exception) -> None:
        self.error.setText(one_line(error))
        self.error.show()
        self.loaded = True
