"""The variables each message kind renders with: from a sample booking, or from a real one.

The same context functions the notices use (services/notices.py, services/inbound.py), so a
template that renders for the sample renders for every real message of its kind.
"""

from datetime import datetime, time, timedelta
from typing import Any

from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.domain.message_kinds import kind_spec
from dispatch_desktop.domain.statuses import BookingStatus
from dispatch_desktop.domain.team import TeamSettings, booking_reference
from dispatch_desktop.services import inbound_replies, notices
from dispatch_desktop.storage.models import Agent, Booking, Customer, TimeOff
from dispatch_desktop.storage.types import utcnow

TIME_OFF_KINDS = frozenset({"dispatcher_time_off_request", "agent_time_off_decision"})
STATUS_KINDS = frozenset({"customer_status", "agent_status"})
REPLY_TO_AGENT = frozenset({"reply_agent_no_job_today", "reply_agent_wrong_status"})
SAMPLE_DISPATCHER = "Dana Lee"
SAMPLE_SUPERVISOR = "Sam Rivera"


def _tomorrow_at(settings: TeamSettings, hour: int) -> datetime:
    day = utcnow().astimezone(settings.zone).date() + timedelta(days=1)
    return datetime.combine(day, time(hour), settings.zone)


def sample_booking(settings: TeamSettings, kind: str = "") -> Booking:
    """A booking that is never stored: tomorrow 10:00 to 12:00 with an agent, the customer's number US."""
    starts = _tomorrow_at(settings, 10)
    customer = Customer(id=123, name="Maria Gonzalez", phone="+13125550123", email="maria@example.com")
    agent = Agent(id=7, name="Ann Field", phone="+13125550101", email="ann@example.com", active=True)
    status = BookingStatus.EN_ROUTE if kind in STATUS_KINDS else BookingStatus.SCHEDULED
    return Booking(
        id=123,
        customer=customer,
        agent=agent,
        service="Furnace repair",
        address="1200 W Lake St, Chicago, IL 60607",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=status.value,
        version=1,
    )


def _sample_time_off(settings: TeamSettings) -> TimeOff:
    starts = _tomorrow_at(settings, 8)
    agent = Agent(id=7, name="Ann Field", phone="+13125550101", email="ann@example.com", active=True)
    return TimeOff(
        id=42,
        agent=agent,
        starts_at=starts,
        ends_at=starts + timedelta(hours=9),
        reason="Dentist",
        status="approved",
        decision_reason="Enjoy",
        version=1,
    )


def context(kind: str, settings: TeamSettings, booking: Booking | None = None) -> dict[str, Any]:
    """What `kind` renders with for `booking` (the sample booking when None), as the notices pass it."""
    kind_spec(kind)
    if booking is not None and (
        kind in TIME_OFF_KINDS or kind == "test_message" or kind.startswith("reply_")
    ):
        raise ValidationError(f"{kind} is not about a booking; preview it without one", "booking")
    if kind in TIME_OFF_KINDS:
        time_off = _sample_time_off(settings)
        values = notices.time_off_context(time_off, settings, SAMPLE_SUPERVISOR)
        recipient = SAMPLE_DISPATCHER if kind == "dispatcher_time_off_request" else time_off.agent.name
        return {"recipient_name": recipient, "company_line": notices.COMPANY_LINE, **values}
    if kind == "test_message":
        when = settings.local(utcnow())
        values = {"sender_name": SAMPLE_SUPERVISOR, "when": when, "timezone": settings.timezone_name}
        return {"recipient_name": SAMPLE_SUPERVISOR, "company_line": "", **values}
    if kind.startswith("reply_"):
        sample = sample_booking(settings)
        recipient = sample.agent.name if kind in REPLY_TO_AGENT and sample.agent else sample.customer.name
        extra = {}
        if kind == "reply_agent_wrong_status":
            extra = {"ref": booking_reference(sample.id), "status": "completed", "target": "en route"}
        return inbound_replies.reply_context(settings, recipient, extra)
    booking = booking if booking is not None else sample_booking(settings, kind)
    if kind == "reminder":
        values = notices.reminder_context(booking, settings)
    else:
        old_status = BookingStatus.SCHEDULED.value if kind in STATUS_KINDS else None
        eta = 15 if kind in STATUS_KINDS else None
        values = notices.booking_event_context(booking, settings, old_status=old_status, eta_minutes=eta)
    if kind.startswith("agent_"):
        if booking.agent is None:
            raise ValidationError(f"booking {booking_reference(booking.id)} has no agent to tell", "booking")
        recipient = booking.agent.name
    else:
        recipient = booking.customer.name
    return {"recipient_name": recipient, **values}
