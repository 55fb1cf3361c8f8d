"""Plain read-only records handed to the console and the command line (never ORM objects)."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from dispatch_desktop.domain.availability import Span, format_hours, parse_hours
from dispatch_desktop.domain.team import booking_reference
from dispatch_desktop.storage.models import Agent, AuditEntry, Booking, Customer, Operator, TimeOff


def jsonable(record: Any) -> dict[str, Any]:
    """A view dataclass as a JSON-ready dict: datetimes become ISO 8601 strings."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(record).items()
    }


@dataclass(frozen=True)
class OperatorView:
    id: int
    name: str
    username: str
    role: str
    phone: str | None
    email: str | None
    active: bool

    @classmethod
    def of(cls, row: Operator) -> "OperatorView":
        return cls(row.id, row.name, row.username, row.role, row.phone, row.email, row.active)

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class AgentView:
    id: int
    name: str
    phone: str
    email: str
    active: bool
    hours: str = ""  # as domain/availability.parse_hours reads them; "": never set, any time
    skills: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: Agent) -> "AgentView":
        hours = format_hours(Span.stored(h.weekday, h.starts, h.ends) for h in row.hours)
        skills = tuple(s.skill for s in row.skills)
        return cls(row.id, row.name, row.phone, row.email, row.active, hours, skills)

    def spans(self) -> tuple[Span, ...] | None:
        """The working hours as spans; None when never set (any time)."""
        return parse_hours(self.hours) if self.hours else None

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class CustomerView:
    id: int
    name: str
    phone: str
    email: str | None
    language: str | None = None  # None: the team's

    @classmethod
    def of(cls, row: Customer) -> "CustomerView":
        return cls(row.id, row.name, row.phone, row.email, row.language)

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


def reach_advice(recipient_kind: str) -> str | None:
    """What the dispatcher does about a person not reached: an agent who missed an assignment
    does not know of the job."""
    return "phone the agent" if recipient_kind == "agent" else None


@dataclass(frozen=True)
class Unreached:
    """A person one of the booking's messages did not reach (storage/outbox/reach.py says which)."""

    recipient_kind: str  # "customer", "agent", "dispatcher"
    channel: str
    reason: str
    recipient_name: str | None  # for the console's words; not in the JSON

    def to_json(self) -> dict[str, Any]:
        return {"recipient_kind": self.recipient_kind, "channel": self.channel, "reason": self.reason}

    @property
    def advice(self) -> str | None:
        return reach_advice(self.recipient_kind)

    def describe(self) -> str:
        """'agent Ann Field (SMS): 30003 phone unreachable (...): phone the agent'"""
        who = f"{self.recipient_kind} {self.recipient_name}" if self.recipient_name else self.recipient_kind
        channel = "SMS" if self.channel == "sms" else self.channel
        advice = f": {self.advice}" if self.advice else ""
        return f"{who} ({channel}): {self.reason}{advice}"


@dataclass(frozen=True)
class BookingView:
    id: int
    reference: str
    status: str
    version: int
    agent_id: int | None
    agent_name: str | None
    customer_id: int
    customer_name: str
    customer_phone: str
    customer_email: str | None
    address: str
    service: str
    start: datetime
    end: datetime
    source: str
    notes: str | None
    cancel_reason: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    reschedule_requested_at: datetime | None = None  # the customer texted R (two-way SMS)
    customer_language: str | None = None  # their messages' language; None: the team's
    # Who its messages did not reach; read with the booking (services/bookings.py).
    unreached: tuple[Unreached, ...] = ()
    # Set by the listing services: approved time off of its agent covers it (services/schedule.py).
    needs_reassignment: bool = False

    @classmethod
    def of(cls, row: Booking, unreached: tuple[Unreached, ...] = ()) -> "BookingView":
        return cls(
            id=row.id,
            reference=booking_reference(row.id),
            status=row.status,
            version=row.version,
            agent_id=row.agent_id,
            agent_name=row.agent.name if row.agent else None,
            customer_id=row.customer_id,
            customer_name=row.customer.name,
            customer_phone=row.customer.phone,
            customer_email=row.customer.email,
            address=row.address,
            service=row.service,
            start=row.starts_at,
            end=row.ends_at,
            source=row.source,
            notes=row.notes,
            cancel_reason=row.cancel_reason,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
            reschedule_requested_at=row.reschedule_requested_at,
            customer_language=row.customer.language,
            unreached=unreached,
        )

    def to_json(self) -> dict[str, Any]:
        return jsonable(self) | {"unreached": [person.to_json() for person in self.unreached]}


@dataclass(frozen=True)
class TimeOffView:
    id: int
    agent_id: int
    agent_name: str
    start: datetime
    end: datetime
    reason: str | None
    status: str
    version: int
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    created_by: str
    created_at: datetime
    decided_by_name: str | None = None  # the operator's name, where the caller looked it up
    affected: int = 0  # active bookings of the agent in that time (set by timeoff.list_time_off)

    @classmethod
    def of(cls, row: TimeOff, names: dict[str, str] | None = None) -> "TimeOffView":
        return cls(
            id=row.id,
            agent_id=row.agent_id,
            agent_name=row.agent.name,
            start=row.starts_at,
            end=row.ends_at,
            reason=row.reason,
            status=row.status,
            version=row.version,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
            created_by=row.created_by,
            created_at=row.created_at,
            decided_by_name=(names or {}).get(row.decided_by, row.decided_by) if row.decided_by else None,
        )

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class AuditView:
    id: int
    entity: str
    entity_id: int
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    actor: str
    at: datetime

    @classmethod
    def of(cls, row: AuditEntry) -> "AuditView":
        return cls(
            row.id,
            row.entity,
            row.entity_id,
            row.action,
            row.field,
            row.old_value,
            row.new_value,
            row.actor,
            row.at,
        )

    def to_json(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True)
class CallerView:
    """A returning caller as the call-center panel shows them: who, where they had work done, and
    their bookings (upcoming soonest first, then recent ones latest first)."""

    customer: CustomerView
    addresses: tuple[str, ...]  # most recently booked first
    upcoming: tuple[BookingView, ...]
    recent: tuple[BookingView, ...]

    @property
    def last_address(self) -> str | None:
        return self.addresses[0] if self.addresses else None
