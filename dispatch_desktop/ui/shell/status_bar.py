"""The main window's status bar: database, operator, busy indicator, deliverer, outbox counts,
bookings whose messages did not reach someone, badges."""

from datetime import UTC, datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressBar, QStatusBar, QWidget

from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.services import outbox, reach
from dispatch_desktop.services.context import Actor
from dispatch_desktop.services.notifier_status import DeliveryHealth
from dispatch_desktop.services.workstation import EnvironmentBadge
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.plain import PlainLabel, plain_tip
from dispatch_desktop.ui.kit.poller import Poller
from dispatch_desktop.ui.kit.style import DEMO_BADGE, alert_badge_style, badge_style

BUSY_DELAY_MS = 400
NO_COUNT = "—"
ALERT = "color: #c62828; font-weight: 600;"
COUNTS_ON = Change.BOOKINGS | Change.OUTBOX | Change.TIME_OFF


class ConsoleStatusBar(QStatusBar):
    """What the console is connected to and how its notifications are doing, always in sight."""

    def __init__(self, console: ConsoleContext, *, demo_mode: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.outbox_counts: dict[str, int] | None = None
        self.not_reached: int | None = None
        self.database_label = PlainLabel(console.ctx.db.description)
        self.database_label.setObjectName("databaseLabel")
        self.database_label.setToolTip(self.tr("The shared database this console works on"))
        self.operator_label = PlainLabel()
        self.operator_label.setObjectName("operatorLabel")
        self.outbox_label = PlainLabel(self.tr("Outbox: {0}").format(NO_COUNT))
        self.outbox_label.setObjectName("outboxLabel")
        self.outbox_label.setToolTip(
            self.tr(
                "Notifications queued / waiting to retry / failed / held back, and when the next held one goes"
            )
        )
        self.reach_label = PlainLabel()
        self.reach_label.setObjectName("notReachedLabel")
        self.reach_label.setToolTip(
            self.tr(
                "Bookings not over yet where a text or email did not reach someone: see the booking's details"
            )
        )
        self.reach_label.setStyleSheet(ALERT)
        self.reach_label.hide()
        self.deliverer_label = PlainLabel(NO_COUNT)
        self.deliverer_label.setObjectName("delivererLabel")
        self.deliverer_label.setToolTip(self.tr("Who delivers this workstation's notifications, last seen"))
        self.badge = PlainLabel()
        self.badge.setObjectName("environmentBadge")
        self.demo_badge = PlainLabel(self.tr("DEMO DATA"))
        self.demo_badge.setStyleSheet(DEMO_BADGE)
        self.demo_badge.setVisible(demo_mode)
        self.busy = QProgressBar()
        self.busy.setObjectName("busyIndicator")
        self.busy.setMaximumWidth(140)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self.busy_timer.timeout.connect(self._show_busy)
        self.addWidget(self.database_label)
        self.addWidget(self.operator_label)
        self.addPermanentWidget(self.busy)
        self.addPermanentWidget(self.deliverer_label)
        self.addPermanentWidget(self.outbox_label)
        self.addPermanentWidget(self.reach_label)
        self.addPermanentWidget(self.demo_badge)
        self.addPermanentWidget(self.badge)
        ctx = console.ctx
        self.counts = Poller(
            self,
            console.ops,
            lambda: (outbox.status_counts(ctx), outbox.held(ctx), reach.bookings_not_reached(ctx)),
            self._counts_arrived,
        )
        console.ops.busy_changed.connect(self.show_busy)
        console.ops.changed.connect(self._data_changed)

    def _data_changed(self, what: Change) -> None:
        if what & COUNTS_ON:
            self.counts.poll()

    def show_operator(self, actor: Actor) -> None:
        note = self.tr(" — no operators yet, acting as supervisor") if actor.bootstrap else ""
        self.operator_label.setText(
            self.tr("{0} ({1}) · {2}{3}").format(actor.name, actor.username, actor.role.value, note)
        )

    def show_environment(self, badge: EnvironmentBadge) -> None:
        text = badge.tag
        if badge.warning:
            text = self.tr("{0} · {1}").format(badge.tag, badge.warning)
        elif badge.decided_by_flask_env:
            text = self.tr("{0} · set by FLASK_ENV").format(badge.tag)
        elif badge.production:
            text = self.tr("PROD — messages are sent to customers")
        if badge.plaintext_auth:
            text = self.tr("{0} · SMTP password without TLS").format(text)
        self.badge.setText(text)
        self.badge.setToolTip(plain_tip(self.tr("Notifications: {0}").format(badge.description)))
        self.badge.setStyleSheet(
            alert_badge_style(self.palette())
            if badge.warning or badge.plaintext_auth
            else badge_style(badge.production, self.palette())
        )
        self.badge.setProperty("production", badge.production)

    def _counts_arrived(self, arrived: tuple[dict[str, int], outbox.Held, int]) -> None:
        counts, held, self.not_reached = arrived
        self.outbox_counts = counts
        self.reach_label.setText(self.tr("{0} not reached").format(self.not_reached))
        self.reach_label.setVisible(self.not_reached > 0)
        queued, retry = counts.get(OutboxStatus.QUEUED, 0), counts.get(OutboxStatus.RETRY, 0)
        failed = counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.UNKNOWN, 0)
        text = self.tr("Outbox: {0} queued · {1} retry · {2} failed").format(queued, retry, failed)
        if held.count:
            # Held rows past their time wait for a notifier; "next at" a past time reads as a future one.
            if held.first is not None and held.first <= datetime.now(UTC):
                text += self.tr(" · {0} held, due since {1}").format(held.count, held.first_local)
            else:
                text += self.tr(" · {0} held, next at {1}").format(held.count, held.first_local)
        self.outbox_label.setText(text)
        self.outbox_label.setStyleSheet(ALERT if failed else "")

    def show_health(self, health: DeliveryHealth) -> None:
        self.deliverer_label.setText(health.deliverer)
        self.deliverer_label.setStyleSheet(ALERT if health.deliverer_missing else "")

    def show_busy(self, busy: bool) -> None:
        """Background work a person waits for: the indicator shows once it took BUSY_DELAY_MS."""
        if busy:
            if not self.busy_timer.isActive() and not self.busy.isVisible():
                self.busy_timer.start()
        else:
            self.busy_timer.stop()
            self.busy.hide()
            self.busy.setRange(0, 0)

    def _show_busy(self) -> None:
        if self.console.ops.running:
            self.busy.setRange(0, 0)
            self.busy.show()

    def database_unreachable(self, message: str) -> None:
        self.database_label.setText(
            self.tr("{0} — unreachable, retrying").format(self.console.ctx.db.description)
        )
        self.database_label.setStyleSheet(ALERT)
        self.database_label.setToolTip(plain_tip(message))

    def database_reachable(self) -> None:
        self.database_label.setText(self.console.ctx.db.description)
        self.database_label.setStyleSheet("")
