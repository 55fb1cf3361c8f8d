"""Who a booking's notifications did not reach, and the Twilio codes that mean a whole account fails.

A message did not reach its person when the newest row to that person on that channel for the
booking failed (status `failed`) or its receipt says undelivered or failed. A later row to the
same person that went through clears it. One query answers for many bookings: the candidates are
the few rows that failed (the partial index ix_outbox_not_reached holds just those), each kept only
when no newer row of its booking, person and channel exists (the booking_id index answers that).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select, text
from sqlalchemy.orm import Session, aliased

from dispatch_desktop.domain.delivery import NOT_REACHED
from dispatch_desktop.domain.outbox import Channel, OutboxStatus
from dispatch_desktop.storage.models import Booking, OutboxMessage, not_reached_rows

M = OutboxMessage
# Above this many bookings the candidates are read for every booking and picked in Python: an
# IN list that long costs more than it saves (and PostgreSQL caps bind parameters).
IN_LIST_MAX = 1_000
_NOT_REACHED = sorted(state.value for state in NOT_REACHED)


@dataclass(frozen=True)
class UnreachedRow:
    message_id: int
    booking_id: int
    recipient_kind: str
    recipient_name: str | None
    recipient: str
    channel: str
    status: str
    delivery: str | None
    reason: str | None  # delivery_reason, else last_error


def _not_reached() -> ColumnElement[bool]:
    newer = aliased(M)
    later = exists().where(
        newer.booking_id == M.booking_id,
        newer.recipient_kind == M.recipient_kind,
        newer.recipient == M.recipient,
        newer.channel == M.channel,
        newer.id > M.id,
    )
    # Literal, as the partial index spells it: with bound parameters SQLite would not use it.
    return and_(text(f"({not_reached_rows(M.__tablename__)})"), ~later)


# Built once: building the aliased NOT EXISTS costs more than running it on a page of ids.
_NOT_REACHED_WHERE = _not_reached()
_UNREACHED = select(
    M.id,
    M.booking_id,
    M.recipient_kind,
    M.recipient_name,
    M.recipient,
    M.channel,
    M.status,
    M.delivery,
    func.coalesce(M.delivery_reason, M.last_error),
).where(_NOT_REACHED_WHERE)


def unreached(session: Session, booking_ids: Sequence[int] | None = None) -> dict[int, list[UnreachedRow]]:
    """The messages that did not reach their person, per booking, oldest first (every booking for None)."""
    query = _UNREACHED
    wanted = None
    if booking_ids is not None:
        if not booking_ids:
            return {}
        wanted = set(booking_ids)
        if len(wanted) <= IN_LIST_MAX:
            query = query.where(M.booking_id.in_(wanted))
    found: dict[int, list[UnreachedRow]] = {}
    for message_id, booking_id, kind, name, recipient, channel, status, delivery, reason in session.execute(
        query.order_by(M.booking_id, M.id)
    ):
        if booking_id is not None and (wanted is None or booking_id in wanted):
            row = UnreachedRow(
                message_id, booking_id, kind, name, recipient, channel, status, delivery, reason
            )
            found.setdefault(booking_id, []).append(row)
    return found


def count_bookings_unreached(session: Session, ending_after: datetime) -> int:
    """Bookings not over yet (ending after `ending_after`) with someone their messages did not reach:
    the few not-reached rows come from their partial index, each booking by its id."""
    return (
        session.scalar(
            select(func.count(func.distinct(M.booking_id)))
            .join(Booking, Booking.id == M.booking_id)
            .where(_NOT_REACHED_WHERE, Booking.ends_at > ending_after)
        )
        or 0
    )


def sms_error_counts(session: Session, since: datetime, codes: Sequence[int]) -> dict[int, int]:
    """How many texts since `since` carry each of `codes`, from a receipt's error code or a refused
    send's error (`Twilio HTTP 400 21608: ...`, still failed or waiting to retry)."""
    counts: dict[int, int] = {}
    receipts = session.execute(
        select(M.delivery_error_code, func.count())
        .where(
            M.channel == Channel.SMS.value,
            M.delivery.in_(_NOT_REACHED),
            M.delivery_error_code.in_(list(codes)),
            M.delivery_checked_at >= since,
        )
        .group_by(M.delivery_error_code)
    )
    for code, number in receipts:
        if code is not None:
            counts[code] = counts.get(code, 0) + number
    refused = (OutboxStatus.FAILED.value, OutboxStatus.RETRY.value)
    for code in codes:
        number = (
            session.scalar(
                select(func.count())
                .select_from(M)
                .where(
                    M.channel == Channel.SMS.value,
                    M.status.in_(refused),
                    M.delivery_error_code.is_(None),
                    M.updated_at >= since,
                    M.last_error.like(f"Twilio HTTP % {code}:%"),
                )
            )
            or 0
        )
        if number:
            counts[code] = counts.get(code, 0) + number
    return counts
