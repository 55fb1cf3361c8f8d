"""Who gets which message, written in the same transaction as the change."""

from collections.abc import Callable

import pytest

from dispatch_desktop.config import Config
from dispatch_desktop.domain.errors import ConflictError
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import bookings, operators, timeoff
from dispatch_desktop.services import notices as events
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Booking, OutboxMessage
from tests.notify.helpers import CUSTOMER_EMAIL, CUSTOMER_PHONE, add_agent, add_booking, make_supervisor, rows


def who(db: Database, **where: object) -> set[tuple[str, str, str, str]]:
    return {(row.event, row.recipient_kind, row.channel, row.recipient) for row in rows(db, **where)}


def test_dispatcher_booking_with_agent_confirms_customer_and_tells_agent(
    db: Database, ctx: ServiceContext
) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    assert who(db) == {
        ("booking_created", "customer", "sms", CUSTOMER_PHONE),
        ("booking_created", "customer", "email", CUSTOMER_EMAIL),
        ("booking_created", "agent", "sms", "+13125550101"),
        ("booking_created", "agent", "email", "ann@example.com"),
    }
    confirmation = rows(db, recipient_kind="customer", channel="email")[0]
    assert confirmation.subject == "Booking Confirmation"
    assert confirmation.booking_id == booking.id
    assert confirmation.status == "queued"
    sms = rows(db, recipient_kind="customer", channel="sms")[0].body
    # Reference, service, local time in America/Chicago (09:00 local), address.
    reference = f"BK-{booking.id:06d}"
    assert (
        sms
        == f"Your booking is confirmed: {reference}, Boiler service on 2026-12-01 09:00 at 12 Elm Street, Chicago."
        " Reply STOP to opt out."  # the first text ever to this number
    )
    assert "text/html" not in confirmation.body and "<table" in (confirmation.html_body or "")


def test_call_center_booking_confirms_the_customer_only(db: Database, ctx: ServiceContext) -> None:
    add_booking(ctx, call_center=True)
    assert who(db) == {
        ("booking_created", "customer", "sms", CUSTOMER_PHONE),
        ("booking_created", "customer", "email", CUSTOMER_EMAIL),
    }


def test_a_missing_email_is_a_recorded_skip_not_an_error(
    db: Database, ctx: ServiceContext, log_lines: Callable[[], list[str]]
) -> None:
    add_booking(ctx, email=None, call_center=True)
    skipped = rows(db, status="skipped")
    assert [(r.channel, r.recipient, r.last_error) for r in skipped] == [
        ("email", "", "no email address on file")
    ]
    report = deliver_due(db, Config(), worker_id="t")
    assert report.skipped == 1
    assert (
        "[DEV] EMAIL skipped - To: Carla Customer (customer), Reason: no email address on file" in log_lines()
    )
    deliver_due(db, Config(), worker_id="t")
    assert sum("skipped" in line for line in log_lines()) == 1


def test_reassignment_tells_the_new_agent_and_the_previous_one(db: Database, ctx: ServiceContext) -> None:
    ann, bob = add_agent(ctx), add_agent(ctx, "Bob Tech", "312-555-0102")
    booking = add_booking(ctx, agent_id=ann.id)
    created = {row.id for row in rows(db)}
    bookings.assign_booking(ctx, booking.id, bob.id)
    new = {(r.event, r.recipient_kind, r.channel, r.recipient) for r in rows(db) if r.id not in created}
    assert new == {
        ("booking_assigned", "agent", "sms", "+13125550102"),
        ("booking_assigned", "agent", "email", "bob@example.com"),
        ("booking_unassigned", "agent", "sms", "+13125550101"),
        ("booking_unassigned", "agent", "email", "ann@example.com"),
    }
    unassigned = rows(db, event="booking_unassigned", channel="sms")[0]
    assert "no longer assigned to you" in unassigned.body


def test_status_change_updates_customer_and_assigned_agent(db: Database, ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    bookings.change_status(ctx, booking.id, "en_route")
    changed = rows(db, event="booking_status_changed")
    assert {(r.recipient_kind, r.channel) for r in changed} == {
        ("customer", "sms"),
        ("customer", "email"),
        ("agent", "sms"),
        ("agent", "email"),
    }
    assert all("en route" in r.body for r in changed)


def test_a_new_time_tells_customer_and_agent(db: Database, ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    bookings.update_booking(ctx, booking.id, start="2026-12-01 14:00", end="2026-12-01 15:00")
    moved = rows(db, event="booking_rescheduled")
    assert {(r.recipient_kind, r.channel) for r in moved} == {
        ("customer", "sms"),
        ("customer", "email"),
        ("agent", "sms"),
        ("agent", "email"),
    }
    assert all("2026-12-01 14:00" in r.body for r in moved)
    assert all("|v2|" in r.dedupe_key for r in moved)


def test_time_off_request_reaches_each_active_reachable_dispatcher(db: Database, ctx: ServiceContext) -> None:
    make_supervisor(ctx)
    operators.add_operator(ctx, name="Dana Desk", username="dana", role="dispatcher", phone="312-555-0150")
    operators.add_operator(ctx, name="Eve Desk", username="eve", role="dispatcher", email="eve@example.com")
    operators.add_operator(ctx, name="Nobody Reach", username="nobody", role="dispatcher")
    gone = operators.add_operator(
        ctx, name="Old Desk", username="old", role="dispatcher", phone="312-555-0151"
    )
    operators.set_operator_active(ctx, gone.id, False)
    agent = add_agent(ctx)
    request = timeoff.request_time_off(
        ctx, agent_id=agent.id, start="2026-12-02 00:00", end="2026-12-03 00:00", reason="Dentist"
    )
    got = {(r.recipient_name, r.channel, r.status) for r in rows(db, time_off_id=request.id)}
    assert got == {
        ("Dana Desk", "sms", "queued"),
        ("Dana Desk", "email", "skipped"),
        ("Eve Desk", "sms", "skipped"),
        ("Eve Desk", "email", "queued"),
    }
    email = rows(db, time_off_id=request.id, channel="email", status="queued")[0]
    assert email.subject == "Time-off Approval Needed: Ann Field"


def test_without_reachable_dispatchers_supervisors_hear_of_the_request(
    db: Database, ctx: ServiceContext
) -> None:
    operators.add_operator(
        ctx, name="Sue Pervisor", username=ctx.username, role="supervisor", email="sue@example.com"
    )
    operators.add_operator(ctx, name="Mute Desk", username="mute", role="dispatcher")
    agent = add_agent(ctx)
    request = timeoff.request_time_off(
        ctx, agent_id=agent.id, start="2026-12-02 00:00", end="2026-12-03 00:00"
    )
    got = {(r.recipient_name, r.channel, r.status) for r in rows(db, time_off_id=request.id)}
    assert got == {("Sue Pervisor", "email", "queued"), ("Sue Pervisor", "sms", "skipped")}


def test_unassigning_tells_the_previous_agent_only(db: Database, ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    created = {row.id for row in rows(db)}
    bookings.assign_booking(ctx, booking.id, None)
    new = {(r.event, r.recipient_kind, r.channel) for r in rows(db) if r.id not in created}
    assert new == {("booking_unassigned", "agent", "sms"), ("booking_unassigned", "agent", "email")}


@pytest.mark.parametrize(("decide", "word"), [("approve", "approved"), ("deny", "denied")])
def test_time_off_decision_tells_the_agent(db: Database, ctx: ServiceContext, decide: str, word: str) -> None:
    agent = add_agent(ctx)
    request = timeoff.request_time_off(
        ctx, agent_id=agent.id, start="2026-12-02 00:00", end="2026-12-03 00:00"
    )
    if decide == "approve":
        timeoff.approve_time_off(ctx, request.id)
    else:
        timeoff.deny_time_off(ctx, request.id, reason="short staffed")
    decided = rows(db, event="time_off_decided")
    assert {(r.recipient, r.channel) for r in decided} == {
        ("+13125550101", "sms"),
        ("ann@example.com", "email"),
    }
    assert all(word in r.body for r in decided)


def test_the_time_off_decision_names_the_person_who_decided_not_their_username(
    db: Database, ctx: ServiceContext
) -> None:
    make_supervisor(ctx)
    operators.add_operator(ctx, name="Åsa Lindqvist", username="asa", role="supervisor")
    agent = add_agent(ctx)
    request = timeoff.request_time_off(
        ctx, agent_id=agent.id, start="2026-12-02 00:00", end="2026-12-03 00:00"
    )
    timeoff.approve_time_off(ServiceContext(db, "asa"), request.id)
    [email] = rows(db, event="time_off_decided", channel="email")
    assert f"Your time-off request TO-{request.id:06d} was approved by Åsa Lindqvist." in email.body
    assert "approved</strong> by Åsa Lindqvist." in (email.html_body or "")
    assert "asa" not in email.body.replace("Åsa", "")


def test_a_refused_change_queues_nothing(db: Database, ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    before = len(rows(db))
    with pytest.raises(ConflictError):
        add_booking(ctx, agent_id=agent.id, phone="312-555-0177", start="09:30", end="10:30")
    assert len(rows(db)) == before


def test_a_repeated_event_never_queues_a_second_copy(db: Database, ctx: ServiceContext) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    settings = ctx.team_settings()
    with db.write() as session:
        row = session.get(Booking, booking.id)
        assert row is not None
        events.booking_created(session, row, settings)
        events.booking_created(session, row, settings)
    assert len(rows(db)) == 4
    keys = [row.dedupe_key for row in rows(db)]
    assert len(set(keys)) == 4
    assert all(f"booking:{booking.id}|v1|" in key for key in keys)


def test_rows_roll_back_with_the_change(db: Database, ctx: ServiceContext) -> None:
    booking = add_booking(ctx, call_center=True)
    settings = ctx.team_settings()
    with pytest.raises(RuntimeError), db.write() as session:
        row = session.get(Booking, booking.id)
        assert row is not None
        row.service = "Changed"
        events.booking_rescheduled(session, row, settings)
        assert session.query(OutboxMessage).filter_by(event="booking_rescheduled").count() == 2
        raise RuntimeError("the change failed after queuing")
    assert rows(db, event="booking_rescheduled") == []
