"""The line across the top of an open booking form once someone else saved that booking meanwhile."""

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.services import bookings, operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import run_for
from dispatch_desktop.ui.kit.plain import PlainLabel
from dispatch_desktop.ui.kit.style import field_error_style


def tr(text: str) -> str:
    return QCoreApplication.translate("BookingForm", text)


def _latest(ctx: ServiceContext, booking_id: int) -> tuple[BookingView, str]:
    """The stored booking and who saved it last, by name (people are never shown by login)."""
    current = bookings.get_booking(ctx, booking_id)
    return current, operators.display_name(ctx, current.updated_by)


class StaleBanner(QWidget):
    """Hidden until the watched booking's stored version moves on; then who changed it, and a button
    that brings their changes into the form without losing what was typed."""

    reload_requested = Signal()

    def __init__(
        self,
        console: ConsoleContext,
        watching: Callable[[], tuple[BookingView | None, TeamSettings | None] | None],
        parent: QWidget | None = None,
    ) -> None:
        """`watching()` is the form's booking and settings, or None while it is not to be compared
        (hidden, saving)."""
        super().__init__(parent)
        self.console = console
        self.watching = watching
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.text = PlainLabel()
        self.text.setWordWrap(True)
        self.text.setStyleSheet(field_error_style(self.palette()))
        self.reload_button = QPushButton(tr("Bring in their changes"))
        self.reload_button.setAutoDefault(False)
        self.reload_button.clicked.connect(self.reload_requested)
        row.addWidget(self.text, 1)
        row.addWidget(self.reload_button)
        self.hide()
        console.ops.changed.connect(self._data_changed)

    def _data_changed(self, what: Change) -> None:
        """Someone (maybe another workstation) changed bookings: is ours among them?"""
        watched = self.watching() if what & Change.BOOKINGS else None
        if watched is None or watched[0] is None:
            return
        ctx, mine = self.console.ctx, watched[0]
        run_for(
            self,
            self.console.ops,
            lambda: _latest(ctx, mine.id),
            self._compare_version,
            lambda _e: None,
        )

    def _compare_version(self, latest: tuple[BookingView, str]) -> None:
        current, who = latest
        watched = self.watching()
        if watched is None or watched[0] is None or current.version == watched[0].version:
            return
        settings = watched[1]
        when = settings.local(current.updated_at) if settings else current.updated_at.isoformat()
        self.text.setText(
            tr("{0} changed this booking at {1}. Bring their changes in; what you typed stays.").format(
                who, when
            )
        )
        self.show()
