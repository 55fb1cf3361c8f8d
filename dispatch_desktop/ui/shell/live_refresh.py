"""Live refresh: the shared change counter, polled every second; any change anywhere reloads every pane."""

from PySide6.QtCore import QObject, Signal

from dispatch_desktop.services import revision
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.poller import Polled, Poller

POLL_INTERVAL_MS = 1_000


class RevisionWatcher(Polled, QObject):
    """Tells every pane `Change.ALL` when the counter moved; says when the database is (un)reachable."""

    unreachable = Signal(str)
    reachable = Signal()

    def __init__(
        self, console: ConsoleContext, interval_ms: int = POLL_INTERVAL_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.last: int | None = None
        self._failing = False
        ctx = console.ctx
        # A tick while the last question is out is dropped: another follows within a second.
        self.poller = Poller(
            self,
            console.ops,
            lambda: revision.current_revision(ctx),
            self._arrived,
            self._failed,
            interval_ms=interval_ms,
            coalesce=False,
        )

    def _arrived(self, value: int) -> None:
        if self._failing:
            self._failing = False
            self.reachable.emit()
        changed = self.last is not None and value != self.last
        self.last = value
        if changed:
            self.console.ops.changed.emit(Change.ALL)

    def _failed(self, error: Exception) -> None:
        self._failing = True
        self.unreachable.emit(one_line(error))
