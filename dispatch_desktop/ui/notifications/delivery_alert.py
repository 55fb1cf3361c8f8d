"""The red banner when notifications wait with nobody able to deliver them, and who delivers.

On every workstation: production rows waiting for credentials, production rows due with no
notifier able to send them seen for two minutes, and rows queued in the other environment
than this console's (which it never delivers). The same poll tells the status bar who delivers.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from dispatch_desktop.services import notifier_status
from dispatch_desktop.services.notifier_status import DeliveryHealth
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.poller import Polled, Poller
from dispatch_desktop.ui.kit.style import alert_banner_style

HEALTH_INTERVAL_MS = 10_000


class DeliveryAlertBanner(Polled, QFrame):
    """Hidden while delivery is healthy; red, one line per problem, while it is not."""

    health_changed = Signal(object)  # DeliveryHealth

    def __init__(
        self, console: ConsoleContext, interval_ms: int = HEALTH_INTERVAL_MS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.health: DeliveryHealth | None = None
        self.setObjectName("deliveryAlertBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = PlainLabel(self.tr("Notifications are not going out"))
        self.title.setObjectName("deliveryAlertTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.explanation = PlainLabel()
        self.explanation.setObjectName("deliveryAlertText")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 6, 10, 6)
        column.setSpacing(2)
        column.addWidget(self.title)
        column.addWidget(self.explanation)
        self.setStyleSheet(alert_banner_style(self.palette(), self.objectName()))
        self.hide()
        ctx = console.ctx
        self.poller = Poller(
            self,
            console.ops,
            lambda: notifier_status.delivery_health(ctx),
            self._arrived,
            interval_ms=interval_ms,  # a failed poll keeps what was last known: the status bar says why
        )
        console.ops.changed.connect(self._data_changed)

    def _data_changed(self, what: Change) -> None:
        if what & (Change.OUTBOX | Change.BOOKINGS | Change.TIME_OFF | Change.SETTINGS):
            self.poll()

    def _arrived(self, health: DeliveryHealth) -> None:
        self.health = health
        self.explanation.setText("\n".join(health.alerts))
        self.setVisible(bool(health.alerts))
        self.health_changed.emit(health)
