"""This workstation delivers its due notifications every few seconds, and at once when asked; every
sync interval it also runs the provider sync (receipts, unknown texts) when it is the sync leader."""

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from dispatch_desktop.services.notifier_status import Heartbeat
from dispatch_desktop.services.provider_sync import holder_id
from dispatch_desktop.services.workstation import deliver_outbox, sync_with_provider
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.poller import Poller

log = logging.getLogger("dispatch_desktop.ui")

DELIVERY_INTERVAL_MS = 5_000


class DeliveryTimer(QObject):
    """The console's notifier: `deliver_now()` on every tick, `send_due_now()` from the menu."""

    reported = Signal(str)  # what a run the person asked for did, for the status bar

    def __init__(
        self, console: ConsoleContext, interval_ms: int = DELIVERY_INTERVAL_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.heartbeat = Heartbeat(console.ctx.db, kind="console", name=console.ctx.username)
        self._report = False
        heartbeat = self.heartbeat
        # A tick while a run is out is dropped (the next tick comes); the menu command is not.
        self.poller = Poller(
            self,
            console.ops,
            lambda: deliver_outbox(console.ctx, console.config, heartbeat=heartbeat),
            self._delivered,
            self._failed,
            interval_ms=interval_ms,
            coalesce=False,
        )
        holder = holder_id("console")
        # On the same dispatch-notify thread as delivery; only the lease holder asks Twilio.
        self.sync = Poller(
            self,
            console.ops,
            lambda: sync_with_provider(console.ctx, console.config, holder),
            self._synced,
            self._sync_failed,
            interval_ms=console.config.sync_interval_seconds * 1000,
            coalesce=False,
        )

    def start(self) -> None:
        """Every interval from now on; the first run is one interval away."""
        self.poller.start(now=False)
        self.sync.start(now=False)

    def stop(self) -> None:
        self.poller.stop()
        self.sync.stop()

    def deliver_now(self) -> None:
        self.poller.poll()

    def send_due_now(self) -> None:
        """Deliver now, and say what the run did; after a run that is out, since it may have started
        before the rows were due."""
        self._report = True
        self.poller.poll_again()

    def _delivered(self, report: Any) -> None:
        if report.processed or report.held:
            self.console.ops.changed.emit(Change.OUTBOX)
        self._finished(report.summary())

    def _synced(self, report: Any) -> None:
        if report.changes:
            self.console.ops.changed.emit(Change.OUTBOX)

    def _sync_failed(self, error: Exception) -> None:
        log.warning("provider sync failed: %s", one_line(error))

    def _failed(self, error: Exception) -> None:
        log.warning("notification delivery failed: %s", one_line(error))
        self._finished(self.tr("Notifications not delivered: {0}").format(one_line(error)))

    def _finished(self, summary: str) -> None:
        if self._report and not self.poller.again_pending:
            self._report = False
            self.reported.emit(summary)
