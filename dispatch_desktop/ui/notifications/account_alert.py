"""The red banner when Twilio refuses texts for the whole account, with what to do.

Carriers blocking an unregistered number (30034, 30032) on two or more texts of the last day,
wrong Twilio credentials (20003), a trial account texting an unverified number (21608): each is
one line of services/reach.account_warnings. It reads only the outbox, so every workstation
shows what any notifier ran into, as the email sign-in banner does.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from dispatch_desktop.services import reach
from dispatch_desktop.services.reach import AccountWarning
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.poller import Polled, Poller
from dispatch_desktop.ui.kit.style import alert_banner_style

ACCOUNT_INTERVAL_MS = 60_000


class AccountAlertBanner(Polled, QFrame):
    """Hidden while Twilio takes the account's texts; red, one line per failure and its fix, when not."""

    def __init__(
        self, console: ConsoleContext, interval_ms: int = ACCOUNT_INTERVAL_MS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.warnings: list[AccountWarning] = []
        self.setObjectName("accountAlertBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = PlainLabel(
            self.tr("Texts are not reaching anyone: Twilio refuses them for the whole account")
        )
        self.title.setObjectName("accountAlertTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.explanation = PlainLabel()
        self.explanation.setObjectName("accountAlertText")
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
            lambda: reach.account_warnings(ctx),
            self._arrived,
            interval_ms=interval_ms,  # a failed poll keeps what was last known: the status bar says why
        )
        console.ops.changed.connect(self._data_changed)

    def _data_changed(self, what: Change) -> None:
        if what & (Change.OUTBOX | Change.SETTINGS):
            self.poll()

    def _arrived(self, warnings: list[AccountWarning]) -> None:
        self.warnings = warnings
        self.explanation.setText("\n".join(warning.text for warning in warnings))
        self.setVisible(bool(warnings))
