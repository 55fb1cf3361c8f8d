"""The outbox as people see it: list, retry, dismiss, suppressions, counts and test messages.

Delivering it is services.workstation.deliver_outbox's."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.delivery import DELIVERY_STATES
from dispatch_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from dispatch_desktop.domain.outbox import DISMISSABLE, RETRYABLE, Channel, Move, OutboxStatus
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.notify.notifier import MISSING_CREDENTIALS
from dispatch_desktop.services import audit, notices
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.views import jsonable
from dispatch_desktop.storage import templates as template_store
from dispatch_desktop.storage.models import Operator
from dispatch_desktop.storage.outbox import moves, queries, suppressions
from dispatch_desktop.storage.outbox.queries import Message
from dispatch_desktop.storage.types import utcnow

# Plain strings: argparse names its choices by repr().
STATUSES = tuple(status.value for status in OutboxStatus)
CHANNELS = tuple(channel.value for channel in Channel)
_S = OutboxStatus
# Always counted for the status bar, even at zero.
ATTENTION = (_S.QUEUED, _S.RETRY, _S.FAILED, _S.UNKNOWN, _S.SCHEDULED, _S.HELD)


@dataclass(frozen=True)
class OutboxView:
    id: int
    event: str
    channel: str
    recipient: str
    recipient_name: str | None
    recipient_kind: str
    subject: str | None
    body: str
    status: str
    attempts: int
    last_error: str | None
    provider_id: str | None
    environment: str | None
    sent_to: str | None
    booking_id: int | None
    time_off_id: int | None
    claimed_by: str | None
    due_at: datetime  # not claimed before this (a reminder's time, a hold's end, a retry's backoff)
    created_at: datetime
    updated_at: datetime
    queued_environment: str  # the change's environment: only a worker of it delivers the row
    sent_at: datetime | None
    delivery: str | None  # domain/delivery.Delivery once the provider was asked; None before
    delivery_error_code: int | None
    delivery_reason: str | None
    hold_reason: str | None  # a held row: quiet hours or coalescing
    superseded_by: int | None  # a superseded row: the newer row that replaced it

    @classmethod
    def of(cls, row: Message) -> "OutboxView":
        return cls(
            row.id,
            row.event,
            row.channel,
            row.recipient,
            row.recipient_name,
            row.recipient_kind,
            row.subject,
            row.body,
            row.status,
            row.attempts,
            row.last_error,
            row.provider_id,
            row.environment,
            row.sent_to,
            row.booking_id,
            row.time_off_id,
            row.claimed_by,
            row.next_attempt_at,
            row.created_at,
            row.updated_at,
            row.queued_environment,
            row.sent_at,
            row.delivery,
            row.delivery_error_code,
            row.delivery_reason,
            row.hold_reason,
            row.superseded_by,
        )

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)

    @property
    def waiting_for_credentials(self) -> bool:
        """Held by a production worker without credentials for its channel (still due for one that has them)."""
        return self.status == OutboxStatus.RETRY and (self.last_error or "").startswith(MISSING_CREDENTIALS)


@dataclass(frozen=True)
class SuppressionView:
    phone: str
    reason: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"phone": self.phone, "reason": self.reason, "created_at": self.created_at.isoformat()}


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise ValidationError(f"unknown outbox status {status!r} (one of {', '.join(STATUSES)})", "status")


@dataclass(frozen=True)
class OutboxFilter:
    """Which rows `outbox list` and the log pane show. Empty fields do not filter."""

    status: str | None = None
    channel: str | None = None
    text: str | None = None
    delivery: str | None = None  # domain/delivery.DELIVERY_STATES: what the provider said of it

    def checked(self) -> dict[str, str | None]:
        """The filter as storage's keyword arguments, once its status, channel and delivery are known ones."""
        _check_status(self.status)
        if self.channel is not None and self.channel not in CHANNELS:
            raise ValidationError(f"unknown channel {self.channel!r} (sms or email)", "channel")
        if self.delivery is not None and self.delivery not in DELIVERY_STATES:
            known = ", ".join(DELIVERY_STATES)
            raise ValidationError(f"unknown delivery {self.delivery!r} (one of {known})", "delivery")
        return {"status": self.status, "channel": self.channel, "text": self.text, "delivery": self.delivery}


def list_outbox(
    ctx: ServiceContext,
    *,
    status: str | None = None,
    channel: str | None = None,
    text: str | None = None,
    delivery: str | None = None,
    limit: int | None = None,
) -> list[OutboxView]:
    """Every matching row, newest first (the newest `limit` when given), filtered by status,
    channel, text (recipient, name, subject, error, event) and delivery."""
    if limit is not None and limit < 1:
        raise ValidationError(f"limit must be at least 1, not {limit}", "limit")
    where = OutboxFilter(status, channel, text, delivery).checked()
    with ctx.reading() as unit:
        return [OutboxView.of(row) for row in queries.newest(unit.session, limit=limit, **where)]


def count_outbox(
    ctx: ServiceContext,
    *,
    status: str | None = None,
    channel: str | None = None,
    text: str | None = None,
    delivery: str | None = None,
) -> int:
    """How many rows `list_outbox` would return without a limit."""
    where = OutboxFilter(status, channel, text, delivery).checked()
    with ctx.reading() as unit:
        return queries.count(unit.session, **where)


def changed_since(
    ctx: ServiceContext, cursor: datetime | None, *, limit: int = 500
) -> tuple[list[OutboxView], datetime | None]:
    """Rows updated at or after `cursor` (oldest first) and the cursor for the next call.

    Rows at exactly the cursor time come again; a live pane upserts by id, so nothing is missed.
    """
    with ctx.reading() as unit:
        views = [OutboxView.of(row) for row in queries.updated_since(unit.session, cursor, limit=limit)]
    return views, (views[-1].updated_at if views else cursor)


def get_message(ctx: ServiceContext, message_id: int) -> OutboxView:
    with ctx.reading() as unit:
        return OutboxView.of(_get(unit.session, message_id))


def _get(session: Session, message_id: int) -> Message:
    row = queries.get(session, message_id)
    if row is None:
        raise NotFoundError(f"no outbox message with id {message_id}")
    return row


def _get_for(session: Session, message_id: int, allowed: tuple[OutboxStatus, ...], verb: str) -> Message:
    """The row, if its status allows what a person asked for (`verb`: "retried", "dismissed")."""
    row = _get(session, message_id)
    if row.status not in allowed:
        raise ConflictError(
            f"outbox message {message_id} is {row.status}; only {', '.join(allowed)} messages can be {verb}"
        )
    return row


def retry_message(ctx: ServiceContext, message_id: int) -> OutboxView:
    """A person's decision to send again: the row is queued and due now, with a fresh set of attempts."""
    with ctx.writing(Permission.MANAGE_OUTBOX) as unit:
        row = _get_for(unit.session, message_id, RETRYABLE, "retried")
        old = row.status
        moves.requeue(row, utcnow())
        audit.record(
            unit.session, "outbox", row.id, Move.RETRY, unit.actor.username, {"status": (old, row.status)}
        )
        unit.session.flush()
        return OutboxView.of(row)


def dismiss_message(ctx: ServiceContext, message_id: int) -> OutboxView:
    """A person's decision not to send: the row stays as the record, marked dismissed."""
    with ctx.writing(Permission.MANAGE_OUTBOX) as unit:
        row = _get_for(unit.session, message_id, DISMISSABLE, "dismissed")
        old = row.status
        moves.dismiss(row, f"dismissed by {unit.actor.username}", utcnow())
        audit.record(
            unit.session, "outbox", row.id, Move.DISMISS, unit.actor.username, {"status": (old, row.status)}
        )
        unit.session.flush()
        return OutboxView.of(row)


def status_counts(ctx: ServiceContext) -> dict[str, int]:
    """Rows per status; the status bar shows queued, retry, failed and unknown (always present)."""
    with ctx.reading() as unit:
        counts = queries.status_counts(unit.session)
    return {status.value: counts.get(status, 0) for status in ATTENTION} | counts


@dataclass(frozen=True)
class Held:
    """Held rows: how many, and when the first and the last of them go."""

    count: int
    first: datetime | None
    last: datetime | None
    first_local: str | None  # the first's time in the team's zone, as the console shows it


def held(ctx: ServiceContext, *, customers_only: bool = False) -> Held:
    """The held rows (only customers' when asked): what the status bar and a command's note say."""
    with ctx.reading() as unit:
        kind = notices.CUSTOMER if customers_only else None
        count, first, last = queries.held(unit.session, recipient_kind=kind)
        return Held(count, first, last, unit.settings.local(first) if first else None)


def list_suppressions(ctx: ServiceContext) -> list[SuppressionView]:
    with ctx.reading() as unit:
        rows = suppressions.all_suppressions(unit.session)
        return [SuppressionView(row.phone, row.reason, row.created_at) for row in rows]


def clear_suppression(ctx: ServiceContext, phone: str) -> None:
    """SMS may go to this number again (the customer texted START, or it was a mistake)."""
    with ctx.writing(Permission.MANAGE_OUTBOX) as unit:
        number = validation.phone(phone, unit.settings.region)
        if not suppressions.clear(unit.session, number):
            raise NotFoundError(f"{number} is not suppressed")


def queue_test(ctx: ServiceContext, *, sms: str | None = None, email: str | None = None) -> list[OutboxView]:
    """Queue a test SMS and/or email; they go through the same outbox and delivery as real ones.

    Without addresses, the acting operator's own phone and email are used.
    """
    with ctx.writing(Permission.MANAGE_OUTBOX) as unit:
        actor = unit.actor
        if sms is None and email is None:
            operator = unit.session.scalar(select(Operator).where(Operator.username == actor.username))
            sms = operator.phone if operator else None
            email = operator.email if operator else None
            if not sms and not email:
                raise ValidationError(
                    "give --sms NUMBER and/or --email ADDRESS (you have no phone or email on file)"
                )
        settings = unit.settings
        phone = (
            validation.textable_phone(sms, settings.region, settings.texted_countries, "sms") if sms else None
        )
        address = validation.email(email, "email") if email else None
        notes = notices.notify_test_messages(
            f"test:{uuid.uuid4().hex}",
            actor.name,
            phone,
            address,
            when=settings.local(utcnow()),
            timezone=settings.timezone_name,
            texts=template_store.overrides(unit.session),
        )
        notices.queue(unit.session, notes)
        keys = [note.dedupe_key for note in notes]
        return [OutboxView.of(row) for row in queries.with_keys(unit.session, keys)]
