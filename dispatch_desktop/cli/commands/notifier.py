"""dispatch-desktop notifier run | status: deliver queued notifications (and sync with Twilio), and who delivers them."""

import argparse
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from dispatch_desktop.cli import args as cli_args
from dispatch_desktop.cli.app import App
from dispatch_desktop.cli.delivery import start_log, warn_about_delivery
from dispatch_desktop.cli.output import table
from dispatch_desktop.cli.parser import Commands
from dispatch_desktop.domain.errors import DispatchError
from dispatch_desktop.services import notifier_status, provider_sync, workstation
from dispatch_desktop.services.notifier_status import Heartbeat

DEFAULT_INTERVAL = 5.0


def cmd_notifier_run(app: App, args: argparse.Namespace) -> int:
    app.ctx.actor()  # a known operator (or the bootstrap) only; also checks the schema
    start_log(app)
    badge = workstation.environment_badge(app.config)
    print(f"notifier: {badge.description}, database {app.db.description}", file=sys.stderr)
    stop = threading.Event()
    total = notifier_status.running_total(badge.name)
    heartbeat = Heartbeat(app.db, kind="notifier", name=args.worker)
    sync = _Sync(app, provider_sync.holder_id(args.worker))
    warned = False
    with _stop_on_sigterm(stop):
        try:
            while True:
                try:
                    policy = workstation.delivery_policy(args.worker)
                    report = workstation.deliver_outbox(app.ctx, app.config, policy)
                    notifier_status.add_run(total, report)
                    heartbeat.beat(report)
                    if not warned:  # after the first run, so this notifier's own heartbeat counts
                        warned = True
                        warn_about_delivery(app)
                except DispatchError as exc:
                    if args.once:
                        raise
                    # A database blip must not stop the notifier; the rows wait in the outbox meanwhile.
                    print(f"warning: {exc}; trying again in {args.interval:g}s", file=sys.stderr)
                sync.when_due()
                if args.once or stop.wait(max(0.1, args.interval)):
                    break
        except KeyboardInterrupt:
            pass
        finally:
            sync.stop()
    app.emit(total.to_json(), total.summary())
    return 0


class _Sync:
    """The provider sync every `sync_interval_seconds` of the config file, between deliveries."""

    def __init__(self, app: App, holder: str) -> None:
        self.app, self.holder = app, holder
        self.last: float | None = None

    def when_due(self) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.app.config.sync_interval_seconds:
            return
        self.last = now
        try:
            workstation.sync_with_provider(self.app.ctx, self.app.config, self.holder)
        except DispatchError as exc:
            # Twilio or the database away: the texts keep their receipts pending until the next pass.
            interval = self.app.config.sync_interval_seconds
            print(f"warning: provider sync: {exc}; asking again in {interval}s", file=sys.stderr)

    def stop(self) -> None:
        if self.last is None:
            return
        with contextlib.suppress(DispatchError):  # the lease then simply expires
            workstation.stop_syncing(self.app.ctx, self.holder)


@contextlib.contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """A service manager's SIGTERM finishes the current run instead of killing sends mid-flight."""
    try:
        previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGTERM here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_notifier_status(app: App, _args: argparse.Namespace) -> int:
    views = notifier_status.list_notifiers(app.ctx)
    now = datetime.now(UTC)

    def ago(moment: datetime | None) -> str:
        return f"{notifier_status.age(now - moment)} ago" if moment else "never"

    rows = [
        (
            v.kind,
            v.host,
            v.environment,
            ",".join(v.channels) or "none",
            ago(v.last_seen),
            ago(v.last_delivery),
            v.worker,
        )
        for v in views
    ]
    headers = ("KIND", "HOST", "ENVIRONMENT", "CHANNELS", "LAST SEEN", "LAST DELIVERY", "WORKER")
    app.emit([v.to_json() for v in views], table(rows, headers))
    warn_about_delivery(app)
    return 0


def register(cli: Commands) -> None:
    nr = cli.group("notifier", "deliver queued notifications")
    c = cli.command(
        nr,
        "run",
        cmd_notifier_run,
        "deliver due notifications, sync receipts with Twilio, and keep going (Ctrl-C stops)",
    )
    c.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    c.add_argument(
        "--interval",
        type=cli_args.seconds,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help="pause between runs",
    )
    c.add_argument(
        "--worker", type=cli_args.worker_name, default="cli", help="worker name recorded on claimed rows"
    )
    cli.command(nr, "status", cmd_notifier_status, "the notifiers and delivering consoles seen, and when")
