"""What the console's notification log pane and settings dialog need from the notifier, Qt-free.

The console may not import storage or the notifier's internals; everything it needs about
outbox lines, credentials, the environment and test sends goes through here.
"""

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from logging.handlers import RotatingFileHandler
from pathlib import Path

from dispatch_desktop.config import Config, save_config
from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from dispatch_desktop.domain.outbox import SENT_OR_LOGGED, Channel, OutboxStatus
from dispatch_desktop.notify import credential_fields, credentials, notifier
from dispatch_desktop.notify.delivery import DeliveryReport
from dispatch_desktop.notify.log_line import (
    FAILED,
    LOGGER_NAME,
    NOTICE_ATTRIBUTE,
    PERMANENT,
    RETRY,
    SKIPPED,
    UNKNOWN,
    Notice,
    environment_tag,
    format_line,
)
from dispatch_desktop.notify.notifier import environment_decision
from dispatch_desktop.services import outbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.services.workstation import deliver_outbox, delivery_policy

__all__ = [
    "LOGGER_NAME",
    "NOTICE_ATTRIBUTE",
    "BulkRetryResult",
    "CredentialsState",
    "Notice",
    "TestSendResult",
    "deliver_test",
    "environment_tag",
    "load_credentials_state",
    "outbox_line",
    "outbox_notice",
    "retry_failed",
    "save_environment",
    "save_log_rotation",
    "save_smtp",
    "save_twilio",
    "send_test",
]

ENVIRONMENTS = ("development", "production")


# An outbox status that is a failure, and how the notifier's line says it goes on.
# Keyed by str: the status looked up is the row's, as stored.
_FAILURES: dict[str, str] = {
    OutboxStatus.FAILED: PERMANENT,
    OutboxStatus.RETRY: RETRY,
    OutboxStatus.UNKNOWN: UNKNOWN,
}


def outbox_notice(view: OutboxView) -> Notice:
    """The row as a notice: what the notifier logged for it, or where it stands while it waits."""
    failure = _FAILURES.get(view.status)
    skipped = view.status == SKIPPED
    waits = view.status in (OutboxStatus.HELD, OutboxStatus.SCHEDULED)
    return Notice(
        environment=view.environment,
        channel=view.channel,
        outcome=FAILED if failure else view.status,
        recipient=(view.recipient_name or "") if skipped else (view.sent_to or view.recipient),
        redirected_from=view.recipient if view.sent_to else None,
        subject=view.subject,
        message=view.body,
        sid=view.provider_id,
        error=view.hold_reason if view.status == OutboxStatus.HELD else view.last_error,
        failure=failure,
        recipient_kind=view.recipient_kind,
        # When a waiting row goes, in this workstation's time, as the pane shows every time.
        until=f"{view.due_at.astimezone():%Y-%m-%d %H:%M:%S}" if waits else None,
    )


def outbox_line(view: OutboxView) -> str:
    """The row as the notifier's log line says it, so the pane reads the same for every workstation."""
    return format_line(outbox_notice(view))


@dataclass(frozen=True)
class BulkRetryResult:
    retried: list[OutboxView]
    skipped: int  # rows someone else retried, dismissed or delivered meanwhile


def retry_failed(
    ctx: ServiceContext, message_ids: Sequence[int], progress: Callable[[int, int], None] | None = None
) -> BulkRetryResult:
    """Queue many failed rows again, one transaction each, reporting progress as it goes.

    A row that is no longer failed (another workstation acted on it) is skipped, not an error.
    `unknown` rows are left alone: an SMS that may already have gone out needs a person per row.
    """
    retried: list[OutboxView] = []
    skipped = 0
    total = len(message_ids)
    for done, message_id in enumerate(message_ids, start=1):
        try:
            if outbox.get_message(ctx, message_id).status != OutboxStatus.FAILED:
                raise ConflictError("no longer failed")
            retried.append(outbox.retry_message(ctx, message_id))
        except (ConflictError, NotFoundError):
            skipped += 1
        if progress is not None:
            progress(done, total)
    return BulkRetryResult(retried, skipped)


# --- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialsState:
    """What the settings dialog shows: non-secret values, whether each secret is stored, and from where."""

    environment_production: bool
    environment_source: str  # "FLASK_ENV", "config file" or "default"
    environment_description: str
    environment_locked: bool  # FLASK_ENV decides; the config file setting has no effect
    twilio_account_sid: str
    twilio_phone_number: str
    twilio_api_base_url: str
    twilio_token_source: str  # "keyring", "env" or "missing"
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_from: str
    smtp_starttls: bool
    smtp_password_source: str
    keyring_problem: str | None
    # Per channel ("sms", "email"), what production would lack to send from here; empty when complete.
    missing: dict[str, list[str]] = field(default_factory=dict)


def load_credentials_state(config: Config) -> CredentialsState:
    decision = environment_decision(config)
    twilio, smtp = credentials.load_twilio(config), credentials.load_smtp(config)
    rows, problem = credentials.describe(config, (twilio, smtp))
    source = {row.name: row.source for row in rows}
    return CredentialsState(
        environment_production=decision.production,
        environment_source=decision.source,
        environment_description=decision.describe(),
        environment_locked=decision.source == "FLASK_ENV",
        twilio_account_sid=config.twilio.account_sid or "",
        twilio_phone_number=config.twilio.phone_number or "",
        twilio_api_base_url=config.twilio.api_base_url or "",
        twilio_token_source=source.get(credentials.TWILIO_SECRET, "missing"),
        smtp_host=config.smtp.host or "",
        smtp_port=config.smtp.port,
        smtp_user=config.smtp.user or "",
        smtp_from=config.smtp.from_address or "",
        smtp_starttls=config.smtp.starttls,
        smtp_password_source=source.get(credentials.SMTP_SECRET, "missing"),
        keyring_problem=problem,
        missing={
            channel: names
            for channel, names in (
                (Channel.SMS.value, twilio.missing()),
                (Channel.EMAIL.value, smtp.missing()),
            )
            if names
        },
    )


def _url(value: str) -> str:
    url = value.strip().rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValidationError(
            f"API base URL {value!r} must start with https:// (or http:// for a local test server)"
        )
    return url


def save_twilio(
    home: Path,
    config: Config,
    *,
    account_sid: str,
    phone_number: str,
    api_base_url: str,
    auth_token: str | None,
    messaging_service_sid: str | None = None,
) -> Config:
    """A typed auth token goes to the keyring (with validation of SID and number); an empty one keeps the stored token.

    `messaging_service_sid`: None keeps it, "" clears it (texts go from the number again)."""
    base = _url(api_base_url or "https://api.twilio.com")
    if auth_token and auth_token.strip():
        updated = credentials.set_twilio(
            home, config, account_sid=account_sid, phone_number=phone_number, auth_token=auth_token
        )
    else:
        sid = account_sid.strip() or None
        if sid is not None and (not sid.startswith("AC") or not sid.isalnum()):
            raise ValidationError(f"account SID {sid!r} does not look like a Twilio account SID (AC...)")
        raw_number = phone_number.strip()
        if raw_number and not raw_number.startswith("+"):
            raise ValidationError(
                f"phone number {phone_number!r} must be in international form, e.g. +15551234567"
            )
        number = validation.phone(raw_number, "US", "phone number") if raw_number else None
        updated = replace(config, twilio=replace(config.twilio, account_sid=sid, phone_number=number))
    service = updated.twilio.messaging_service_sid
    if messaging_service_sid is not None:
        typed = messaging_service_sid.strip()
        service = credential_fields.messaging_service_sid(typed) if typed else None
    updated = replace(
        updated, twilio=replace(updated.twilio, api_base_url=base, messaging_service_sid=service)
    )
    save_config(home, updated)
    return updated


def save_smtp(
    home: Path,
    config: Config,
    *,
    host: str,
    port: int,
    user: str,
    from_address: str,
    starttls: bool,
    password: str | None,
) -> Config:
    """A typed password goes to the keyring; an empty one keeps the stored password."""
    if password and password.strip():
        return credentials.set_smtp(
            home,
            config,
            host=host,
            port=port,
            user=user or None,
            from_address=from_address,
            starttls=starttls,
            password=password,
        )
    if not 0 < port < 65536:
        raise ValidationError(f"port {port} is not a TCP port", "port")
    updated = replace(
        config,
        smtp=replace(
            config.smtp,
            host=validation.optional_text(host, "host", 255),
            port=port,
            user=validation.optional_text(user, "user", 320),
            from_address=validation.optional_email(from_address, "from address"),
            starttls=starttls,
        ),
    )
    save_config(home, updated)
    return updated


def save_environment(home: Path, config: Config, environment: str | None) -> Config:
    """This workstation's environment in the config file (a set FLASK_ENV still wins)."""
    if environment is not None and environment not in ENVIRONMENTS:
        raise ValidationError(f"environment must be one of {', '.join(ENVIRONMENTS)}")
    updated = replace(config, environment=environment)
    save_config(home, updated)
    return updated


def save_log_rotation(home: Path, config: Config, *, max_bytes: int, backup_count: int) -> Config:
    """New limits for HOME/logs/notifications.log, applied at once if this process already writes it."""
    if max_bytes < 10_000:
        raise ValidationError("the notification log must be allowed at least 10 kB before it rotates")
    if not 0 <= backup_count <= 100:
        raise ValidationError("keep between 0 and 100 rotated notification logs")
    updated = replace(config, log_max_bytes=max_bytes, log_backup_count=backup_count)
    save_config(home, updated)
    handlers = logging.getLogger(LOGGER_NAME).handlers
    log_file = (home / notifier.LOG_FILE).resolve()
    writing = any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == log_file for h in handlers)
    if writing and (config.log_max_bytes, config.log_backup_count) != (max_bytes, backup_count):
        to_stderr = any(type(h) is logging.StreamHandler and h.stream is sys.stderr for h in handlers)
        notifier.setup_notification_logging(home, updated, console=to_stderr)
    return updated


# --- test sends ----------------------------------------------------------------------


@dataclass(frozen=True)
class TestSendResult:
    messages: list[OutboxView]
    report: DeliveryReport

    @property
    def summary(self) -> str:
        return self.report.summary()

    @property
    def ok(self) -> bool:
        return all(m.status in SENT_OR_LOGGED for m in self.messages)

    def lines(self) -> list[str]:
        return [outbox_line(m) for m in self.messages]


def send_test(
    ctx: ServiceContext, config: Config, *, sms: str | None = None, email: str | None = None
) -> TestSendResult:
    """Queue a test message and deliver it through the same outbox path as real ones (DEV only logs)."""
    return deliver_test(ctx, config, outbox.queue_test(ctx, sms=sms, email=email))


def deliver_test(
    ctx: ServiceContext,
    config: Config,
    queued: list[OutboxView],
    *,
    worker_id: str = "settings-test",
) -> TestSendResult:
    """Deliver what is due, then the queued test messages as they ended up.

    `notify test` queues first and starts its notification log before this, so a refused
    address leaves no log file behind.
    """
    report = deliver_outbox(ctx, config, delivery_policy(worker_id))
    return TestSendResult([outbox.get_message(ctx, m.id) for m in queued], report)
