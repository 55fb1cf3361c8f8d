"""Who is told what: the booking and time-off notification builders, and background delivery.

The builders are pure: they turn a booking or time-off request into one Notification per
recipient and channel (skips included). notify.events writes them to the outbox inside the
caller's transaction; `send_notifications_async` then delivers due rows off the caller's thread.
"""

import hashlib
import threading
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dispatch_desktop.config import Config
from dispatch_desktop.domain.outbox import Channel
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.notify import templates
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Agent, Booking, Operator, TimeOff

SMS, EMAIL = Channel.SMS, Channel.EMAIL
CUSTOMER, AGENT, DISPATCHER = "customer", "agent", "dispatcher"
COMPANY_LINE = "Sent by your service team through Dispatch Desktop."
NO_PHONE = "no phone number on file"
NO_EMAIL = "no email address on file"
DEDUPE_MAX = 255


@dataclass(frozen=True)
class Recipient:
    key: str  # "customer:12", "agent:3", "operator:5": who, independent of their address
    name: str
    kind: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class Notification:
    event: str
    channel: str
    recipient: Recipient
    subject: str | None
    body: str
    html_body: str | None
    entity: str  # "booking" or "time_off"
    entity_id: int
    version: int

    @property
    def address(self) -> str | None:
        return self.recipient.phone if self.channel == SMS else self.recipient.email

    @property
    def skip_reason(self) -> str | None:
        if self.address:
            return None
        return NO_PHONE if self.channel == SMS else NO_EMAIL

    @property
    def dedupe_key(self) -> str:
        """Same change, same person, same channel: same key, so a retried command queues nothing new."""
        key = "|".join(
            (
                self.event,
                f"{self.entity}:{self.entity_id}",
                f"v{self.version}",
                self.recipient.kind,
                self.recipient.key,
                self.channel,
                self.address or "-",
            )
        )
        if len(key) <= DEDUPE_MAX:
            return key
        digest = hashlib.sha256(key.encode()).hexdigest()
        return f"{key[: DEDUPE_MAX - len(digest) - 1]}#{digest}"


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def customer_recipient(booking: Booking) -> Recipient:
    customer = booking.customer
    return Recipient(
        f"customer:{customer.id}", customer.name, CUSTOMER, _clean(customer.phone), _clean(customer.email)
    )


def agent_recipient(agent: Agent) -> Recipient:
    return Recipient(f"agent:{agent.id}", agent.name, AGENT, _clean(agent.phone), _clean(agent.email))


def operator_recipient(operator: Operator) -> Recipient:
    return Recipient(
        f"operator:{operator.id}", operator.name, DISPATCHER, _clean(operator.phone), _clean(operator.email)
    )


def human_status(status: str) -> str:
    return status.replace("_", " ")


def _messages(
    kind: str,
    event: str,
    recipient: Recipient,
    context: dict[str, Any],
    *,
    entity: str,
    entity_id: int,
    version: int,
) -> list[Notification]:
    rendered = templates.render(kind, recipient_name=recipient.name, company_line=COMPANY_LINE, **context)
    common = {
        "event": event,
        "recipient": recipient,
        "entity": entity,
        "entity_id": entity_id,
        "version": version,
    }
    return [
        Notification(channel=SMS, subject=None, body=rendered.sms, html_body=None, **common),
        Notification(
            channel=EMAIL, subject=rendered.subject, body=rendered.text, html_body=rendered.html, **common
        ),
    ]


def _booking_context(booking: Booking, settings: TeamSettings) -> dict[str, Any]:
    return {
        "ref": booking_reference(booking.id),
        "service": booking.service,
        "when": settings.local(booking.starts_at),
        "ends": settings.local(booking.ends_at),
        "timezone": settings.timezone_name,
        "address": booking.address,
        "status": human_status(booking.status),
        "customer_name": booking.customer.name,
        "agent_name": booking.agent.name if booking.agent else None,
    }


def booking_notifications(
    event: str,
    booking: Booking,
    settings: TeamSettings,
    *,
    previous_agent: Agent | None = None,
    old_status: str | None = None,
) -> list[Notification]:
    """The messages one booking event causes, per the recipients table of issue 3.

    `event` is one of booking_created, booking_assigned, booking_status_changed, booking_rescheduled.
    """
    context = _booking_context(booking, settings)
    context["old_status"] = human_status(old_status) if old_status else None
    ids = {"entity": "booking", "entity_id": booking.id, "version": booking.version}
    agent = booking.agent
    out: list[Notification] = []
    if event == "booking_created":
        out += _messages("customer_confirmation", event, customer_recipient(booking), context, **ids)
        if agent is not None:
            out += _messages("agent_assignment", event, agent_recipient(agent), context, **ids)
    elif event == "booking_assigned":
        if agent is not None and (previous_agent is None or previous_agent.id != agent.id):
            out += _messages("agent_assignment", event, agent_recipient(agent), context, **ids)
        if previous_agent is not None and (agent is None or previous_agent.id != agent.id):
            out += _messages(
                "agent_unassignment", "booking_unassigned", agent_recipient(previous_agent), context, **ids
            )
    elif event == "booking_status_changed":
        out += _messages("customer_status", event, customer_recipient(booking), context, **ids)
        if agent is not None:
            out += _messages("agent_status", event, agent_recipient(agent), context, **ids)
    elif event == "booking_rescheduled":
        out += _messages("customer_reschedule", event, customer_recipient(booking), context, **ids)
        if agent is not None:
            out += _messages("agent_reschedule", event, agent_recipient(agent), context, **ids)
    else:
        raise ValueError(f"unknown booking event {event!r}")
    return out


def time_off_reference(time_off_id: int) -> str:
    return f"TO-{time_off_id:06d}"


def _time_off_context(time_off: TimeOff, settings: TeamSettings, decided_by: str | None) -> dict[str, Any]:
    return {
        "ref": time_off_reference(time_off.id),
        "agent_name": time_off.agent.name,
        "starts": settings.local(time_off.starts_at),
        "ends": settings.local(time_off.ends_at),
        "timezone": settings.timezone_name,
        "reason": time_off.reason,
        "decision": time_off.status,
        "decision_reason": time_off.decision_reason,
        "decided_by": decided_by,
    }


def time_off_notifications(
    event: str,
    time_off: TimeOff,
    settings: TeamSettings,
    *,
    dispatchers: Iterable[Operator] = (),
    decided_by: str | None = None,
) -> list[Notification]:
    """time_off_requested: each given dispatcher with a phone or email; time_off_decided: the agent.

    `decided_by` is the name of the person who decided (the row only keeps their username).
    """
    context = _time_off_context(time_off, settings, decided_by)
    ids = {"entity": "time_off", "entity_id": time_off.id, "version": time_off.version}
    out: list[Notification] = []
    if event == "time_off_requested":
        for operator in dispatchers:
            recipient = operator_recipient(operator)
            if recipient.phone or recipient.email:
                out += _messages("dispatcher_time_off_request", event, recipient, context, **ids)
    elif event == "time_off_decided":
        out += _messages("agent_time_off_decision", event, agent_recipient(time_off.agent), context, **ids)
    else:
        raise ValueError(f"unknown time-off event {event!r}")
    return out


# --- background delivery -------------------------------------------------------------------

_executor_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _default_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            # One worker: deliveries from one process run one after another, never racing each other.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispatch-notify")
        return _executor


def send_notifications_async(
    db: Database,
    config: Config,
    home: Path,
    *,
    worker_id: str = "async",
    limit: int | None = None,
    executor: Executor | None = None,
) -> "Future[Any]":
    """Deliver the due outbox rows on a background thread. The future's result is a DeliveryReport."""
    from dispatch_desktop.notify.delivery import deliver_due

    pool = executor or _default_executor()
    return pool.submit(deliver_due, db, config, home, worker_id=worker_id, limit=limit)
