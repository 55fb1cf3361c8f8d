"""One notification in full: its log line, the outbox row behind it, the error."""

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop.services import outbox
from dispatch_desktop.ui.notifications.log_model import (
    LogEntry,
)


class LogDetailsDialog(QDialog):
    """The whole message, recipient and error; retry or dismiss when the row allows and the role may."""

    retryRequested = Signal(int)
    dismissRequested = Signal(int)

    def __init__(self, entry: LogEntry, may_manage: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setWindowTitle(self.tr("Notification details"))
        self.resize(640, 420)
        self.text = QPlainTextEdit(entry.details())
        self.text.setReadOnly(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.retry_button: QPushButton | None = None
        self.dismiss_button: QPushButton | None = None
        view = entry.message
        if may_manage and view is not None:
            if view.status in outbox.RETRYABLE:
                self.retry_button = self.buttons.addButton(
                    self.tr("&Retry"), QDialogButtonBox.ButtonRole.ActionRole
                )
                self.retry_button.clicked.connect(lambda: self._request(self.retryRequested, view.id))
            if view.status in outbox.DISMISSABLE:
                self.dismiss_button = self.buttons.addButton(
                    self.tr("&Dismiss"), QDialogButtonBox.ButtonRole.ActionRole
                )
                self.dismiss_button.clicked.connect(lambda: self._request(self.dismissRequested, view.id))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)

    def _request(self, request: SignalInstance, message_id: int) -> None:
        request.emit(message_id)
        self.accept()
