"""The inbox: texts people sent, as conversations with what the outbox texted them, and replies.

Call-center staff read and reply; dispatchers and supervisors also mark texts read
(domain/roles.py). A reply is an outbox row like any notification: development logs
`[DEV] SMS (not sent)`, production sends it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import NotFoundError
from dispatch_desktop.domain.outbox import Channel
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.domain.team import booking_reference
from dispatch_desktop.services import notices
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.services.views import jsonable
from dispatch_desktop.storage import inbound as store
from dispatch_desktop.storage.models import Agent, Booking, Customer, InboundMessage
from dispatch_desktop.storage.outbox import queries
from dispatch_desktop.storage.types import utcnow

REPLY_EVENT = "inbox_reply"
REPLY_MAX = 1600  # Twilio's limit for one message body
UNKNOWN = "unknown"


@dataclass(frozen=True)
class InboundView:
    id: int
    sid: str
    from_phone: str
    to_phone: str
    body: str
    received_at: datetime
    sender_kind: str  # customer, agent or unknown
    sender_name: str | None
    customer_id: int | None
    agent_id: int | None
    booking_id: int | None
    booking_reference: str | None
    reschedule_requested: bool  # the linked booking carries the customer's R
    action: str
    read: bool

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class Entry:
    """One line of a conversation: a text they sent (in) or one the outbox texted them (out)."""

    direction: str  # "in" or "out"
    id: int  # inbound message id, or outbox id
    at: datetime
    body: str
    state: str  # in: read/unread; out: the outbox status

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class Conversation:
    phone: str
    name: str | None
    kind: str
    unread: int
    last_at: datetime
    booking_id: int | None  # the newest message's linked booking
    reschedule_requested: bool = False  # that booking carries the customer's R
    entries: tuple[Entry, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = jsonable(self)
        data["entries"] = [entry.to_json() for entry in self.entries]
        return data


def _sender(session: Session, row: InboundMessage) -> tuple[str, str | None]:
    if row.agent_id is not None:
        agent = session.get(Agent, row.agent_id)
        return notices.AGENT, agent.name if agent else None
    if row.customer_id is not None:
        customer = session.get(Customer, row.customer_id)
        return notices.CUSTOMER, customer.name if customer else None
    return UNKNOWN, None


def _view(session: Session, row: InboundMessage) -> InboundView:
    kind, name = _sender(session, row)
    booking = session.get(Booking, row.booking_id) if row.booking_id is not None else None
    return InboundView(
        id=row.id,
        sid=row.sid,
        from_phone=row.from_phone,
        to_phone=row.to_phone,
        body=row.body,
        received_at=row.received_at,
        sender_kind=kind,
        sender_name=name,
        customer_id=row.customer_id,
        agent_id=row.agent_id,
        booking_id=row.booking_id,
        booking_reference=booking_reference(row.booking_id) if row.booking_id is not None else None,
        reschedule_requested=bool(booking and booking.reschedule_requested_at is not None),
        action=row.action,
        read=row.read,
    )


def _get(session: Session, message_id: int) -> InboundMessage:
    row = store.get(session, message_id)
    if row is None:
        raise NotFoundError(f"no inbox message with id {message_id}", "id")
    return row


def list_inbox(
    ctx: ServiceContext, *, unread_only: bool = False, limit: int | None = None
) -> list[InboundView]:
    """Newest first."""
    with ctx.reading() as unit:
        rows = store.listed(unit.session, unread_only=unread_only, limit=limit)
        return [_view(unit.session, row) for row in rows]


def get_message(ctx: ServiceContext, message_id: int) -> InboundView:
    with ctx.reading() as unit:
        return _view(unit.session, _get(unit.session, message_id))


def unread_count(ctx: ServiceContext) -> int:
    with ctx.reading() as unit:
        return store.unread_count(unit.session)


def _conversation(
    session: Session, phone: str, with_entries: bool, thread: store.Thread | None = None
) -> Conversation:
    received = store.from_phone(session, phone)
    newest = received[-1] if received else None
    kind, name = _sender(session, newest) if newest is not None else (UNKNOWN, None)
    linked = newest.booking_id if newest is not None else None
    booking = session.get(Booking, linked) if linked is not None else None
    entries: tuple[Entry, ...] = ()
    if with_entries:
        inbound = [Entry("in", r.id, r.received_at, r.body, "read" if r.read else "unread") for r in received]
        outbound = [
            Entry("out", m.id, m.sent_at or m.created_at, m.body, m.status)
            for m in queries.texts_to(session, phone)
        ]
        entries = tuple(sorted(inbound + outbound, key=lambda e: (e.at, e.direction, e.id)))
    return Conversation(
        phone=phone,
        name=name,
        kind=kind,
        unread=thread.unread if thread else sum(1 for r in received if not r.read),
        last_at=thread.last_at if thread else (newest.received_at if newest else utcnow()),
        booking_id=booking.id if booking else None,
        reschedule_requested=bool(booking and booking.reschedule_requested_at is not None),
        entries=entries,
    )


def conversations(ctx: ServiceContext) -> list[Conversation]:
    """One per sending number, the most recent first, without their entries."""
    with ctx.reading() as unit:
        return [_conversation(unit.session, t.phone, False, t) for t in store.threads(unit.session)]


def conversation(ctx: ServiceContext, phone: str) -> Conversation:
    """Everything they sent and every text the outbox queued to them, interleaved by time."""
    with ctx.reading() as unit:
        return _conversation(unit.session, phone, True)


def conversation_of(ctx: ServiceContext, message_id: int) -> Conversation:
    with ctx.reading() as unit:
        return _conversation(unit.session, _get(unit.session, message_id).from_phone, True)


def mark_read(ctx: ServiceContext, message_id: int) -> InboundView:
    with ctx.writing(Permission.MANAGE_INBOX) as unit:
        row = _get(unit.session, message_id)
        store.mark_read(unit.session, message_id=row.id)
        unit.session.refresh(row)
        return _view(unit.session, row)


def mark_conversation_read(ctx: ServiceContext, phone: str) -> int:
    """Every text from this number becomes read; how many were unread."""
    with ctx.writing(Permission.MANAGE_INBOX) as unit:
        return store.mark_read(unit.session, phone=phone)


def reply(ctx: ServiceContext, message_id: int, text: str) -> OutboxView:
    """An SMS back to the sender through the outbox, linked to the message's booking; the message
    counts as read once answered."""
    with ctx.writing(Permission.REPLY_INBOX) as unit:
        row = _get(unit.session, message_id)
        body = validation.text(text, "message", REPLY_MAX, multiline=True)
        kind, name = _sender(unit.session, row)
        key = f"{kind}:{row.customer_id if kind == notices.CUSTOMER else row.agent_id if kind == notices.AGENT else row.from_phone}"
        note = notices.Notification(
            event=REPLY_EVENT,
            channel=Channel.SMS,
            recipient=notices.Recipient(key, name or row.from_phone, kind, row.from_phone, None),
            subject=None,
            body=body,
            html_body=None,
            entity="inbound",
            entity_id=row.id,
            version=int(
                utcnow().timestamp() * 1000
            ),  # each reply is its own row; a double click within 1 ms is one
        )
        notices.queue(unit.session, [note], unit.settings, booking_id=row.booking_id)
        store.mark_read(unit.session, message_id=row.id)  # answered
        unit.session.flush()
        return OutboxView.of(queries.with_keys(unit.session, [note.dedupe_key])[0])
