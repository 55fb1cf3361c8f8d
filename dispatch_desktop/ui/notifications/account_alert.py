"""The red banner when Twilio refuses texts for the whole account, with what to do.

Carriers blocking an unregistered number (30034, 30032) on two or more texts of the last day,
wrong Twilio credentials (20003), a trial account texting an unverified number (21608): each is
one line of services/reach.account_warnings. It reads only the outbox, so every workstation
shows what any notifier ran into, as the email sign-in banner does.
"""

from PySide6.QtWidgets import QWidget

from dispatch_desktop.services import reach
from dispatch_desktop.services.reach import AccountWarning
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.notifications.alert_banner import AlertBanner

ACCOUNT_INTERVAL_MS = 60_000


class AccountAlertBanner(AlertBanner[list[AccountWarning]]):
    """Hidden while Twilio takes the account's texts; red, one line per failure and its fix, when not."""

    def __init__(
        self, console: ConsoleContext, interval_ms: int = ACCOUNT_INTERVAL_MS, parent: QWidget | None = None
    ) -> None:
        self.warnings: list[AccountWarning] = []
        ctx = console.ctx
        super().__init__(
            console,
            name="accountAlert",
            title=self.tr("Texts are not reaching anyone: Twilio refuses them for the whole account"),
            ask=lambda: reach.account_warnings(ctx),
            changes=Change.OUTBOX | Change.SETTINGS,
            interval_ms=interval_ms,
            parent=parent,
        )

    def lines(self, answer: list[AccountWarning]) -> list[str]:
        self.warnings = answer
        return [warning.text for warning in answer]
