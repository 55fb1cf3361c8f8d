"""Opening this workstation's database, for the console (which may not touch storage), the command line and scripts."""

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dispatch_desktop.config import Config, database_url, default_home, load_config
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage import schema
from dispatch_desktop.storage.engine import Database

if TYPE_CHECKING:  # the notifier loads on the first delivery, not at start-up
    from dispatch_desktop.notify.async_notifier import DeliveryPolicy
    from dispatch_desktop.notify.delivery import DeliveryReport
    from dispatch_desktop.services.notifier_status import Heartbeat

DEMO_FOLDER = "demo"
# A console delivers at most this many rows per tick, leaving the rest to the next tick (or another desk).
CONSOLE_LIMIT = 200


@dataclass(frozen=True)
class EnvironmentBadge:
    """What the status bar shows about where notifications go."""

    production: bool
    tag: str  # "DEV" or "PROD"
    source: str  # "FLASK_ENV", "config file" or "default"
    description: str
    warning: str | None = None  # a value that looks like production but is not the exact word

    @property
    def decided_by_flask_env(self) -> bool:
        return self.source == "FLASK_ENV"

    @property
    def name(self) -> str:
        """The environment's word, "production" or "development", as reports and JSON spell it."""
        return "production" if self.production else "development"


def open_workstation(
    home: Path,
    database_url_override: str | None = None,
    operator: str | None = None,
    config: Config | None = None,
) -> ServiceContext:
    """The acting operator on a database ready for this program.

    SQLite is created and upgraded in place; a PostgreSQL schema that does not match raises
    SchemaMismatchError, and an unreachable server DatabaseUnavailableError.
    """
    ctx = connect(home, config or load_config(home), database_url_override, operator)
    try:
        make_ready(ctx)
    except BaseException:
        close_workstation(ctx)
        raise
    return ctx


def connect(
    home: Path,
    config: Config,
    database_url_override: str | None = None,
    operator: str | None = None,
    *,
    read_only: bool = False,
) -> ServiceContext:
    """The acting operator on this workstation's database as it is: no schema check yet.

    `read_only` opens a SQLite file that cannot be written (a read-only home) for reading.
    """
    url = database_url(home, config, database_url_override)
    return ServiceContext(Database(url, read_only=read_only), operator, config)


def make_ready(ctx: ServiceContext) -> None:
    """Create or upgrade a SQLite schema in place; refuse a PostgreSQL schema that does not match."""
    schema.ensure_ready(ctx.db)


def open_database_url(url: str, operator: str | None = None) -> ServiceContext:
    """A ServiceContext on an explicit URL made ready like the workstation's (tests, benchmarks)."""
    db = Database(url)
    schema.ensure_ready(db)
    return ServiceContext(db, operator)


def close_workstation(ctx: ServiceContext) -> None:
    ctx.db.dispose()


def demo_home(base: Path | None = None) -> Path:
    """A separate home for `--demo`, so sample data never mixes with real work."""
    raw = os.environ.get("DISPATCH_DEMO_HOME")
    if raw:
        return Path(raw).expanduser().resolve()
    return (base or default_home()) / DEMO_FOLDER


def is_demo_home(home: Path) -> bool:
    """True only for the separate `--demo` home, the one place sample data may go."""
    resolved = home.expanduser().resolve()
    return resolved == demo_home(resolved.parent).resolve()


def environment_badge(config: Config | None) -> EnvironmentBadge:
    """Which environment the notifier on this workstation uses, and what decided it."""
    from dispatch_desktop.notify.notifier import environment_decision

    decision = environment_decision(config)
    return EnvironmentBadge(
        decision.production, decision.tag, decision.source, decision.describe(), decision.warning
    )


def start_notification_log(home: Path, config: Config) -> Path:
    """This workstation's [DEV]/[PROD] notification lines: stderr and HOME/logs (rotated)."""
    from dispatch_desktop.notify.notifier import setup_notification_logging

    return setup_notification_logging(home, config, console=True)


def console_worker_id() -> str:
    return f"console-{socket.gethostname()}-{os.getpid()}"


def delivery_policy(worker_id: str | None = None, limit: int | None = None) -> "DeliveryPolicy":
    """How a caller delivers: named `worker_id` (default: this console, console-HOST-PID) and
    taking at most `limit` rows per run (None: everything due)."""
    from dispatch_desktop.notify.async_notifier import DeliveryPolicy

    return DeliveryPolicy(worker_id or console_worker_id(), limit)


def deliver_outbox(
    ctx: ServiceContext,
    config: Config,
    policy: "DeliveryPolicy | None" = None,
    *,
    heartbeat: "Heartbeat | None" = None,
) -> "DeliveryReport":
    """Send (PROD) or log (DEV) whatever is due, and wait for the run to end.

    The one delivery path of the console, the command line (after a change, `notifier run`,
    `notify test`) and the settings dialog: notify's send_notifications_async with the caller's
    policy, by default this console's share (CONSOLE_LIMIT rows per tick). Several workstations
    may do this at once; rows are claimed, so each goes out once. In production a channel
    without credentials has its due rows go to `retry` with "missing credentials: ..." (still
    due, so a workstation that has them sends them). With `heartbeat`, the run is recorded for
    `notifier status` and the other consoles.
    """
    from dispatch_desktop.notify.async_notifier import send_notifications_async

    policy = policy or delivery_policy(limit=CONSOLE_LIMIT)
    report = send_notifications_async(ctx.db, config, policy).result()
    if heartbeat is not None:
        heartbeat.beat(report)
    return report
