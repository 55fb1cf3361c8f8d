"""The red line when the sync leader cannot reach Twilio: receipts and replies are not being read.

The leader records each pass in the shared database (services/sync_health.py), so every
workstation shows it, not only the one that leads.
"""

from PySide6.QtWidgets import QWidget

from dispatch_desktop.services import sync_health
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.notifications.alert_banner import AlertBanner


class SyncAlertBanner(AlertBanner[list[str]]):
    """Hidden while Twilio answers the sync; red once it has not for three sync intervals."""

    def __init__(
        self, console: ConsoleContext, interval_ms: int | None = None, parent: QWidget | None = None
    ) -> None:
        ctx, config = console.ctx, console.config
        super().__init__(
            console,
            name="syncAlert",
            title=self.tr("Twilio is not answering"),
            ask=lambda: sync_health.sync_alerts(ctx, config),
            changes=Change.OUTBOX,
            interval_ms=interval_ms or config.sync_interval_seconds * 1000,
            parent=parent,
        )

    def lines(self, answer: list[str]) -> list[str]:
        return answer
