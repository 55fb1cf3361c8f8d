"""The red banner across the top of the main window when emails fail to sign in to the mail server.

Office 365 switches basic SMTP AUTH off (MC786329): from then on every confirmation email fails
with `535 5.7.139`. The notifier marks those rows failed with the explanation; this banner polls
for them on a worker, so a supervisor sees it within the hour, and offers to resend them once the
sign-in is fixed.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.services import email_auth
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.plain import PlainLabel, plain_tip
from dispatch_desktop.ui.kit.poller import Polled, Poller
from dispatch_desktop.ui.kit.style import alert_banner_style

ALERT_INTERVAL_MS = 60_000


class EmailAlertBanner(Polled, QFrame):
    """Hidden until `email_auth.email_sign_in_alert` returns text; then red, with what to do."""

    alert_changed = Signal(object)  # the alert text, or None once it cleared
    resent = Signal(int)  # how many emails were queued again
    status_message = Signal(str)  # for the window's status bar

    def __init__(
        self, console: ConsoleContext, interval_ms: int = ALERT_INTERVAL_MS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.alert_text: str | None = None
        self.dismissed_text: str | None = None
        self.setObjectName("emailAlertBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)

        self.title = PlainLabel(self.tr("Emails are not being sent: the mail server refused to sign in"))
        self.title.setObjectName("emailAlertTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.explanation = PlainLabel()
        self.explanation.setObjectName("emailAlertText")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result = PlainLabel()
        self.result.setObjectName("emailAlertResult")
        self.result.setWordWrap(True)
        self.result.hide()

        self.resend_button = QPushButton(self.tr("&Resend failed emails"))
        self.resend_button.setToolTip(
            self.tr("After the sign-in is fixed: queue every email that failed for this reason again")
        )
        self.resend_button.clicked.connect(self.resend)
        self.resend_button.setVisible(console.can(Permission.MANAGE_OUTBOX))
        self.hide_button = QPushButton(self.tr("Hide until it changes"))
        self.hide_button.setToolTip(self.tr("The banner comes back when another email fails"))
        self.hide_button.clicked.connect(self.dismiss)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.explanation)
        text.addWidget(self.result)
        buttons = QVBoxLayout()
        buttons.addWidget(self.resend_button)
        buttons.addWidget(self.hide_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.addLayout(text, 1)
        row.addLayout(buttons)
        self.setStyleSheet(alert_banner_style(self.palette()))
        self.hide()

        ctx = console.ctx
        self.poller = Poller(
            self,
            console.ops,
            lambda: email_auth.email_sign_in_alert(ctx),
            self._arrived,
            interval_ms=interval_ms,  # a failed poll keeps what was last known: the status bar says why
        )
        console.ops.changed.connect(self._data_changed)

    # --- polling --------------------------------------------------------------------------

    def _data_changed(self, what: Change) -> None:
        if what & (Change.OUTBOX | Change.SIGN_IN):
            self.poll()

    def _arrived(self, text: str | None) -> None:
        changed = text != self.alert_text
        self.alert_text = text
        if text is None:
            self.dismissed_text = None
            self.hide()
        else:
            self.explanation.setText(text)
            self.explanation.setToolTip(plain_tip(text))
            if changed:
                self.result.hide()
            self.setVisible(text != self.dismissed_text)
        if changed:
            self.alert_changed.emit(text)

    # --- commands -------------------------------------------------------------------------

    def dismiss(self) -> None:
        """Hide until the alert says something else (another failure changes the count and time)."""
        self.dismissed_text = self.alert_text
        self.hide()

    def resend(self) -> None:
        if not self.console.can(Permission.MANAGE_OUTBOX):
            return
        ctx = self.console.ctx
        self.resend_button.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: email_auth.retry_sign_in_failures(ctx),
            self._resent,
            self._resend_failed,
            changes=Change.OUTBOX,
        )

    def _resent(self, count: int) -> None:
        self.resend_button.setEnabled(True)
        if count == 1:
            message = self.tr("Requeued 1 email; it goes out with the next delivery.")
        else:
            message = self.tr("Requeued {0} emails; they go out with the next delivery.").format(count)
        self.result.setText(message)
        self.result.show()
        self.status_message.emit(message)
        self.resent.emit(count)

    def _resend_failed(self, error: Exception) -> None:
        self.resend_button.setEnabled(True)
        message = self.tr("Could not resend: %s") % one_line(error)
        self.result.setText(message)
        self.result.show()
        self.status_message.emit(message)
