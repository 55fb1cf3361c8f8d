"""The shared database, as typed SQLAlchemy models."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dispatch_desktop.domain.delivery import NOT_REACHED
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.storage.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Big integers on PostgreSQL, plain INTEGER (the rowid alias) on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model here maps one Table (SQLAlchemy types __table__ as any FromClause).
    __table__: ClassVar[Table]


class Operator(Base):
    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # The PostgreSQL login role this operator connects as (None: the username, or SQLite).
    login: Mapped[str | None] = mapped_column(String(63), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def _trigram(name: str, column: str) -> Index:
    """A pg_trgm GIN index for `ILIKE '%text%'` (migration 0011); PostgreSQL only."""
    index = Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
    return index.ddl_if(dialect="postgresql")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sms_consent: Mapped[str | None] = mapped_column(String(3))  # "yes", "no", None: never asked

    __table_args__ = (
        _trigram("ix_customers_name_trgm", "name"),
        _trigram("ix_customers_phone_trgm", "phone"),
    )


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_agent_start", "agent_id", "starts_at"),
        Index("ix_bookings_starts_at", "starts_at"),
        Index("ix_bookings_status", "status"),
        _trigram("ix_bookings_address_trgm", "address"),
        _trigram("ix_bookings_service_trgm", "service"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    address: Mapped[str] = mapped_column(String(300))
    service: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the customer texted R (two-way SMS); cleared when the booking gets a new time.
    reschedule_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    agent: Mapped[Agent | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class TimeOff(Base):
    __tablename__ = "time_off"
    __table_args__ = (Index("ix_time_off_agent_start", "agent_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agent: Mapped[Agent] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": version}


class AuditEntry(Base):
    """One changed field of a booking or time-off request."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Id)
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    """Team-wide settings shared by every workstation (time zone, phone region)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class MessageTemplate(Base):
    """A supervisor's text of one part of one message kind in one language, over the shipped file.

    A reset keeps the row with `body` None: its id stays the audit trail's name for the part.
    """

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("kind", "part", "language", name="uq_message_templates_kind_part_language"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))  # the operator's username
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Revision(Base):
    """A single counter bumped by every change, so workstations can poll one cheap row."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def not_reached_rows(table: str = "") -> str:
    """The outbox rows whose person was not reached, as literal SQL: a query matches the partial
    index ix_outbox_not_reached only when it spells the same condition with the same constants."""
    column = f"{table}." if table else ""
    states = ", ".join(f"'{state}'" for state in sorted(NOT_REACHED))
    return f"{column}status = '{OutboxStatus.FAILED.value}' OR {column}delivery IN ({states})"


class OutboxMessage(Base):
    """One notification to one recipient on one channel, written with the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_updated", "updated_at"),
        Index("ix_outbox_recipient_created", "recipient", "created_at"),
        Index("ix_outbox_queued_by_created", "queued_by", "created_at"),
        Index("ix_outbox_delivery_sent", "channel", "status", "delivery", "sent_at"),
        # The few rows whose person was not reached (storage/outbox/reach.py), by booking.
        Index(
            "ix_outbox_not_reached",
            "booking_id",
            sqlite_where=text(not_reached_rows()),
            postgresql_where=text(not_reached_rows()),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255))
    event: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str | None] = mapped_column(String(120))
    recipient_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    time_off_id: Mapped[int | None] = mapped_column(ForeignKey("time_off.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(255))
    environment: Mapped[str | None] = mapped_column(String(16))  # where it was handled
    # Where the change that caused it was made: only a worker of the same environment delivers it.
    queued_environment: Mapped[str] = mapped_column(String(16))
    sent_to: Mapped[str | None] = mapped_column(String(320))
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The operator whose change queued the row, for the per-operator SMS cap.
    queued_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the provider accepted it, and what the provider later said of it (domain/delivery.py).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery: Mapped[str | None] = mapped_column(String(16))
    delivery_error_code: Mapped[int | None] = mapped_column(Integer)
    delivery_reason: Mapped[str | None] = mapped_column(Text)
    delivery_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why a `held` row waits (domain/outbox.HoldReason), and the newer row that superseded this one.
    hold_reason: Mapped[str | None] = mapped_column(String(16))
    superseded_by: Mapped[int | None] = mapped_column(Id)


class NotifierHeartbeat(Base):
    """A notifier or delivering console, as last seen: who delivers, in which environment, which channels."""

    __tablename__ = "notifier_heartbeats"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # kind:name@host
    kind: Mapped[str] = mapped_column(String(16))  # "notifier" or "console"
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    environment: Mapped[str] = mapped_column(String(16))
    channels: Mapped[str] = mapped_column(String(32))  # comma-separated: what it can deliver now
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_delivery: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsSuppression(Base):
    """A phone number that replied STOP (Twilio 21610): no SMS goes to it until cleared."""

    __tablename__ = "sms_suppressions"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Lease(Base):
    """A named job only one process across the shared database runs at a time (the provider sync)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundMessage(Base):
    """A text someone sent to the team's number, stored once (Twilio's SID), with what was done."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("sid", name="uq_inbound_messages_sid"),
        Index("ix_inbound_messages_from_received", "from_phone", "received_at"),
        Index("ix_inbound_messages_read_received", "read", "received_at"),
        Index("ix_inbound_messages_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    sid: Mapped[str] = mapped_column(String(64))
    from_phone: Mapped[str] = mapped_column(String(32))
    to_phone: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    action: Mapped[str] = mapped_column(String(300))  # what was done with it, in words
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
