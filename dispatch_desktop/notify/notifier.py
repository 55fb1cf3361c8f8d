"""Environment detection, the notification log, and the environment-aware send_sms/send_email.

`is_production_environment()` decides whether anything is sent (a delivery run asks it once and
passes the answer on); `send_sms` and `send_email` are the only code that sends or only logs.
Every notification, sent or only logged, produces exactly one record on the logger
`dispatch_desktop.notify`, its text made by notify.log_line.
"""

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from dispatch_desktop.config import Config
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.notify.log_file import file_handler
from dispatch_desktop.notify.log_line import (
    EMAIL,
    FAILED,
    LOGGED,
    LOGGER_NAME,
    PERMANENT,
    PRODUCTION,
    RETRY,
    SENT,
    SMS,
    UNKNOWN,
    Notice,
    environment_tag,
    log_notice,
)
from dispatch_desktop.notify.secrets import SecretScrubFilter

LOG_FILE = Path("logs") / "notifications.log"
DEVELOPMENT = "development"

log = logging.getLogger(LOGGER_NAME)
# On the logger itself, so every handler (file, console, the console's pane, pytest) sees masked text.
log.addFilter(SecretScrubFilter())


@dataclass(frozen=True)
class EnvironmentDecision:
    """Which environment applies and what decided it, for the console badge and `notifier run`."""

    production: bool
    source: str  # "FLASK_ENV", "config file" or "default"
    raw_value: str | None

    @property
    def name(self) -> str:
        return PRODUCTION if self.production else DEVELOPMENT

    @property
    def tag(self) -> str:
        return environment_tag(self.name)

    def describe(self) -> str:
        if self.source == "default":
            return f"{self.name} (default: FLASK_ENV is not set)"
        shown = f"{self.source}={self.raw_value}"
        if not self.production and (self.raw_value or "").strip().lower() != DEVELOPMENT:
            return f"{self.name} (from {shown}; only 'production' sends)"
        return f"{self.name} (from {shown})"

    @property
    def warning(self) -> str | None:
        """Said on every command, the badge and `credentials show` when the value looks like
        production (`Production `, `PRODUCTION`, `prod`) but is not the exact word."""
        if self.production or self.raw_value is None or not _looks_like_production(self.raw_value):
            return None
        name = "FLASK_ENV" if self.source == "FLASK_ENV" else "environment in the config file"
        return f"{name}={self.raw_value!r} is not {PRODUCTION!r}: {DEVELOPMENT}, nothing is sent"


def environment_decision(config: Config | None = None) -> EnvironmentDecision:
    """A set FLASK_ENV wins; otherwise the workstation config file; otherwise development.

    As the seed says, only the exact value "production" sends; anything else, including another
    case, surrounding spaces or a misspelling, is development so a typo can never text a customer.
    """
    flask_env = os.environ.get("FLASK_ENV")
    if flask_env is not None and flask_env.strip():
        return EnvironmentDecision(_is_production(flask_env), "FLASK_ENV", flask_env)
    configured = config.environment if config is not None else None
    if configured is not None and configured.strip():
        return EnvironmentDecision(_is_production(configured), "config file", configured)
    return EnvironmentDecision(False, "default", None)


def is_production_environment(config: Config | None = None) -> bool:
    return environment_decision(config).production


def _is_production(value: str) -> bool:
    return value == PRODUCTION


def _looks_like_production(value: str) -> bool:
    return value.strip().strip("'\"").strip().lower() in (PRODUCTION, "prod")


# --- the log -----------------------------------------------------------------------------

_HANDLER_MARK = "_dispatch_notify_handler"


def setup_notification_logging(home: Path, config: Config, *, console: bool = True) -> Path:
    """Send notification lines to stderr and to HOME/logs/notifications.log (rotated by size).

    A log file that cannot be written is warned about once; its lines then go to stderr.

    Idempotent: calling it again (another home, new limits) replaces the handlers it added.
    Other code that wants the lines (the console's log pane) attaches a handler to this logger.
    """
    path = home / LOG_FILE
    for handler in list(log.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            log.removeHandler(handler)
            handler.close()
    max_bytes, backups = max(0, config.log_max_bytes), max(0, config.log_backup_count)
    handlers: list[logging.Handler] = [file_handler(path, max_bytes, backups, console=console)]
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(message)s"))
        stream.setLevel(logging.INFO)
        handlers.append(stream)
    for handler in handlers:
        setattr(handler, _HANDLER_MARK, True)
        log.addHandler(handler)
    # Debug lines (a text delivered) reach the log file only; every stderr handler takes INFO and up.
    log.setLevel(logging.DEBUG)
    # The lines now reach stderr and the file here; passing them on too would print them twice.
    log.propagate = False
    return path


# --- sending -------------------------------------------------------------------------------


class Outcome(StrEnum):
    """How a send ended: the outbox status the row is finished in."""

    SENT = OutboxStatus.SENT.value
    LOGGED = OutboxStatus.LOGGED.value
    RETRY = OutboxStatus.RETRY.value
    FAILED = OutboxStatus.FAILED.value
    UNKNOWN = OutboxStatus.UNKNOWN.value


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    provider_id: str | None = None
    error: str | None = None
    sent_to: str | None = None
    retry_after: float | None = None
    # The number replied STOP (Twilio 21610): no more SMS to it until a person clears it.
    suppress: bool = False
    # False when the provider could not be reached at all (down, throttling, no credentials): the
    # message is not at fault, so it waits as long as that lasts instead of using up its attempts.
    counts_attempt: bool = True

    def with_outcome(self, outcome: Outcome, error: str | None) -> "SendResult":
        return replace(self, outcome=outcome, error=error)


class SmsSender(Protocol):
    def send(self, to: str, body: str) -> SendResult: ...


class EmailSender(Protocol):
    def send(
        self,
        to: str,
        subject: str,
        body: str,
        html_body: str | None,
        *,
        message_id: str | None,
        intended: str,
        calendar: str | None = None,
    ) -> SendResult: ...


MISSING_CREDENTIALS = "missing credentials"


def missing_credentials(fields: list[str]) -> str:
    return f"{MISSING_CREDENTIALS}: {', '.join(fields)}"


def _final(result: SendResult, attempt: int, max_attempts: int | None) -> SendResult:
    if (
        result.outcome is Outcome.RETRY
        and result.counts_attempt
        and max_attempts is not None
        and attempt >= max_attempts
    ):
        return result.with_outcome(Outcome.FAILED, f"gave up after {attempt} attempts: {result.error}")
    return result


def _failure_kind(result: SendResult) -> str:
    return {Outcome.RETRY: RETRY, Outcome.FAILED: PERMANENT}.get(result.outcome, UNKNOWN)


def _send_or_log(
    channel: str,
    to: str,
    production: bool | None,
    send: Callable[[str], SendResult] | None,
    *,
    missing: list[str],
    redirect_to: str | None,
    attempt: int,
    max_attempts: int | None,
    subject: str | None = None,
    message: str | None = None,
) -> SendResult:
    """The one place that decides between sending and only logging, and logs what happened.

    `send(address)` sends to the actual address (the redirect, if any); without it production
    has no credentials for the channel, and the message waits for them.
    """
    if production is None:
        production = is_production_environment()
    if not production:
        log_notice(Notice(DEVELOPMENT, channel, LOGGED, to, subject=subject, message=message))
        return SendResult(Outcome.LOGGED)
    actual = redirect_to or to
    if send is None:
        result = SendResult(Outcome.RETRY, error=missing_credentials(missing), counts_attempt=False)
    else:
        result = _final(send(actual), attempt, max_attempts)
    sent = result.outcome is Outcome.SENT
    log_notice(
        Notice(
            PRODUCTION,
            channel,
            SENT if sent else FAILED,
            actual,
            redirected_from=to,
            subject=subject,
            sid=result.provider_id,
            error=None if sent else result.error,
            failure=None if sent else _failure_kind(result),
        )
    )
    return result


def send_sms(
    to: str,
    message: str,
    *,
    production: bool | None = None,
    sender: SmsSender | None = None,
    missing: list[str] | None = None,
    redirect_to: str | None = None,
    attempt: int = 1,
    max_attempts: int | None = None,
) -> SendResult:
    """Send one SMS in production (through `sender`), or only log it in development.

    In development `sender` is never touched, so no connection is opened to Twilio.
    """
    return _send_or_log(
        SMS,
        to,
        production,
        None if sender is None else (lambda actual: sender.send(actual, message)),
        missing=missing or ["Twilio"],
        redirect_to=redirect_to,
        attempt=attempt,
        max_attempts=max_attempts,
        message=message,
    )


def send_email(
    to: str,
    subject: str,
    body: str,
    html_body: str | None = None,
    *,
    production: bool | None = None,
    sender: EmailSender | None = None,
    missing: list[str] | None = None,
    redirect_to: str | None = None,
    message_id: str | None = None,
    calendar: str | None = None,
    attempt: int = 1,
    max_attempts: int | None = None,
) -> SendResult:
    """Send one email (plain text with an optional HTML part and calendar invite) in production,
    or only log it."""
    return _send_or_log(
        EMAIL,
        to,
        production,
        None
        if sender is None
        else (
            lambda actual: sender.send(
                actual, subject, body, html_body, message_id=message_id, intended=to, calendar=calendar
            )
        ),
        missing=missing or ["SMTP"],
        redirect_to=redirect_to,
        attempt=attempt,
        max_attempts=max_attempts,
        subject=subject,
    )
