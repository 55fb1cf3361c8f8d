"""Who is free when: overlap checks shared by bookings and time off."""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from dispatch_desktop.domain.statuses import INACTIVE_STATUSES, NOT_STARTED_STATUSES, TimeOffStatus
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.storage.models import Agent, Booking, TimeOff


def lock_agent(session: Session, agent_id: int) -> None:
    """Serialise schedule changes for one agent across workstations (PostgreSQL row lock)."""
    session.execute(select(Agent.id).where(Agent.id == agent_id).with_for_update())


def needs_reassignment() -> ColumnElement[bool]:
    """A booking not started yet whose agent has approved time off over it: someone else must go."""
    return Booking.status.in_([s.value for s in NOT_STARTED_STATUSES]) & exists().where(
        TimeOff.agent_id == Booking.agent_id,
        TimeOff.status == TimeOffStatus.APPROVED.value,
        TimeOff.starts_at < Booking.ends_at,
        TimeOff.ends_at > Booking.starts_at,
    )


def overlapping_bookings(
    session: Session, agent_id: int, start: datetime, end: datetime, exclude_id: int | None = None
) -> Sequence[Booking]:
    query = select(Booking).where(
        Booking.agent_id == agent_id,
        Booking.status.not_in([s.value for s in INACTIVE_STATUSES]),
        Booking.starts_at < end,
        Booking.ends_at > start,
    )
    if exclude_id is not None:
        query = query.where(Booking.id != exclude_id)
    return session.scalars(query.order_by(Booking.starts_at)).all()


def affected_bookings(session: Session, time_off_ids: Collection[int]) -> dict[int, int]:
    """How many bookings of its agent each request covers, in one query: the active ones while it
    is pending, those not started yet (the ones needing reassignment) once approved."""
    counted = or_(
        and_(
            TimeOff.status == TimeOffStatus.PENDING.value,
            Booking.status.not_in([s.value for s in INACTIVE_STATUSES]),
        ),
        and_(
            TimeOff.status == TimeOffStatus.APPROVED.value,
            Booking.status.in_([s.value for s in NOT_STARTED_STATUSES]),
        ),
    )
    over = and_(
        Booking.agent_id == TimeOff.agent_id,
        Booking.starts_at < TimeOff.ends_at,
        Booking.ends_at > TimeOff.starts_at,
    )
    query = (
        select(TimeOff.id, func.count(Booking.id))
        .join(Booking, over)
        .where(TimeOff.id.in_(time_off_ids), counted)
        .group_by(TimeOff.id)
    )
    return {time_off_id: count for time_off_id, count in session.execute(query)}


def overlapping_time_off(
    session: Session, agent_id: int, start: datetime, end: datetime
) -> Sequence[TimeOff]:
    return session.scalars(
        select(TimeOff)
        .where(
            TimeOff.agent_id == agent_id,
            TimeOff.status == TimeOffStatus.APPROVED.value,
            TimeOff.starts_at < end,
            TimeOff.ends_at > start,
        )
        .order_by(TimeOff.starts_at)
    ).all()


def describe_booking(booking: Booking, settings: TeamSettings) -> str:
    return (
        f"{booking_reference(booking.id)} ({settings.local(booking.starts_at)}"
        f"–{settings.local(booking.ends_at)[-5:]}, {booking.customer.name})"
    )


def describe_time_off(time_off: TimeOff, settings: TeamSettings) -> str:
    return f"time off #{time_off.id} ({settings.local(time_off.starts_at)} to {settings.local(time_off.ends_at)})"


def conflicts_for(
    session: Session,
    settings: TeamSettings,
    agent: Agent,
    start: datetime,
    end: datetime,
    exclude_booking_id: int | None = None,
) -> list[str]:
    """Human descriptions of what stops `agent` from taking start–end; empty when free."""
    clashes = [
        f"{agent.name} is already booked: {describe_booking(b, settings)}"
        for b in overlapping_bookings(session, agent.id, start, end, exclude_booking_id)
    ]
    clashes += [
        f"{agent.name} has approved {describe_time_off(t, settings)}"
        for t in overlapping_time_off(session, agent.id, start, end)
    ]
    return clashes
