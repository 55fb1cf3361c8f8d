"""Texts people sent to the team's number: the inbound_messages table.

Each message is stored once by its provider SID (INSERT ... ON CONFLICT DO NOTHING), inside the
transaction that applies its action, so two workstations pulling the same message at once store
and apply it exactly once: the second insert waits for the first to commit, then inserts nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import case, func, select, update
from sqlalchemy.engine import CursorResult  # Session.execute is typed Result; DML gives a CursorResult
from sqlalchemy.orm import Session

from dispatch_desktop.storage.models import InboundMessage
from dispatch_desktop.storage.types import utcnow
from dispatch_desktop.storage.upsert import dialect_insert

T = InboundMessage.__table__
ACTION_MAX = 300


@dataclass(frozen=True)
class NewMessage:
    sid: str
    from_phone: str
    to_phone: str
    body: str
    received_at: datetime


def insert_once(session: Session, message: NewMessage) -> InboundMessage | None:
    """The stored row, or None when a message with this SID is already stored (nothing to apply)."""
    statement = dialect_insert(session)(T).on_conflict_do_nothing(index_elements=["sid"])
    values = {
        "sid": message.sid,
        "from_phone": message.from_phone[:32],
        "to_phone": message.to_phone[:32],
        "body": message.body,
        "received_at": message.received_at,
        "action": "received",
        "read": False,
        "created_at": utcnow(),
    }
    # RETURNING, not rowcount: a driver may answer -1 for a row it did not insert.
    new_id = session.scalar(statement.returning(T.c.id), values)
    return None if new_id is None else session.get(InboundMessage, new_id)


def known_sids(session: Session, sids: Iterable[str]) -> set[str]:
    wanted = set(sids)
    if not wanted:
        return set()
    return set(session.scalars(select(T.c.sid).where(T.c.sid.in_(wanted))))


def newest_received_at(session: Session) -> datetime | None:
    return session.scalar(select(func.max(T.c.received_at)))


def get(session: Session, message_id: int) -> InboundMessage | None:
    return session.get(InboundMessage, message_id)


def listed(session: Session, *, unread_only: bool = False, limit: int | None = None) -> list[InboundMessage]:
    """Newest first."""
    query = select(InboundMessage).order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    if unread_only:
        query = query.where(InboundMessage.read.is_(False))
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def from_phone(session: Session, phone: str) -> list[InboundMessage]:
    """One person's messages, oldest first."""
    query = select(InboundMessage).where(InboundMessage.from_phone == phone)
    return list(session.scalars(query.order_by(InboundMessage.received_at, InboundMessage.id)))


def unread_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(T).where(T.c.read.is_(False))) or 0


def mark_read(session: Session, *, message_id: int | None = None, phone: str | None = None) -> int:
    """One message, or every message from a number, becomes read; how many were unread."""
    statement = update(T).where(T.c.read.is_(False)).values(read=True)
    if message_id is not None:
        statement = statement.where(T.c.id == message_id)
    if phone is not None:
        statement = statement.where(T.c.from_phone == phone)
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


@dataclass(frozen=True)
class Thread:
    """One number's messages in summary: the inbox's conversation list."""

    phone: str
    last_at: datetime
    messages: int
    unread: int


def threads(session: Session, *, limit: int = 500) -> list[Thread]:
    """A summary per sending number, the most recent conversation first."""
    unread = func.sum(case((T.c.read.is_(False), 1), else_=0))
    last = func.max(T.c.received_at)
    query = (
        select(T.c.from_phone, last, func.count(), unread)
        .group_by(T.c.from_phone)
        .order_by(last.desc(), T.c.from_phone)
        .limit(limit)
    )
    return [
        Thread(phone, at, int(count), int(waiting or 0))
        for phone, at, count, waiting in session.execute(query)
    ]
