from datetime import UTC, datetime

import pytest

from dispatch_desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StaleVersionError,
    ValidationError,
)
from dispatch_desktop.services import bookings, operators, timeoff
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import DAY, add_agent, add_booking, row_counts


def test_booking_with_an_agent_is_scheduled_and_stored_in_utc(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    assert booking.status == "scheduled"
    assert booking.agent_name == "Ann Field"
    # 09:00 in Chicago on 1 December is 15:00 UTC.
    assert booking.start == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert booking.customer_phone == "+13125550199"
    assert booking.reference == f"BK-{booking.id:06d}"
    assert booking.version == 1


def test_call_center_booking_starts_pending_without_agent(ctx: ServiceContext) -> None:
    booking = add_booking(ctx, call_center=True)
    assert (booking.status, booking.agent_id, booking.source) == ("pending", None, "call-center")


def test_call_center_booking_with_an_agent_is_refused(ctx: ServiceContext, db: Database) -> None:
    agent = add_agent(ctx)
    before = row_counts(db)
    with pytest.raises(ValidationError, match="call-center booking starts without an agent"):
        add_booking(ctx, agent_id=agent.id, call_center=True)
    assert row_counts(db) == before


def test_existing_customer_is_reused_by_phone(ctx: ServiceContext) -> None:
    first = add_booking(ctx, "09:00", "10:00", phone="(312) 555-0199")
    second = add_booking(ctx, "11:00", "12:00", phone="+1 312 555 0199")
    assert first.customer_id == second.customer_id


def test_overlapping_assignment_is_refused_naming_the_booking(ctx: ServiceContext, db: Database) -> None:
    agent = add_agent(ctx)
    first = add_booking(ctx, "09:00", "10:00", agent_id=agent.id)
    before = row_counts(db)
    with pytest.raises(ConflictError, match=f"Ann Field is already booked: {first.reference}") as refused:
        add_booking(ctx, "09:30", "10:30", agent_id=agent.id, phone="312-555-0142")
    assert refused.value.field == "agent"  # a form shows it by the agent picker, without reading the text
    assert row_counts(db) == before


def test_back_to_back_bookings_do_not_overlap(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    add_booking(ctx, "09:00", "10:00", agent_id=agent.id)
    assert add_booking(ctx, "10:00", "11:00", agent_id=agent.id).status == "scheduled"


def test_cancelled_booking_frees_the_agent(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    first = add_booking(ctx, "09:00", "10:00", agent_id=agent.id)
    bookings.change_status(ctx, first.id, "cancelled", reason="customer called off")
    assert add_booking(ctx, "09:00", "10:00", agent_id=agent.id).status == "scheduled"


def test_assignment_inside_approved_time_off_is_refused(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    off = timeoff.request_time_off(ctx, agent_id=agent.id, start=f"{DAY} 08:00", end=f"{DAY} 12:00")
    timeoff.approve_time_off(ctx, off.id)
    pending = add_booking(ctx, call_center=True)
    with pytest.raises(ConflictError, match=f"approved time off #{off.id}") as refused:
        bookings.assign_booking(ctx, pending.id, agent.id)
    assert refused.value.field == "agent"
    assert bookings.get_booking(ctx, pending.id).status == "pending"


def test_assigning_a_pending_booking_schedules_it(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    pending = add_booking(ctx, call_center=True)
    assigned = bookings.assign_booking(ctx, pending.id, agent.id, expect_version=pending.version)
    assert (assigned.status, assigned.agent_id, assigned.version) == ("scheduled", agent.id, 2)


def test_illegal_transition_lists_the_allowed_ones(ctx: ServiceContext) -> None:
    booking = add_booking(ctx, agent_id=add_agent(ctx).id)
    with pytest.raises(
        ConflictError,
        match="cannot go from scheduled to completed; allowed: confirmed, en_route, cancelled, no_show",
    ):
        bookings.change_status(ctx, booking.id, "completed")


def test_cancelling_needs_a_reason(ctx: ServiceContext) -> None:
    booking = add_booking(ctx)
    with pytest.raises(ValidationError, match="reason must not be empty"):
        bookings.change_status(ctx, booking.id, "cancelled", reason="  ")
    assert bookings.get_booking(ctx, booking.id).status == "pending"


def test_stale_version_names_who_changed_it(ctx: ServiceContext) -> None:
    booking = add_booking(ctx, agent_id=add_agent(ctx).id)
    bookings.change_status(ctx, booking.id, "confirmed", expect_version=1)
    with pytest.raises(StaleVersionError, match=r"changed by boss at \d{4}-\d\d-\d\d \d\d:\d\d .*; reload"):
        bookings.change_status(ctx, booking.id, "en_route", expect_version=1)
    assert bookings.get_booking(ctx, booking.id).status == "confirmed"


def test_audit_trail_records_who_changed_what(ctx: ServiceContext) -> None:
    booking = add_booking(ctx, agent_id=add_agent(ctx).id)
    bookings.change_status(ctx, booking.id, "confirmed")
    history = bookings.booking_history(ctx, booking.id)
    assert [(h.action, h.field, h.old_value, h.new_value, h.actor) for h in history][-1] == (
        "status",
        "status",
        "scheduled",
        "confirmed",
        "boss",
    )


def test_reschedule_checks_the_agents_day(ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    add_booking(ctx, "09:00", "10:00", agent_id=agent.id)
    later = add_booking(ctx, "11:00", "12:00", agent_id=agent.id, phone="312-555-0142")
    with pytest.raises(ConflictError, match="already booked"):
        bookings.update_booking(ctx, later.id, start=f"{DAY} 09:30", end=f"{DAY} 10:30")
    moved = bookings.update_booking(ctx, later.id, start=f"{DAY} 13:00", end=f"{DAY} 14:00")
    assert moved.start == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def test_unknown_ids_are_clear(ctx: ServiceContext) -> None:
    with pytest.raises(NotFoundError, match="no booking with id 999"):
        bookings.get_booking(ctx, 999)
    booking = add_booking(ctx)
    with pytest.raises(NotFoundError, match="no agent with id 42"):
        bookings.assign_booking(ctx, booking.id, 42)


def test_roles_are_enforced_by_the_services(db: Database, ctx: ServiceContext) -> None:
    operators.add_operator(ctx, name="Boss", username="boss", role="supervisor")
    operators.add_operator(ctx, name="Cal Center", username="cal", role="call-center")
    agent = add_agent(ctx)
    cal = ServiceContext(db, "cal")
    booking = add_booking(cal)
    assert booking.source == "call-center"
    with pytest.raises(
        PermissionDeniedError, match=r"cal \(call-center\) may not assign and manage bookings"
    ):
        bookings.assign_booking(cal, booking.id, agent.id)
    with pytest.raises(PermissionDeniedError):
        add_booking(cal, "13:00", "14:00", agent_id=agent.id)
    with pytest.raises(PermissionDeniedError, match="unknown operator 'mallory'"):
        add_booking(ServiceContext(db, "mallory"))


def test_search_finds_by_reference_phone_customer_and_address(ctx: ServiceContext) -> None:
    first = add_booking(ctx, "09:00", "10:00", name="Dora Diaz", phone="312-555-0142")
    add_booking(ctx, "11:00", "12:00", name="Eve Evans", phone="312-555-0177")

    def find(text: str) -> list[int]:
        return bookings.booking_ids(ctx, bookings.BookingQuery(text=text))

    assert find(first.reference) == [first.id]
    assert find("555-0142") == [first.id]
    assert find("dora") == [first.id]
    assert len(find("elm street")) == 2
