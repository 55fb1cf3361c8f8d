"""Two-way SMS: each text someone sends to the team's number is stored once and acted on once.

`apply_inbound` is the one pipeline: the provider pull (`pull_inbound`, called by the sync pass
in production) and development's `simulate-inbound` both feed it. Storing the message (its SID
unique) and applying its keyword commit in ONE transaction, so whatever the number of
workstations pulling and whatever the crashes, a message is applied exactly once: a second
workstation's insert of the same SID inserts nothing and applies nothing, and a crash before the
commit leaves neither the message nor its effect, so the next pull finds and applies it.

The keyword table is domain/inbound.py's. With the team's `two_way_sms` off, only STOP, START and
HELP act (Twilio acts on them whatever we do, so the suppression list must follow); every other
text, keywords included, lands in the inbox as plain text, unread, and nobody is answered.
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import WrongEnvironmentError
from dispatch_desktop.domain.inbound import (
    AGENT_KEYWORDS,
    CARRIER_KEYWORDS,
    STOP_REASON,
    InboundSms,
    Keyword,
    Reading,
    read,
)
from dispatch_desktop.domain.outbox import Channel
from dispatch_desktop.domain.roles import Permission, Role
from dispatch_desktop.domain.statuses import NOT_STARTED_STATUSES, BookingStatus, allowed_next
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.notify.log_line import PRODUCTION, RECEIVED, Notice, log_notice
from dispatch_desktop.notify.secrets import scrub
from dispatch_desktop.services import audit, notices
from dispatch_desktop.services.bookings import apply_status
from dispatch_desktop.services.context import Actor, ServiceContext, Unit, bump_revision
from dispatch_desktop.services.inbound_replies import Reply, reply_text
from dispatch_desktop.services.notices import Notification, Recipient
from dispatch_desktop.storage import inbound as store
from dispatch_desktop.storage.models import Agent, Booking, Customer, InboundMessage
from dispatch_desktop.storage.outbox import ENVIRONMENT_INFO, suppressions
from dispatch_desktop.storage.types import utcnow

log = logging.getLogger(__name__)

ENTITY = "inbound"  # audit rows of a suppression change name the message that made it
REPLY_EVENT = "inbound_reply"
# The first pull of a database reads this far back; later pulls from the newest stored message,
# minus an overlap for clocks and the provider's second-granular DateSent (SIDs make it harmless).
FIRST_PULL = timedelta(days=1)
OVERLAP = timedelta(minutes=5)
ACTIVE_STATUSES = (*NOT_STARTED_STATUSES, BookingStatus.EN_ROUTE, BookingStatus.IN_PROGRESS)
AGENT_MOVES = {
    Keyword.ON_MY_WAY: BookingStatus.EN_ROUTE,
    Keyword.STARTED: BookingStatus.IN_PROGRESS,
    Keyword.DONE: BookingStatus.COMPLETED,
}
ACTOR_MAX = 64


class InboundSource(Protocol):
    """What the pull reads: notify/twilio_reader.TwilioReader in production, a list in tests."""

    def messages_since(self, after: datetime) -> Iterable[InboundSms]: ...


@dataclass(frozen=True)
class Applied:
    """What one stored message did."""

    id: int
    sid: str
    from_phone: str
    action: str
    read: bool
    booking_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sid": self.sid,
            "from": self.from_phone,
            "action": self.action,
            "read": self.read,
            "booking_id": self.booking_id,
        }


@dataclass
class InboundReport:
    """One pull: what the provider listed, what was new and stored, and why it stopped early."""

    listed: int = 0
    already_stored: int = 0
    applied: list[Applied] = field(default_factory=list)
    error: str | None = None  # the pass stopped at this message; the next pull picks it up again

    def summary(self) -> str:
        if self.error:
            return f"{len(self.applied)} text(s) received, then stopped: {self.error}"
        return f"{len(self.applied)} text(s) received" if self.applied else ""

    def changes(self) -> int:
        return len(self.applied)

    def to_json(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "already_stored": self.already_stored,
            "applied": [a.to_json() for a in self.applied],
            "error": self.error,
        }


@dataclass(frozen=True)
class _Sender:
    phone: str
    customer: Customer | None
    agent: Agent | None

    @property
    def label(self) -> str:
        """The audit's actor: "agent Ann Field by SMS", "customer +13125550177 by SMS"."""
        if self.agent is not None:
            who = f"agent {self.agent.name}"
        elif self.customer is not None:
            who = f"customer {self.phone}"
        else:
            who = f"unknown {self.phone}"
        text = f"{who} by SMS"
        return text if len(text) <= ACTOR_MAX else f"{who[: ACTOR_MAX - 8]}… by SMS"

    def recipient(self) -> Recipient:
        if self.agent is not None:
            return Recipient(f"agent:{self.agent.id}", self.agent.name, notices.AGENT, self.phone, None)
        if self.customer is not None:
            return Recipient(
                f"customer:{self.customer.id}", self.customer.name, notices.CUSTOMER, self.phone, None
            )
        return Recipient(f"phone:{self.phone}", self.phone, "unknown", self.phone, None)


@dataclass
class _Outcome:
    action: str
    read: bool = True
    booking: Booking | None = None
    reply: "Reply | None" = None  # a short SMS back, through the outbox


def _sender(session: Session, phone: str) -> _Sender:
    customer = session.scalar(select(Customer).where(Customer.phone == phone))
    agent = session.scalar(
        select(Agent).where(Agent.phone == phone, Agent.active.is_(True)).order_by(Agent.id)
    )
    return _Sender(phone, customer, agent)


def _nearest_active(session: Session, where: Any, now: datetime) -> Booking | None:
    rows = session.scalars(
        select(Booking).where(where, Booking.status.in_([s.value for s in ACTIVE_STATUSES]))
    ).unique()
    return min(rows, key=lambda b: (abs((b.starts_at - now).total_seconds()), b.id), default=None)


def _customer_keyword(unit: Unit, customer: Customer, keyword: Keyword, now: datetime) -> _Outcome:
    session = unit.session
    if keyword is Keyword.CONFIRM:
        booking = session.scalars(
            select(Booking)
            .where(
                Booking.customer_id == customer.id,
                Booking.status == BookingStatus.SCHEDULED.value,
                Booking.starts_at > now,
            )
            .order_by(Booking.starts_at, Booking.id)
            .limit(1)
        ).first()
        if booking is None:
            return _Outcome(
                "could not confirm: no scheduled booking ahead",
                False,
                reply=Reply("reply_nothing_to_confirm"),
            )
        apply_status(unit, booking, BookingStatus.CONFIRMED)
        return _Outcome(f"confirmed {booking_reference(booking.id)}", True, booking)
    booking = session.scalars(
        select(Booking)
        .where(
            Booking.customer_id == customer.id,
            Booking.status.in_([s.value for s in NOT_STARTED_STATUSES]),
            Booking.starts_at > now,
        )
        .order_by(Booking.starts_at, Booking.id)
        .limit(1)
    ).first()
    if booking is None:
        return _Outcome(
            "could not flag: no upcoming booking", False, reply=Reply("reply_nothing_to_reschedule")
        )
    if booking.reschedule_requested_at is None:
        booking.reschedule_requested_at = now
        booking.updated_by, booking.updated_at = unit.actor.username, utcnow()
        session.flush()
        audit.record(
            session, "booking", booking.id, "reschedule asked", unit.actor.username,
            {"reschedule_requested": (None, now)},
        )  # fmt: skip
    # Unread: a person has to call and agree on a new time.
    return _Outcome(f"{booking_reference(booking.id)}: customer asks to reschedule", False, booking)


def _agent_keyword(unit: Unit, agent: Agent, reading: Reading, now: datetime) -> _Outcome:
    assert reading.keyword is not None
    target = AGENT_MOVES[reading.keyword]
    local = now.astimezone(unit.settings.zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    # Wall-clock arithmetic on an aware time: the next midnight, whatever DST does in between.
    day_start, day_end = midnight.astimezone(UTC), (midnight + timedelta(days=1)).astimezone(UTC)
    today = list(
        unit.session.scalars(
            select(Booking)
            .where(
                Booking.agent_id == agent.id,
                Booking.starts_at >= day_start,
                Booking.starts_at < day_end,
                Booking.status.in_([s.value for s in ACTIVE_STATUSES]),
            )
            .order_by(Booking.starts_at, Booking.id)
        ).unique()
    )
    if not today:
        return _Outcome("could not apply: no booking today", False, reply=Reply("reply_agent_no_job_today"))
    booking = next((b for b in today if target in allowed_next(BookingStatus(b.status))), None)
    if booking is None:
        first = today[0]
        words = notices.human_status(first.status)
        reply = Reply(
            "reply_agent_wrong_status",
            {"ref": booking_reference(first.id), "status": words, "target": notices.human_status(target)},
        )
        return _Outcome(f"could not apply: {booking_reference(first.id)} is {words}", False, first, reply)
    eta = reading.minutes if target is BookingStatus.EN_ROUTE else None
    apply_status(unit, booking, target, eta_minutes=eta)
    about = f" (about {eta} minutes)" if eta else ""
    return _Outcome(f"{booking_reference(booking.id)} {notices.human_status(target)}{about}", True, booking)


def _carrier_keyword(unit: Unit, row: InboundMessage, keyword: Keyword, label: str) -> _Outcome:
    session = unit.session
    if keyword is Keyword.STOP:
        already = bool(suppressions.suppressed_among(session, [row.from_phone]))
        if already:
            return _Outcome("STOP: already suppressed")
        suppressions.suppress(session.connection(), row.from_phone, STOP_REASON, row.received_at)
        audit.record(session, ENTITY, row.id, "suppressed", label, {"sms": (row.from_phone, STOP_REASON)})
        return _Outcome("suppressed: replied STOP")
    if keyword is Keyword.START:
        if not suppressions.clear(session, row.from_phone):
            return _Outcome("START: was not suppressed")
        audit.record(session, ENTITY, row.id, "unsuppressed", label, {"sms": (STOP_REASON, row.from_phone)})
        return _Outcome("suppression lifted: replied START")
    return _Outcome("HELP: recorded (the provider answers it)")


def _act(unit: Unit, row: InboundMessage, sender: _Sender, now: datetime) -> _Outcome:
    reading = read(row.body)
    keyword = reading.keyword
    if keyword in CARRIER_KEYWORDS:
        assert keyword is not None
        return _carrier_keyword(unit, row, keyword, sender.label)
    if keyword is not None and unit.settings.two_way_sms:
        if keyword in AGENT_KEYWORDS and sender.agent is not None:
            return _agent_keyword(unit, sender.agent, reading, now)
        if keyword not in AGENT_KEYWORDS and sender.customer is not None:
            return _customer_keyword(unit, sender.customer, keyword, now)
    if sender.agent is not None:
        booking = _nearest_active(unit.session, Booking.agent_id == sender.agent.id, now)
    elif sender.customer is not None:
        booking = _nearest_active(unit.session, Booking.customer_id == sender.customer.id, now)
    else:
        booking = None
    return _Outcome("plain text", False, booking)


def _reply(
    session: Session, settings: TeamSettings, row: InboundMessage, sender: _Sender, reply: Reply
) -> None:
    recipient = sender.recipient()
    text = reply_text(session, settings, recipient, reply)
    note = Notification(
        event=REPLY_EVENT,
        channel=Channel.SMS,
        recipient=recipient,
        subject=None,
        body=text,
        html_body=None,
        entity=ENTITY,
        entity_id=row.id,
        version=1,
    )
    notices.queue(session, [note], settings, booking_id=row.booking_id)


def apply_inbound(ctx: ServiceContext, message: InboundSms, now: datetime | None = None) -> Applied | None:
    """Store the message and apply its action in one transaction; None when it was stored before.

    The transaction acts as the sender of the text (the audit's actor), never as an operator.
    """
    now = now or utcnow()
    with ctx.db.write() as session:
        session.info[ENVIRONMENT_INFO] = ctx.environment
        new = store.NewMessage(
            message.sid, message.from_phone, message.to_phone, message.body, message.received_at
        )
        row = store.insert_once(session, new)
        if row is None:
            return None
        sender = _sender(session, row.from_phone)
        unit = Unit(session, Actor(username=sender.label, name=sender.label, role=Role.DISPATCHER))
        outcome = _act(unit, row, sender, now)
        booking = outcome.booking
        row.customer_id = sender.customer.id if sender.customer else None
        row.agent_id = sender.agent.id if sender.agent else None
        row.booking_id = booking.id if booking else None
        row.read = outcome.read
        row.action = (outcome.action + (" (answered by SMS)" if outcome.reply else ""))[: store.ACTION_MAX]
        session.flush()
        if outcome.reply:
            _reply(session, unit.settings, row, sender, outcome.reply)
        bump_revision(session)
        applied = Applied(row.id, row.sid, row.from_phone, row.action, row.read, row.booking_id)
    log_notice(Notice(ctx.environment, Channel.SMS, RECEIVED, message.from_phone, message=message.body))
    return applied


def pull_inbound(ctx: ServiceContext, source: InboundSource, now: datetime | None = None) -> InboundReport:
    """Read the provider's texts since the newest stored one and apply each new one, oldest first.

    A message whose action fails stops the pull there with nothing of it stored, so the next pull
    lists it again (its time is after the newest stored) and applies it once.
    """
    now = now or utcnow()
    with ctx.db.read() as session:
        newest = store.newest_received_at(session)
    after = newest - OVERLAP if newest is not None else now - FIRST_PULL
    listed = sorted(source.messages_since(after), key=lambda m: (m.received_at, m.sid))
    report = InboundReport(listed=len(listed))
    with ctx.db.read() as session:
        known = store.known_sids(session, (m.sid for m in listed))
    for message in listed:
        if message.sid in known:
            report.already_stored += 1
            continue
        try:
            applied = apply_inbound(ctx, message, now)
        except Exception as exc:
            problem = scrub(f"{type(exc).__name__}: {exc}")
            report.error = f"text {message.sid} from {message.from_phone} not applied: {problem}"[:500]
            log.warning("%s", report.error)
            break
        if applied is None:
            report.already_stored += 1
        else:
            report.applied.append(applied)
    return report


def simulated_text(
    ctx: ServiceContext, from_phone: str, body: str, now: datetime | None = None
) -> InboundSms:
    """Development only: a text as if `from_phone` had sent it, checked; nothing is written yet."""
    if ctx.environment == PRODUCTION:
        raise WrongEnvironmentError(
            "simulate-inbound is refused in production: real texts arrive from Twilio through the sync pass"
        )
    with ctx.reading(Permission.REPLY_INBOX) as unit:
        region = unit.settings.region
    phone = validation.phone(from_phone, region, "from")
    text = validation.text(body, "message", validation.NOTES_MAX, multiline=True)
    return InboundSms("SIM" + uuid.uuid4().hex, phone, "simulated", text, now or utcnow())


def simulate_inbound(ctx: ServiceContext, from_phone: str, body: str, now: datetime | None = None) -> Applied:
    """Development only: one text through the same pipeline as the provider's."""
    message = simulated_text(ctx, from_phone, body, now)
    applied = apply_inbound(ctx, message, message.received_at)
    assert applied is not None  # a fresh SID is always new
    return applied
