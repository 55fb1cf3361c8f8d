"""The red banner a polled question about delivery shows while its answer lists problems.

The delivery, account and provider-sync banners are the same frame: a bold title over one line
per problem, hidden while there is none, asked again on a timer and when the data it reads
changes. A subclass says what it asks and which lines an answer means.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.poller import Polled, Poller
from dispatch_desktop.ui.kit.style import alert_banner_style

Answer = TypeVar("Answer")


class AlertBanner(Polled, QFrame, Generic[Answer]):
    """Object names `<name>Banner`, `<name>Title` and `<name>Text`; red while `lines(answer)` is not empty."""

    def __init__(
        self,
        console: ConsoleContext,
        *,
        name: str,
        title: str,
        ask: Callable[[], Answer],
        changes: Change,
        interval_ms: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.changes = changes
        self.setObjectName(f"{name}Banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = PlainLabel(title)
        self.title.setObjectName(f"{name}Title")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.explanation = PlainLabel()
        self.explanation.setObjectName(f"{name}Text")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 6, 10, 6)
        column.setSpacing(2)
        column.addWidget(self.title)
        column.addWidget(self.explanation)
        self.setStyleSheet(alert_banner_style(self.palette(), self.objectName()))
        self.hide()
        self.poller = Poller(
            self,
            console.ops,
            ask,
            self._arrived,
            interval_ms=interval_ms,  # a failed poll keeps what was last known: the status bar says why
        )
        console.ops.changed.connect(self._data_changed)

    def lines(self, answer: Answer) -> list[str]:
        """What the answer says is wrong, one line each; a subclass may keep the answer too."""
        raise NotImplementedError

    def _data_changed(self, what: Change) -> None:
        if what & self.changes:
            self.poll()

    def _arrived(self, answer: Answer) -> None:
        lines = self.lines(answer)
        self.explanation.setText("\n".join(lines))
        self.setVisible(bool(lines))
