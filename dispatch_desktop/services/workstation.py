"""Opening this workstation's database, for the console (which may not touch storage), the command line and scripts."""

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, text

from dispatch_desktop.config import Config, config_path, database_url, default_home, load_config
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.secrets import register_secret
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage import files, outbox, schema
from dispatch_desktop.storage.engine import (
    PASSWORD_IN_URL,
    Database,
    has_password,
    login_key,
    parse_url,
    unavailable_as_error,
)

if TYPE_CHECKING:  # the notifier loads on the first delivery, not at start-up
    from dispatch_desktop.notify.async_notifier import DeliveryPolicy
    from dispatch_desktop.notify.delivery import DeliveryReport
    from dispatch_desktop.services.notifier_status import Heartbeat
    from dispatch_desktop.services.provider_sync import SyncReport

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
    plaintext_auth: str | None = None  # a password sent without TLS, as allowed by --allow-plaintext-auth

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
    url = parse_url(database_url(home, config, database_url_override))
    if has_password(url):
        raise ValidationError(PASSWORD_IN_URL)
    password = (
        credentials.database_password(login_key(url)) if url.get_backend_name() == "postgresql" else None
    )
    return ServiceContext(Database(url, read_only=read_only, password=password), operator, config)


def login_url(home: Path, config: Config, database_url_override: str | None = None) -> URL:
    """The PostgreSQL database a password is for; SQLite has no logins."""
    url = parse_url(database_url(home, config, database_url_override))
    if has_password(url):
        raise ValidationError(PASSWORD_IN_URL)
    if url.get_backend_name() != "postgresql":
        raise ValidationError(
            "SQLite has no database logins: the OS account that can open the file is the boundary"
        )
    return url


def store_login(home: Path, config: Config, password: str, database_url_override: str | None = None) -> str:
    """Connect with `password` and, once the server accepts it, keep it in the OS keyring.

    Returns where: the database's description.
    """
    url = login_url(home, config, database_url_override)
    register_secret(password)
    db = Database(url, password=password)
    try:
        with unavailable_as_error(url), db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        db.dispose()
    credentials.store_database_password(login_key(url), password)
    return db.description


def file_warnings(home: Path, config: Config, database_url_override: str | None = None) -> list[str]:
    """What other OS users could read or change: the home, config file, logs, a SQLite database."""
    candidates = [config_path(home), *sorted((home / "logs").glob("*.log*"))]
    url = parse_url(database_url(home, config, database_url_override))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        candidates += [
            database,
            database.with_name(database.name + "-wal"),
            database.with_name(database.name + "-shm"),
        ]
    return files.exposed(home, candidates)


SSL_MODES = {
    "disable": "not encrypted",
    "allow": "encrypted only if the server insists, not verified",
    "prefer": "encrypted if the server offers it, not verified",
    "require": "encrypted, server not verified",
    "verify-ca": "encrypted, server certificate verified",
    "verify-full": "encrypted, server certificate and host name verified",
}


def requested_tls(home: Path, config: Config, database_url_override: str | None = None) -> str | None:
    """What the URL's sslmode asks of the PostgreSQL connection (None on SQLite)."""
    url = parse_url(database_url(home, config, database_url_override))
    if url.get_backend_name() != "postgresql":
        return None
    raw = url.query.get("sslmode", "prefer")
    mode = raw[-1] if isinstance(raw, tuple) else raw
    return f"sslmode={mode}: {SSL_MODES.get(mode, 'unknown mode')}"


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


def environment_badge(config: Config | None, *, read_keyring: bool = True) -> EnvironmentBadge:
    """Which environment the notifier on this workstation uses, and what decided it.

    Whether the SMTP password crosses the network in the clear reads the OS keyring (70 ms to
    load it, a desktop's Secret Service may take longer): without `read_keyring` it is left out.
    """
    from dispatch_desktop.notify.notifier import environment_decision

    decision = environment_decision(config)
    plaintext = credentials.plaintext_auth_warning(config) if config is not None and read_keyring else None
    return EnvironmentBadge(
        decision.production, decision.tag, decision.source, decision.describe(), decision.warning, plaintext
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


def hold_late_texts(ctx: ServiceContext, config: Config) -> int:
    """Customer texts that came due in quiet hours are held before this run claims them (a read
    first, so an idle tick takes no write lock). Returns how many were held or superseded."""
    from dispatch_desktop.notify.notifier import environment_decision
    from dispatch_desktop.services import notices
    from dispatch_desktop.services.context import read_team_settings
    from dispatch_desktop.storage.types import utcnow

    now, environment = utcnow(), environment_decision(config).name
    with ctx.db.read() as session:
        found = notices.late_texts(session, read_team_settings(session), now=now, environment=environment)
    if not found:
        return 0
    with ctx.db.write() as session:
        return notices.hold_late_texts(session, found, now=now)


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
    `notifier status` and the other consoles. On PostgreSQL a login outside the notifier group
    delivers nothing (storage/outbox/grants.may_deliver): `notifier run` does, as a notifier login.
    """
    from dispatch_desktop.notify.async_notifier import send_notifications_async
    from dispatch_desktop.notify.delivery import DeliveryReport

    with ctx.db.read() as session:
        if not outbox.may_deliver(session):  # PostgreSQL: only the notifier's logins deliver
            return DeliveryReport()
    policy = policy or delivery_policy(limit=CONSOLE_LIMIT)
    hold_late_texts(ctx, config)
    report = send_notifications_async(ctx.db, config, policy).result()
    if heartbeat is not None:
        heartbeat.beat(report)
    return report


def sync_with_provider(ctx: ServiceContext, config: Config, holder: str) -> "SyncReport":
    """One provider sync pass as `holder` (services/provider_sync.run_sync_pass) on the notifier's
    `dispatch-notify` thread, and wait for it: receipts, unknown texts, if this workstation leads."""
    from dispatch_desktop.notify.async_notifier import run_on_notifier_thread
    from dispatch_desktop.services.provider_sync import run_sync_pass

    return run_on_notifier_thread(lambda: run_sync_pass(ctx.db, config, holder=holder)).result()


def stop_syncing(ctx: ServiceContext, holder: str) -> None:
    """On a clean stop: hand the sync lease over at once rather than after it expires."""
    from dispatch_desktop.services.provider_sync import release_leadership

    release_leadership(ctx.db, holder)
