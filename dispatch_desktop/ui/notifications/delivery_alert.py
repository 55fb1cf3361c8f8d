"""The red banner when notifications wait with nobody able to deliver them, and who delivers.

On every workstation: production rows waiting for credentials, production rows due with no
notifier able to send them seen for two minutes, and rows queued in the other environment
than this console's (which it never delivers). The same poll tells the status bar who delivers.
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from dispatch_desktop.services import notifier_status
from dispatch_desktop.services.notifier_status import DeliveryHealth
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.notifications.alert_banner import AlertBanner

HEALTH_INTERVAL_MS = 10_000


class DeliveryAlertBanner(AlertBanner[DeliveryHealth]):
    """Hidden while delivery is healthy; red, one line per problem, while it is not."""

    health_changed = Signal(object)  # DeliveryHealth

    def __init__(
        self, console: ConsoleContext, interval_ms: int = HEALTH_INTERVAL_MS, parent: QWidget | None = None
    ) -> None:
        ctx = console.ctx
        super().__init__(
            console,
            name="deliveryAlert",
            title=self.tr("Notifications are not going out"),
            ask=lambda: notifier_status.delivery_health(ctx),
            changes=Change.OUTBOX | Change.BOOKINGS | Change.TIME_OFF | Change.SETTINGS,
            interval_ms=interval_ms,
            parent=parent,
        )
        self.health: DeliveryHealth | None = None

    def lines(self, answer: DeliveryHealth) -> list[str]:
        self.health = answer
        self.health_changed.emit(answer)
        return answer.alerts
