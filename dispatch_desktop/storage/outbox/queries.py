"""Reading the outbox as people see it: lists, counts, one row, one booking's rows, error searches."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, or_, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.storage.models import OutboxMessage

# The row type the services turn into their views.
Message = OutboxMessage
M = OutboxMessage
# What `text` is searched in.
_SEARCHED = (M.recipient, M.recipient_name, M.subject, M.last_error, M.event)


def _filtered(
    query: Select[Any], status: str | None, channel: str | None, text: str | None, delivery: str | None
) -> Select[Any]:
    if status:
        query = query.where(M.status == status)
    if channel:
        query = query.where(M.channel == channel)
    if delivery:
        query = query.where(M.delivery == delivery)
    if text and text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(or_(*(func.lower(column).like(pattern) for column in _SEARCHED)))
    return query


def newest(
    session: Session,
    *,
    status: str | None = None,
    channel: str | None = None,
    text: str | None = None,
    delivery: str | None = None,
    limit: int | None = None,
) -> list[OutboxMessage]:
    """Matching rows, newest first (the newest `limit` when given); empty filters do not filter."""
    query = _filtered(select(M).order_by(M.id.desc()), status, channel, text, delivery)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count(
    session: Session,
    *,
    status: str | None = None,
    channel: str | None = None,
    text: str | None = None,
    delivery: str | None = None,
) -> int:
    return session.scalar(_filtered(select(func.count(M.id)), status, channel, text, delivery)) or 0


def updated_since(session: Session, cursor: datetime | None, *, limit: int) -> list[OutboxMessage]:
    """Rows updated at or after `cursor`, oldest first."""
    query = select(M).order_by(M.updated_at, M.id).limit(limit)
    if cursor is not None:
        query = query.where(M.updated_at >= cursor)
    return list(session.scalars(query))


def get(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(M, message_id)


def with_keys(session: Session, dedupe_keys: Sequence[str]) -> list[OutboxMessage]:
    return list(session.scalars(select(M).where(M.dedupe_key.in_(dedupe_keys)).order_by(M.id)))


def of_booking(session: Session, booking_id: int) -> list[OutboxMessage]:
    """Every row the booking caused, oldest first."""
    return list(session.scalars(select(M).where(M.booking_id == booking_id).order_by(M.id)))


def held(
    session: Session, *, recipient_kind: str | None = None
) -> Row[int, datetime | None, datetime | None]:
    """Held rows (of one kind of recipient, when given): how many, the first and the last to go."""
    query = select(func.count(M.id), func.min(M.next_attempt_at), func.max(M.next_attempt_at)).where(
        M.status == OutboxStatus.HELD
    )
    if recipient_kind is not None:
        query = query.where(M.recipient_kind == recipient_kind)
    return session.execute(query).one()


def status_counts(session: Session) -> dict[str, int]:
    """Rows per status (statuses with no row are absent)."""
    return dict(session.execute(select(M.status, func.count()).group_by(M.status)).all())


@dataclass(frozen=True)
class ErrorSearch:
    """Rows of `channel` in `statuses`, updated since `since`, whose error contains `containing`."""

    channel: str
    statuses: Sequence[str]
    since: datetime
    containing: str

    def where(self) -> tuple[ColumnElement[bool], ...]:
        return (
            M.channel == self.channel,
            M.status.in_(self.statuses),
            M.updated_at >= self.since,
            M.last_error.like(f"%{self.containing}%"),
        )


def count_erred(session: Session, search: ErrorSearch) -> int:
    return session.scalar(select(func.count()).select_from(M).where(*search.where())) or 0


def latest_erred(session: Session, search: ErrorSearch) -> Row[str | None, datetime] | None:
    """The newest matching row's last_error and updated_at."""
    return session.execute(
        select(M.last_error, M.updated_at)
        .where(*search.where())
        .order_by(M.updated_at.desc(), M.id.desc())
        .limit(1)
    ).first()


def erred_for_update(session: Session, search: ErrorSearch) -> list[OutboxMessage]:
    """The matching rows, locked: a `retry` row is claimable, so a worker claiming it meanwhile keeps it."""
    return list(session.scalars(select(M).where(*search.where()).with_for_update()))


def texts_to(session: Session, phone: str, *, limit: int = 500) -> list[OutboxMessage]:
    """The SMS rows to one number (as queued), oldest first: one side of an inbox conversation."""
    query = (
        select(M).where(M.channel == "sms", M.recipient == phone).order_by(M.created_at.desc(), M.id.desc())
    )
    return list(reversed(list(session.scalars(query.limit(limit)))))
