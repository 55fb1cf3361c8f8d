"""Turns dispatch events into outbox rows, inside the caller's transaction.

The services call these while their change is still uncommitted, so a booking that
commits always has its notifications and one that rolls back has none.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.domain.roles import Role
from dispatch_desktop.domain.team import TeamSettings
from dispatch_desktop.notify.async_notifier import (
    SMS,
    Notification,
    booking_notifications,
    time_off_notifications,
)
from dispatch_desktop.notify.notifier import environment_decision
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.models import Agent, Booking, Operator, TimeOff
from dispatch_desktop.storage.types import utcnow


def booking_created(session: Session, booking: Booking, settings: TeamSettings) -> None:
    """Customer confirmation; the agent's assignment when one is set."""
    session.flush()
    queue(
        session, booking_notifications("booking_created", booking, settings), settings, booking_id=booking.id
    )


def booking_assigned(
    session: Session, booking: Booking, previous_agent: Agent | None, settings: TeamSettings
) -> None:
    """New agent: assignment; previous agent (if any): unassignment."""
    session.flush()
    notes = booking_notifications("booking_assigned", booking, settings, previous_agent=previous_agent)
    queue(session, notes, settings, booking_id=booking.id)


def booking_status_changed(
    session: Session, booking: Booking, old_status: str, settings: TeamSettings
) -> None:
    """Customer and (if assigned) agent: status update."""
    session.flush()
    notes = booking_notifications("booking_status_changed", booking, settings, old_status=old_status)
    queue(session, notes, settings, booking_id=booking.id)


def booking_rescheduled(session: Session, booking: Booking, settings: TeamSettings) -> None:
    """Customer and (if assigned) agent: the new time."""
    session.flush()
    queue(
        session,
        booking_notifications("booking_rescheduled", booking, settings),
        settings,
        booking_id=booking.id,
    )


def time_off_requested(session: Session, time_off: TimeOff, settings: TeamSettings) -> None:
    """Each active dispatcher with a phone or email: approval needed."""
    session.flush()
    notes = time_off_notifications("time_off_requested", time_off, settings, dispatchers=approvers(session))
    queue(session, notes, settings, time_off_id=time_off.id)


def time_off_decided(session: Session, time_off: TimeOff, settings: TeamSettings, *, decided_by: str) -> None:
    """The agent: approved or denied, naming the person who decided (`decided_by`, their name)."""
    session.flush()
    notes = time_off_notifications("time_off_decided", time_off, settings, decided_by=decided_by)
    queue(session, notes, settings, time_off_id=time_off.id)


def approvers(session: Session) -> list[Operator]:
    """Active dispatchers with a phone or email; if none can be reached, active supervisors,
    so a request is never left where nobody hears of it."""
    for role in (Role.DISPATCHER, Role.SUPERVISOR):
        found = [
            operator
            for operator in session.scalars(
                select(Operator)
                .where(Operator.role == role.value, Operator.active.is_(True))
                .order_by(Operator.id)
            )
            if (operator.phone or "").strip() or (operator.email or "").strip()
        ]
        if found:
            return found
    return []


def _not_textable(note: Notification, settings: TeamSettings | None) -> str | None:
    """Why a text may not go to a number stored before the SMS rules or the team's countries changed."""
    if note.channel != SMS or not note.address or settings is None:
        return None
    try:
        validation.textable_phone(note.address, settings.region, settings.texted_countries)
    except ValidationError as exc:
        return str(exc)
    return None


def queue(
    session: Session,
    notes: Iterable[Notification],
    settings: TeamSettings | None = None,
    *,
    booking_id: int | None = None,
    time_off_id: int | None = None,
) -> int:
    """Insert the rows; a row whose dedupe key already exists is left alone. Returns rows inserted.

    Each row is stamped with the environment of the change (the transaction's, else FLASK_ENV's),
    so only a worker of that environment delivers it. With the team's settings, a text to a number
    the SMS rules refuse is queued as skipped with the reason, so the supervisor sees it instead of
    it going out (or vanishing).
    """
    now = utcnow()
    environment = session.info.get(store.ENVIRONMENT_INFO) or environment_decision().name
    queued_by = session.info.get(store.QUEUED_BY)
    pending = [(note, note.skip_reason or _not_textable(note, settings)) for note in notes]
    rows = [
        {
            "dedupe_key": note.dedupe_key,
            "event": note.event,
            "channel": note.channel,
            "recipient": note.address or "",
            "recipient_name": note.recipient.name[:120],
            "recipient_kind": note.recipient.kind,
            "subject": note.subject[:300] if note.subject else None,
            "body": note.body,
            "html_body": note.html_body,
            "booking_id": booking_id,
            "time_off_id": time_off_id,
            "status": (OutboxStatus.SKIPPED if skip else OutboxStatus.QUEUED).value,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": skip,
            "queued_environment": environment,
            "queued_by": queued_by,
            "created_at": now,
            "updated_at": now,
        }
        for note, skip in pending
    ]
    return store.insert_new(session, rows)
