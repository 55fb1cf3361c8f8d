"""Rows made moot before they went out: a newer notice, a changed booking, a booking that started.

Every UPDATE here is the life cycle's SUPERSEDE move (domain/outbox.py), guarded by its sources,
so a row a worker has claimed meanwhile is never touched.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from dispatch_desktop.domain.outbox import MOVES, REMINDER_EVENT, Move, OutboxStatus, check_move
from dispatch_desktop.storage.models import Booking, OutboxMessage

T = OutboxMessage.__table__
_UNSENT = MOVES[Move.SUPERSEDE].sources
SUPERSEDED = OutboxStatus.SUPERSEDED


def ids_of(session: Session, dedupe_keys: Sequence[str]) -> dict[str, int]:
    """The row id of each dedupe key (new rows, or the ones that were there already)."""
    if not dedupe_keys:
        return {}
    return dict(session.execute(select(T.c.dedupe_key, T.c.id).where(T.c.dedupe_key.in_(dedupe_keys))).all())


def unsent_events(
    session: Session, *, booking_id: int, recipient_kind: str, recipient: str, channel: str
) -> list[str]:
    """The events of a recipient's rows about a booking on a channel that have not gone out yet."""
    return list(
        session.scalars(
            select(T.c.event).where(
                T.c.booking_id == booking_id,
                T.c.recipient_kind == recipient_kind,
                T.c.recipient == recipient,
                T.c.channel == channel,
                T.c.status.in_(_UNSENT),
                T.c.event != REMINDER_EVENT,
            )
        )
    )


def supersede_older(session: Session, row_id: int, *, now: datetime) -> int:
    """Every unsent row older than `row_id` to the same recipient about the same booking on the same
    channel (reminders apart: they have their own life) is superseded by it. Returns how many."""
    new = session.execute(
        select(T.c.booking_id, T.c.recipient_kind, T.c.recipient, T.c.channel).where(T.c.id == row_id)
    ).one()
    result = session.execute(
        update(T)
        .where(
            T.c.id < row_id,
            T.c.booking_id == new.booking_id,
            T.c.recipient_kind == new.recipient_kind,
            T.c.recipient == new.recipient,
            T.c.channel == new.channel,
            T.c.event != REMINDER_EVENT,
            T.c.status.in_(_UNSENT),
        )
        .values(status=check_move(Move.SUPERSEDE, SUPERSEDED), superseded_by=row_id, updated_at=now)
        .returning(T.c.id)
    )
    return len(result.all())


def supersede_reminders(
    session: Session, booking_id: int, *, now: datetime, reason: str, keep: Sequence[str] = ()
) -> int:
    """The booking's unsent reminders but those of the `keep` dedupe keys, superseded with `reason`
    (the booking changed, or is over)."""
    result = session.execute(
        update(T)
        .where(
            T.c.booking_id == booking_id,
            T.c.event == REMINDER_EVENT,
            T.c.status.in_(_UNSENT),
            T.c.dedupe_key.not_in(list(keep)),
        )
        .values(status=check_move(Move.SUPERSEDE, SUPERSEDED), last_error=reason, updated_at=now)
        .returning(T.c.id)
    )
    return len(result.all())


STARTED = "the booking has started"


def supersede_started_reminders(session: Session, *, now: datetime, environment: str) -> list[Row]:
    """Due reminders of bookings that have started: never sent late (called before a claim)."""
    started = select(Booking.id).where(Booking.starts_at <= now).scalar_subquery()
    return list(
        session.execute(
            update(T)
            .where(
                T.c.event == REMINDER_EVENT,
                T.c.status.in_(_UNSENT),
                T.c.next_attempt_at <= now,
                T.c.queued_environment == environment,
                T.c.booking_id.in_(started),
            )
            .values(status=check_move(Move.SUPERSEDE, SUPERSEDED), last_error=STARTED, updated_at=now)
            .returning(T.c.id)
        )
    )
