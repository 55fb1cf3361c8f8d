"""Bookings: creation, editing, assignment and status changes, with conflicts checked."""

import re
import sys
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Result, Select, any_, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, selectinload

from dispatch_desktop.domain import validation
from dispatch_desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
)
from dispatch_desktop.domain.roles import Permission, booking_edit_permission, can
from dispatch_desktop.domain.statuses import (
    ASSIGNABLE_STATUSES,
    BookingSource,
    BookingStatus,
    allowed_next,
    is_active,
)
from dispatch_desktop.domain.team import booking_reference, parse_booking_reference
from dispatch_desktop.services import audit, notices, reach, schedule
from dispatch_desktop.services.agents import get_agent_row
from dispatch_desktop.services.availability import check_fit, fit, record_override, required_skill
from dispatch_desktop.services.context import ServiceContext, Unit, operator_name
from dispatch_desktop.services.customers import upsert_customer
from dispatch_desktop.services.views import AuditView, BookingView
from dispatch_desktop.storage.models import Agent, Booking, Customer
from dispatch_desktop.storage.types import utcnow

ENTITY = "booking"


def parse_status(value: str) -> BookingStatus:
    try:
        return BookingStatus(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        choices = ", ".join(s.value for s in BookingStatus)
        raise ValidationError(f"unknown status {value!r} (choose {choices})", "status") from None


def _get(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFoundError(f"no booking with id {booking_id}", "booking")
    return booking


def _check_version(unit: Unit, booking: Booking, expect_version: int | None) -> None:
    if expect_version is not None and booking.version != expect_version:
        raise StaleVersionError(
            f"booking {booking_reference(booking.id)} was changed by {operator_name(unit.session, booking.updated_by)} "
            f"at {unit.local(booking.updated_at)} (version {booking.version}, you had {expect_version}); reload"
        )


def _require_edit(unit: Unit, booking: Booking) -> None:
    unit.require(booking_edit_permission(booking.agent_id is not None))


def _assignable_agent(
    unit: Unit, agent_id: int, start: datetime, end: datetime, booking_id: int | None
) -> Agent:
    agent = get_agent_row(unit.session, agent_id)
    if not agent.active:
        raise ValidationError(f"agent {agent.name} is deactivated", "agent")
    schedule.lock_agent(unit.session, agent.id)
    clashes = schedule.conflicts_for(unit.session, unit.settings, agent, start, end, booking_id)
    if clashes:
        raise ConflictError("; ".join(clashes), "agent")
    return agent


def _fit(unit: Unit, booking: Booking, override: bool) -> str:
    """Refuse (unless `override`) a booking outside its agent's hours or skills; what was overridden."""
    if booking.agent is None:
        return ""
    return check_fit(
        unit.session,
        unit.settings,
        booking.agent,
        booking.service,
        booking.starts_at,
        booking.ends_at,
        override=override,
    )


def _check_times(unit: Unit, start: datetime, end: datetime) -> None:
    settings = unit.settings
    validation.booking_times(start, end, utcnow(), settings.booking_days_back, settings.booking_days_ahead)


def _view(session: Session, booking: Booking) -> BookingView:
    return BookingView.of(booking, reach.unreached_of(session, [booking.id]).get(booking.id, ()))


def _views(session: Session, rows: Result[Booking, bool]) -> list[BookingView]:
    """Views of rows from a `_marked` query (booking, needs reassignment), with one query for who
    the rows' messages did not reach, however many rows."""
    pairs = list(rows.unique())
    unreached = reach.unreached_of(session, [booking.id for booking, _ in pairs])
    return [
        replace(BookingView.of(booking, unreached.get(booking.id, ())), needs_reassignment=bool(marked))
        for booking, marked in pairs
    ]


def _touch(unit: Unit, booking: Booking) -> None:
    booking.updated_by = unit.actor.username
    booking.updated_at = utcnow()


def create_booking(
    ctx: ServiceContext,
    *,
    customer_name: str,
    customer_phone: str,
    customer_email: str | None,
    address: str,
    service: str,
    start: datetime | str,
    end: datetime | str,
    agent_id: int | None = None,
    call_center: bool = False,
    notes: str | None = None,
    sms_consent: str | None = None,
    customer_language: str | None = None,
    notify_customer: bool = True,
    override: bool = False,
) -> BookingView:
    """`sms_consent` is the customer's answer to "OK to text you?" ('yes', 'no', None: not asked);
    `customer_language` the language of their messages (None keeps a returning customer's).

    Without `notify_customer` only the agent hears of it, and the audit trail says who chose that.
    With `override` an agent outside their hours or without the service's skill is booked anyway.
    """
    with ctx.writing(Permission.CREATE_UNASSIGNED_BOOKING) as unit:
        if call_center and agent_id is not None:
            raise ValidationError("a call-center booking starts without an agent", "agent")
        if agent_id is not None:
            unit.require(Permission.MANAGE_BOOKINGS)
        is_call_center = call_center or not can(unit.actor.role, Permission.MANAGE_BOOKINGS)
        starts_at, ends_at = unit.time(start, "start"), unit.time(end, "end")
        _check_times(unit, starts_at, ends_at)
        booking = Booking(
            address=validation.text(address, "address", validation.ADDRESS_MAX),
            service=validation.text(service, "service", validation.SERVICE_MAX),
            notes=validation.optional_text(notes, "notes", validation.NOTES_MAX, multiline=True),
            starts_at=starts_at,
            ends_at=ends_at,
            source=(BookingSource.CALL_CENTER if is_call_center else BookingSource.DISPATCHER).value,
            status=BookingStatus.PENDING.value,
            created_by=unit.actor.username,
            updated_by=unit.actor.username,
        )
        booking.customer = upsert_customer(
            unit.session,
            unit.settings,
            name=customer_name,
            phone=customer_phone,
            email=customer_email,
            consent=sms_consent,
            language=customer_language,
        )
        if agent_id is not None:
            booking.agent = _assignable_agent(unit, agent_id, starts_at, ends_at, None)
            booking.status = BookingStatus.SCHEDULED.value
        overridden = _fit(unit, booking, override)
        unit.session.add(booking)
        unit.session.flush()
        record_override(unit.session, ENTITY, booking.id, unit.actor.username, overridden)
        audit.record(
            unit.session,
            ENTITY,
            booking.id,
            "created",
            unit.actor.username,
            {
                "status": (None, booking.status),
                "agent": (None, booking.agent.name if booking.agent else None),
            }
            | _silence({}, notify_customer),
        )
        notices.booking_created(unit.session, booking, unit.settings, notify_customer=notify_customer)
        return _view(unit.session, booking)


def update_booking(
    ctx: ServiceContext,
    booking_id: int,
    *,
    expect_version: int | None = None,
    customer_name: str | None = None,
    customer_phone: str | None = None,
    customer_email: str | None = None,
    customer_language: str | None = None,
    address: str | None = None,
    service: str | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    notes: str | None = None,
    require_new_time: bool = False,
    notify_customer: bool = True,
    override: bool = False,
    fit_agent: bool = True,
) -> BookingView:
    """Edit the details given; a new time is checked against the agent's schedule, and a new time
    or service against the agent's hours and skills (unless `override`, or without `fit_agent`:
    the caller gives the booking to another agent next and checks that one).

    Without `notify_customer` only the agent hears of a new time, and the audit trail says who chose that.
    """
    with ctx.writing(Permission.EDIT_UNASSIGNED_BOOKING) as unit:
        booking = _get(unit.session, booking_id)
        _require_edit(unit, booking)
        _check_version(unit, booking, expect_version)
        if not is_active(BookingStatus(booking.status)) or booking.status == BookingStatus.COMPLETED:
            raise ConflictError(
                f"booking {booking_reference(booking.id)} is {booking.status} and can no longer be edited"
            )
        changes: dict[str, tuple[object, object]] = {}

        def change(name: str, old: object, new: object) -> bool:
            if old != new:
                changes[name] = (old, new)
                return True
            return False

        customer_fields = (customer_name, customer_phone, customer_email, customer_language)
        if any(value is not None for value in customer_fields):
            spoken = booking.customer.language
            customer = upsert_customer(
                unit.session,
                unit.settings,
                name=customer_name if customer_name is not None else booking.customer.name,
                phone=customer_phone if customer_phone is not None else booking.customer.phone,
                email=customer_email if customer_email is not None else booking.customer.email,
                language=customer_language,
            )
            if change("customer", booking.customer.phone, customer.phone):
                booking.customer = customer
            else:
                change("language", spoken, customer.language)
        if address is not None:
            new_address = validation.text(address, "address", validation.ADDRESS_MAX)
            if change("address", booking.address, new_address):
                booking.address = new_address
        if service is not None:
            new_service = validation.text(service, "service", validation.SERVICE_MAX)
            if change("service", booking.service, new_service):
                booking.service = new_service
        if notes is not None:
            new_notes = validation.optional_text(notes, "notes", validation.NOTES_MAX, multiline=True)
            if change("notes", booking.notes, new_notes):
                booking.notes = new_notes
        rescheduled = _apply_times(unit, booking, start, end, booking.agent_id, changes)
        if require_new_time and not rescheduled:
            raise ValidationError(
                f"{booking_reference(booking.id)} already runs from {unit.local(booking.starts_at)} "
                f"to {unit.local(booking.ends_at)}; give a different start or end",
                "start",
            )
        if not changes:
            return _view(unit.session, booking)
        refits = fit_agent and bool({"start", "service"} & changes.keys())
        overridden = _fit(unit, booking, override) if refits else ""
        _touch(unit, booking)
        unit.session.flush()
        record_override(unit.session, ENTITY, booking.id, unit.actor.username, overridden)
        audit.record(
            unit.session,
            ENTITY,
            booking.id,
            "edited",
            unit.actor.username,
            _silence(changes, notify_customer or not rescheduled),  # silence matters for a new time only
        )
        if rescheduled:
            notices.booking_rescheduled(unit.session, booking, unit.settings, notify_customer=notify_customer)
        return _view(unit.session, booking)


CUSTOMER_NOTICE = "customer notice"


def _silence(
    changes: dict[str, tuple[object, object]], notify_customer: bool
) -> dict[str, tuple[object, object]]:
    """The audit's changes, with a row naming the choice not to tell the customer."""
    return changes if notify_customer else {**changes, CUSTOMER_NOTICE: ("on", "off")}


def reschedule_booking(
    ctx: ServiceContext,
    booking_id: int,
    *,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    expect_version: int | None = None,
    notify_customer: bool = True,
    override: bool = False,
) -> BookingView:
    """Move to a new time; a reschedule that would leave the times as they are is refused."""
    if start is None and end is None:
        raise ValidationError("give a new start, a new end, or both", "start")
    return update_booking(
        ctx,
        booking_id,
        start=start,
        end=end,
        expect_version=expect_version,
        require_new_time=True,
        notify_customer=notify_customer,
        override=override,
    )


def _apply_times(
    unit: Unit,
    booking: Booking,
    start: datetime | str | None,
    end: datetime | str | None,
    agent_id: int | None,
    changes: dict[str, tuple[object, object]],
) -> bool:
    if start is None and end is None:
        return False
    new_start = unit.time(start, "start") if start is not None else booking.starts_at
    new_end = unit.time(end, "end") if end is not None else booking.ends_at
    validation.interval(new_start, new_end)
    if (new_start, new_end) == (booking.starts_at, booking.ends_at):
        return False
    _check_times(unit, new_start, new_end)
    if agent_id is not None:
        _assignable_agent(unit, agent_id, new_start, new_end, booking.id)
    changes["start"] = (booking.starts_at, new_start)
    changes["end"] = (booking.ends_at, new_end)
    booking.starts_at, booking.ends_at = new_start, new_end
    if booking.reschedule_requested_at is not None:  # the customer's R is answered by the new time
        changes["reschedule_requested"] = (booking.reschedule_requested_at, None)
        booking.reschedule_requested_at = None
    return True


def assign_booking(
    ctx: ServiceContext,
    booking_id: int,
    agent_id: int | None,
    *,
    expect_version: int | None = None,
    notify_customer: bool = True,
    override: bool = False,
) -> BookingView:
    """Give the booking to an agent (None takes it back to pending)."""
    return move_booking(
        ctx,
        booking_id,
        agent_id=agent_id,
        expect_version=expect_version,
        notify_customer=notify_customer,
        override=override,
    )


def move_booking(
    ctx: ServiceContext,
    booking_id: int,
    *,
    agent_id: int | None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    expect_version: int | None = None,
    notify_customer: bool = True,
    override: bool = False,
) -> BookingView:
    """Assign, reassign, unassign and/or reschedule in one step (the dispatch board's drag).

    Without `notify_customer` (a Shift-drop) only agents are told, and the audit trail says who chose that.
    With `override` an agent outside their hours or without the service's skill is booked anyway.
    """
    with ctx.writing(Permission.MANAGE_BOOKINGS) as unit:
        booking = _get(unit.session, booking_id)
        _check_version(unit, booking, expect_version)
        status = BookingStatus(booking.status)
        if status not in ASSIGNABLE_STATUSES:
            raise ConflictError(
                f"booking {booking_reference(booking.id)} is {status.value}; the agent can only be changed "
                f"while it is {', '.join(sorted(s.value for s in ASSIGNABLE_STATUSES))}"
            )
        changes: dict[str, tuple[object, object]] = {}
        rescheduled = _apply_times(unit, booking, start, end, None, changes)
        previous = booking.agent
        if agent_id is not None:
            agent = _assignable_agent(unit, agent_id, booking.starts_at, booking.ends_at, booking.id)
        else:
            agent = None
        if (previous.id if previous else None) != agent_id:
            changes["agent"] = (previous.name if previous else None, agent.name if agent else None)
            booking.agent = agent
            new_status = BookingStatus.SCHEDULED if agent else BookingStatus.PENDING
            if agent is None or status == BookingStatus.PENDING:
                changes["status"] = (status.value, new_status.value)
                booking.status = new_status.value
        if not changes:
            return _view(unit.session, booking)
        overridden = _fit(unit, booking, override)
        _touch(unit, booking)
        unit.session.flush()
        record_override(unit.session, ENTITY, booking.id, unit.actor.username, overridden)
        audit.record(
            unit.session,
            ENTITY,
            booking.id,
            _move_action(changes),
            unit.actor.username,
            _silence(changes, notify_customer),
        )
        old_status = status.value if "status" in changes else None
        if "agent" in changes:
            notices.booking_assigned(
                unit.session,
                booking,
                previous,
                unit.settings,
                old_status=old_status,
                notify_customer=notify_customer,
            )
        if rescheduled:
            # A pending booking scheduled at a new time: its "scheduled" text already names the time.
            scheduled_now = old_status == BookingStatus.PENDING and booking.agent is not None
            notices.booking_rescheduled(
                unit.session, booking, unit.settings, notify_customer=notify_customer and not scheduled_now
            )
        return _view(unit.session, booking)


def _move_action(changes: dict[str, tuple[object, object]]) -> str:
    if "agent" not in changes:
        return "rescheduled"
    return "assigned" if changes["agent"][1] is not None else "unassigned"


def change_status(
    ctx: ServiceContext,
    booking_id: int,
    status: str | BookingStatus,
    *,
    reason: str | None = None,
    expect_version: int | None = None,
    notify_customer: bool = True,
) -> BookingView:
    """Without `notify_customer` only the agent is told, and the audit trail says who chose that."""
    new_status = parse_status(status) if isinstance(status, str) else status
    with ctx.writing(Permission.EDIT_UNASSIGNED_BOOKING) as unit:
        booking = _get(unit.session, booking_id)
        _require_edit(unit, booking)
        _check_version(unit, booking, expect_version)
        apply_status(unit, booking, new_status, reason=reason, notify_customer=notify_customer)
        return _view(unit.session, booking)


def apply_status(
    unit: Unit,
    booking: Booking,
    new_status: BookingStatus,
    *,
    reason: str | None = None,
    eta_minutes: int | None = None,
    notify_customer: bool = True,
) -> None:
    """The status move inside the caller's unit, checked against the one table, audited and told
    (permissions are the caller's: a person's command or an agent's text)."""
    old_status = BookingStatus(booking.status)
    allowed = allowed_next(old_status)
    if new_status not in allowed:
        options = ", ".join(s.value for s in allowed) or "none (it is final)"
        raise ConflictError(
            f"booking {booking_reference(booking.id)} cannot go from {old_status.value} to "
            f"{new_status.value}; allowed: {options}"
        )
    changes: dict[str, tuple[object, object]] = {"status": (old_status.value, new_status.value)}
    if new_status == BookingStatus.CANCELLED:
        clean_reason = validation.text(reason, "reason", validation.REASON_MAX)
        changes["cancel_reason"] = (booking.cancel_reason, clean_reason)
        booking.cancel_reason = clean_reason
    booking.status = new_status.value
    _touch(unit, booking)
    unit.session.flush()
    audit.record(
        unit.session, ENTITY, booking.id, "status", unit.actor.username, _silence(changes, notify_customer)
    )
    notices.booking_status_changed(
        unit.session,
        booking,
        old_status.value,
        unit.settings,
        eta_minutes=eta_minutes,
        notify_customer=notify_customer,
    )


def get_booking(ctx: ServiceContext, booking_id: int) -> BookingView:
    with ctx.reading() as unit:
        return _view(unit.session, _get(unit.session, booking_id))


def booking_history(ctx: ServiceContext, booking_id: int) -> list[AuditView]:
    get_booking(ctx, booking_id)
    return audit.history(ctx, ENTITY, booking_id)


@dataclass(frozen=True)
class BookingQuery:
    """What the bookings table or `booking list` shows. Empty fields do not filter."""

    text: str = ""
    statuses: tuple[str, ...] = ()
    agent_id: int | None = None
    unassigned: bool = False
    needs_reassignment: bool = False  # approved time off of the agent covers it
    source: str | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None
    sort: str = "start"
    descending: bool = False
    limit: int | None = None


SORT_COLUMNS = {
    "reference": Booking.id,
    "start": Booking.starts_at,
    "customer": Customer.name,
    "phone": Customer.phone,
    "address": Booking.address,
    "service": Booking.service,
    "agent": Agent.name,
    "status": Booking.status,
    "source": Booking.source,
}


def _text_match(text: str, indexed: bool) -> ColumnElement[bool]:
    """Bookings whose customer (name, phone digits), address, service or reference match `text`.

    `indexed` (PostgreSQL, every matching row wanted: the id list, the count): the customers are
    found first and go in as an array of ids (`= ANY(ARRAY(...))`), which lets the planner OR
    together the customer-id index and the trigram indexes of migration 0011 instead of reading
    and comparing every booking (147 ms instead of 1,737 ms for the id list at 100,000 bookings).
    Otherwise (SQLite, or a first page that stops after its rows) the customer is joined and each
    booking walked in order is compared, which ends as soon as the page is full.
    """
    like = f"%{text}%"
    by_customer: list[ColumnElement[bool]] = [Customer.name.ilike(like)]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3:
        by_customer.append(Customer.phone.like(f"%{digits}%"))
    if indexed:
        customers = select(Customer.id).where(or_(*by_customer)).scalar_subquery()
        conditions = [Booking.customer_id == any_(func.array(customers))]
    else:
        conditions = by_customer
    conditions += [Booking.address.ilike(like), Booking.service.ilike(like)]
    reference = parse_booking_reference(text)
    if reference is not None:
        conditions.append(Booking.id == reference)
    return or_(*conditions)


def _filtered(query: Select, q: BookingQuery, dialect: str) -> Select:
    # Join only what a filter or the sort reads: at a million rows the joins dominate.
    text = q.text.strip()
    indexed = dialect == "postgresql" and q.limit is None
    if (text and not indexed) or q.sort in ("customer", "phone"):
        query = query.join(Booking.customer)
    if q.sort == "agent":
        query = query.outerjoin(Booking.agent)
    if text:
        query = query.where(_text_match(text, indexed))
    if q.statuses:
        query = query.where(Booking.status.in_(q.statuses))
    if q.agent_id is not None:
        query = query.where(Booking.agent_id == q.agent_id)
    if q.unassigned:
        query = query.where(Booking.agent_id.is_(None))
    if q.needs_reassignment:
        query = query.where(schedule.needs_reassignment())
    if q.source:
        query = query.where(Booking.source == q.source)
    if q.start_from is not None:
        query = query.where(Booking.starts_at >= q.start_from)
    if q.start_to is not None:
        query = query.where(Booking.starts_at < q.start_to)
    return query


def _order(q: BookingQuery) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    try:
        column = SORT_COLUMNS[q.sort]
    except KeyError:
        raise ValidationError(f"cannot sort by {q.sort!r} (choose {', '.join(SORT_COLUMNS)})") from None
    direction = column.desc() if q.descending else column.asc()
    tie = Booking.id.desc() if q.descending else Booking.id.asc()
    return direction, tie


def _ordered(query: Select, q: BookingQuery) -> Select:
    query = query.order_by(*_order(q))
    return query.limit(q.limit) if q.limit else query


def booking_ids(ctx: ServiceContext, query: BookingQuery) -> list[int]:
    """Ids only, in display order."""
    return booking_id_array(ctx, query).tolist()


ID_STREAM_CHUNK = 10_000


def booking_id_array(
    ctx: ServiceContext, query: BookingQuery, stop: Callable[[], bool] | None = None
) -> array:
    """Ids in display order as 8-byte ints (8 MB for a million, where a list takes 39 MB).

    On SQLite streamed in chunks, so the whole result is never held as Python objects at once;
    `stop` is asked between chunks: when it says True (nobody wants this list any more) the
    stream ends early and what was read so far is returned. On PostgreSQL one packed value
    (`_packed_ids`). The bookings table holds these.
    """
    with ctx.reading() as unit:
        if unit.dialect == "postgresql":
            return _packed_ids(unit.session, query)
        ids = array("q")
        statement = _ordered(_filtered(select(Booking.id), query, unit.dialect), query)
        connection = unit.session.connection().execution_options(yield_per=ID_STREAM_CHUNK)
        for chunk in connection.execute(statement).scalars().partitions():
            ids.extend(chunk)
            if stop is not None and stop():
                break
    return ids


def _packed_ids(session: Session, query: BookingQuery) -> array:
    """PostgreSQL: the ids as one bytea of 8-byte big-endian ints, aggregated in display order.

    Streaming them row by row costs the worker 90 ms of Python (rows, then the garbage collector)
    at 100,000 bookings, and holding the GIL that long starves the UI thread's paint of a filter's
    first page; unpacking one value costs 3 ms.
    """
    packed = func.string_agg(
        func.int8send(cast(Booking.id, BigInteger)), aggregate_order_by(literal(b""), *_order(query))
    )
    ids = array("q")
    ids.frombytes(session.scalar(_filtered(select(packed), query, "postgresql")) or b"")
    if sys.byteorder == "little":
        ids.byteswap()
    return ids


def first_page(ctx: ServiceContext, query: BookingQuery, size: int) -> tuple[list[BookingView], bool]:
    """The first `size` bookings of the query (filter and sort applied by the database, LIMIT size).

    One short query whatever the table's size, so the table can show its first rows before the
    full id list arrives. The flag is True when these are all of them (fewer than `size`).
    """
    limited = replace(query, limit=size)
    with ctx.reading() as unit:
        statement = _ordered(_filtered(_marked(select(Booking)), limited, unit.dialect), limited)
        views = _views(unit.session, unit.session.execute(statement))
    return views, len(views) < size


def count_bookings(ctx: ServiceContext, query: BookingQuery) -> int:
    with ctx.reading() as unit:
        return unit.session.scalar(_filtered(select(func.count(Booking.id)), query, unit.dialect)) or 0


def bookings_by_ids(ctx: ServiceContext, ids: Sequence[int]) -> dict[int, BookingView]:
    with ctx.reading() as unit:
        rows = unit.session.execute(_marked(select(Booking).where(Booking.id.in_(list(ids)))))
        return {view.id: view for view in _views(unit.session, rows)}


def list_bookings(ctx: ServiceContext, query: BookingQuery | None = None) -> list[BookingView]:
    query = query or BookingQuery()
    with ctx.reading() as unit:
        statement = _ordered(_filtered(_marked(select(Booking)), query, unit.dialect), query)
        return _views(unit.session, unit.session.execute(statement))


def _marked(query: Select) -> Select:
    """`query` with each booking's needs-reassignment mark as a second column, in the same query."""
    return query.add_columns(schedule.needs_reassignment().label("needs_reassignment"))


@dataclass(frozen=True)
class AgentAvailability:
    agent_id: int
    agent_name: str
    state: str  # "free", "busy" or "time off"
    detail: str
    warnings: tuple[str, ...] = ()  # outside their hours or without the service's skill: "off Sat"


def availability(
    ctx: ServiceContext,
    start: datetime | str,
    end: datetime | str,
    *,
    exclude_booking_id: int | None = None,
    service: str = "",
) -> list[AgentAvailability]:
    """Every active agent, free first, with what keeps the others busy during start–end; within
    each, those in their hours and with the service's skill first."""
    with ctx.reading() as unit:
        starts_at, ends_at = unit.time(start, "start"), unit.time(end, "end")
        validation.interval(starts_at, ends_at)
        result = []
        required = required_skill(unit.session, service)
        query = select(Agent).where(Agent.active.is_(True)).order_by(Agent.name)
        for agent in unit.session.scalars(
            query.options(selectinload(Agent.hours), selectinload(Agent.skills))
        ):
            booked = schedule.overlapping_bookings(
                unit.session, agent.id, starts_at, ends_at, exclude_booking_id
            )
            off = schedule.overlapping_time_off(unit.session, agent.id, starts_at, ends_at)
            if off:
                state, detail = "time off", schedule.describe_time_off(off[0], unit.settings)
            elif booked:
                state, detail = "busy", schedule.describe_booking(booked[0], unit.settings)
            else:
                state, detail = "free", ""
            warned = fit(unit.session, unit.settings, agent, required, starts_at, ends_at).short
            result.append(AgentAvailability(agent.id, agent.name, state, detail, warned))
        order = {"free": 0, "busy": 1, "time off": 2}
        return sorted(result, key=lambda a: (order[a.state], bool(a.warnings)))
