"""Environment detection, the notification log, and the environment-aware send_sms/send_email.

`is_production_environment()` is the single place that decides whether anything is sent.
Every notification, sent or only logged, produces exactly one line on the logger
`dispatch_desktop.notify`.
"""

import logging
import os
import sys
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from dispatch_desktop.config import Config
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.notify.log_file import file_handler
from dispatch_desktop.notify.secrets import SecretScrubFilter, scrub

LOGGER_NAME = "dispatch_desktop.notify"
LOG_FILE = Path("logs") / "notifications.log"
PRODUCTION = "production"
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
        return "PROD" if self.production else "DEV"

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
        handlers.append(stream)
    for handler in handlers:
        setattr(handler, _HANDLER_MARK, True)
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    # The lines now reach stderr and the file here; passing them on too would print them twice.
    log.propagate = False
    return path


def one_line(text: str | None) -> str:
    """Newlines escaped, so one notification is always one log line."""
    return (text or "").replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


def _target(to: str, actual: str | None) -> str:
    if actual and actual != to:
        return f"{actual} (redirected from {to})"
    return to


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
        self, to: str, subject: str, body: str, html_body: str | None, *, message_id: str, intended: str
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
    return {Outcome.RETRY: "retry", Outcome.FAILED: "permanent"}.get(result.outcome, "unknown")


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
    if production is None:
        production = is_production_environment()
    if not production:
        log.info("[DEV] SMS (not sent) - To: %s, Message: %s", to, one_line(message))
        return SendResult(Outcome.LOGGED)
    actual = redirect_to or to
    if sender is None:
        result = SendResult(
            Outcome.RETRY, error=missing_credentials(missing or ["Twilio"]), counts_attempt=False
        )
    else:
        result = _final(sender.send(actual, message), attempt, max_attempts)
    if result.outcome is Outcome.SENT:
        log.info("[PROD] SMS sent - To: %s, SID: %s", _target(to, actual), result.provider_id)
    else:
        log.warning(
            "[PROD] SMS failed - To: %s, Error: %s (%s)",
            _target(to, actual),
            one_line(scrub(result.error)),
            _failure_kind(result),
        )
    return result


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
    attempt: int = 1,
    max_attempts: int | None = None,
) -> SendResult:
    """Send one email (plain text with an optional HTML part) in production, or only log it."""
    if production is None:
        production = is_production_environment()
    if not production:
        log.info("[DEV] EMAIL (not sent) - To: %s, Subject: %s", to, one_line(subject))
        return SendResult(Outcome.LOGGED)
    actual = redirect_to or to
    if sender is None:
        result = SendResult(
            Outcome.RETRY, error=missing_credentials(missing or ["SMTP"]), counts_attempt=False
        )
    else:
        from dispatch_desktop.notify.smtp_sender import new_message_id

        result = _final(
            sender.send(
                actual, subject, body, html_body, message_id=message_id or new_message_id(), intended=to
            ),
            attempt,
            max_attempts,
        )
    if result.outcome is Outcome.SENT:
        log.info("[PROD] EMAIL sent - To: %s, Subject: %s", _target(to, actual), one_line(subject))
    else:
        log.warning(
            "[PROD] EMAIL failed - To: %s, Error: %s (%s)",
            _target(to, actual),
            one_line(scrub(result.error)),
            _failure_kind(result),
        )
    return result
