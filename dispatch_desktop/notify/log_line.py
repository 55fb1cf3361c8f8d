"""One notification, one structured log record, and the one formatter of the seed's text.

Whatever happens to a notification (logged in development, sent, failed, skipped, or an outbox
row as it stands) is described by a `Notice`. `format_line` turns it into the `[DEV]`/`[PROD]`
line the seed specifies; `log_notice` logs that line with the notice attached to the LogRecord
(as `record.notice`), so a handler such as the console's pane reads the fields, never the text.
"""

import logging
from dataclasses import dataclass, replace

from dispatch_desktop.domain.delivery import NOT_REACHED
from dispatch_desktop.domain.outbox import Channel, OutboxStatus
from dispatch_desktop.notify.secrets import scrub

LOGGER_NAME = "dispatch_desktop.notify"
NOTICE_ATTRIBUTE = "notice"
PRODUCTION = "production"
SMS, EMAIL = Channel.SMS, Channel.EMAIL
LOGGED, SENT, FAILED, SKIPPED, HELD, SCHEDULED = (
    OutboxStatus.LOGGED,
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.SKIPPED,
    OutboxStatus.HELD,
    OutboxStatus.SCHEDULED,
)
# A text someone sent to the team's number (two-way SMS): `recipient` holds who sent it.
RECEIVED = "received"
# How a failure goes on, as the line ends: "(retry)", "(permanent)", "(unknown)".
RETRY, PERMANENT, UNKNOWN = "retry", "permanent", "unknown"

log = logging.getLogger(LOGGER_NAME)


def escape_newlines(text: str | None) -> str:
    """Newlines escaped, so one notification is always one log line."""
    return (text or "").replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


def environment_tag(environment: str | None) -> str:
    """PROD or DEV for an environment's name; empty for none (an outbox row not handled yet)."""
    if not environment:
        return ""
    return "PROD" if environment == PRODUCTION else "DEV"


@dataclass(frozen=True)
class Notice:
    """What happened to one notification, field by field."""

    environment: str | None  # "production", "development", or None while an outbox row waits
    channel: str  # "sms" or "email"
    outcome: str  # logged, sent, failed, skipped, received, or an outbox status (queued, sending, ...)
    recipient: str  # the address it went (or goes) to; for a skip, the recipient's name; received: the sender
    redirected_from: str | None = None  # the intended address, when a redirect sent it elsewhere
    subject: str | None = None
    message: str | None = None
    sid: str | None = None
    error: str | None = None  # a failure's error, a skip's reason, a hold's reason
    failure: str | None = None  # retry, permanent or unknown: how a failure goes on
    recipient_kind: str | None = None  # customer, agent, dispatcher (skips name who was skipped)
    # A receipt: what became of a sent text (domain.delivery), its reason in `error`.
    delivery: str | None = None
    note: str | None = None  # how the line was learnt, e.g. "found in Twilio's log", at its end
    until: str | None = None  # a held or scheduled row: when it goes (local time)

    @property
    def tag(self) -> str:
        return environment_tag(self.environment)

    @property
    def status(self) -> str:
        """The status a supervisor acts on: a failure that will be tried again is `retry`."""
        return RETRY if self.outcome == FAILED and self.failure == RETRY else self.outcome


def format_line(notice: Notice) -> str:
    """The seed's text for a notice, e.g. `[DEV] SMS (not sent) - To: +1234567890, Message: Hi`."""
    prefix = f"[{notice.tag}] " if notice.tag else ""
    sms = notice.channel == SMS
    kind = "SMS" if sms else "EMAIL"
    to = notice.recipient
    if notice.redirected_from and notice.redirected_from != notice.recipient:
        to = f"{notice.recipient} (redirected from {notice.redirected_from})"
    subject = f"Subject: {escape_newlines(notice.subject)}"
    if notice.outcome == RECEIVED:
        return f"{prefix}SMS received - From: {notice.recipient}, Message: {escape_newlines(notice.message)}"
    note = f" ({notice.note})" if notice.note else ""
    if notice.delivery is not None:
        error = f", Error: {escape_newlines(scrub(notice.error))}" if notice.error else ""
        return f"{prefix}{kind} {notice.delivery} - To: {to}, SID: {notice.sid}{error}"
    if notice.outcome == LOGGED:
        return f"{prefix}{kind} (not sent) - To: {to}, " + (
            f"Message: {escape_newlines(notice.message)}" if sms else subject
        )
    if notice.outcome == SENT:
        return f"{prefix}{kind} sent - To: {to}, " + (f"SID: {notice.sid}" if sms else subject) + note
    if notice.outcome == FAILED:
        error = escape_newlines(scrub(notice.error))
        return f"{prefix}{kind} failed - To: {to}, Error: {error} ({notice.failure or UNKNOWN})"
    if notice.outcome == SKIPPED:
        who = f"{escape_newlines(notice.recipient)} ({notice.recipient_kind})"
        return f"{prefix}{kind} skipped - To: {who}, Reason: {notice.error}"
    if notice.outcome == HELD and notice.until:
        return f"{prefix}{kind} held - To: {to}, Until: {notice.until} ({notice.error})"
    if notice.outcome == SCHEDULED and notice.until:
        return f"{prefix}{kind} scheduled - To: {to}, Due: {notice.until}"
    return f"{prefix}{kind} {notice.outcome} - To: {to}" + ("" if sms else f", {subject}") + note


def log_notice(notice: Notice) -> None:
    """The notice's one line on the notifier's logger (a warning for a failure), the notice attached.

    A receipt that the person was reached (or not yet) is a debug line: the log file keeps it,
    stderr and the console's pane do not, so a busy day's receipts do not bury what matters.
    """
    if notice.delivery is not None:
        level = logging.WARNING if notice.delivery in NOT_REACHED else logging.DEBUG
    else:
        level = logging.WARNING if notice.outcome == FAILED else logging.INFO
    # The record carries the fields to every handler: a provider's error is masked there too.
    notice = replace(notice, error=scrub(notice.error) if notice.error else notice.error)
    log.log(level, "%s", format_line(notice), extra={NOTICE_ATTRIBUTE: notice})
