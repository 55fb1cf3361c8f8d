"""Who a booking's messages did not reach: the booking's JSON, `booking notices`, the count."""

import json
from datetime import UTC, datetime

import pytest

from dispatch_desktop.services import bookings, reach
from dispatch_desktop.services.booking_notices import booking_notices
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import add_agent, add_booking
from tests.core.receipts import message_ids, put_failure, put_receipt

UNREACHABLE = "30003 phone unreachable (off or out of coverage)"
INVALID = "Twilio HTTP 400 21211: The 'To' number is not a valid phone number. (invalid number)"


def test_a_booking_whose_texts_all_arrived_has_nobody_unreached(ctx: ServiceContext, db: Database) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    for message_id in message_ids(db, booking.id, "agent") + message_ids(db, booking.id, "customer"):
        put_receipt(db, message_id, "delivered")
    assert bookings.get_booking(ctx, booking.id).to_json()["unreached"] == []


def test_an_undelivered_agent_text_and_a_failed_customer_text_are_unreached(
    ctx: ServiceContext, db: Database
) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    put_receipt(db, message_ids(db, booking.id, "agent")[-1], "undelivered", 30003)
    put_failure(db, message_ids(db, booking.id, "customer")[-1], INVALID)

    expected = [
        {"recipient_kind": "customer", "channel": "sms", "reason": INVALID},
        {"recipient_kind": "agent", "channel": "sms", "reason": UNREACHABLE},
    ]
    shown = bookings.get_booking(ctx, booking.id).to_json()["unreached"]
    assert sorted(shown, key=lambda u: u["recipient_kind"], reverse=True) == expected
    listed = bookings.list_bookings(ctx)
    assert [json.loads(json.dumps(b.to_json()))["unreached"] for b in listed] == [shown]
    assert bookings.bookings_by_ids(ctx, [booking.id])[booking.id].to_json()["unreached"] == shown
    first, _complete = bookings.first_page(ctx, bookings.BookingQuery(), 10)
    assert first[0].unreached == bookings.get_booking(ctx, booking.id).unreached
    agent_line = next(u for u in first[0].unreached if u.recipient_kind == "agent")
    assert agent_line.describe() == f"agent Ann Field (SMS): {UNREACHABLE}: phone the agent"


def test_a_later_delivered_text_to_the_same_person_clears_it(ctx: ServiceContext, db: Database) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    put_receipt(db, message_ids(db, booking.id, "agent")[-1], "undelivered", 30003)
    assert [u.recipient_kind for u in bookings.get_booking(ctx, booking.id).unreached] == ["agent"]

    moved = bookings.reschedule_booking(ctx, booking.id, start="2026-12-01 11:00", end="2026-12-01 12:00")
    assert [u.recipient_kind for u in moved.unreached] == []  # the reschedule text is on its way
    put_receipt(db, message_ids(db, booking.id, "agent")[-1], "delivered")
    assert bookings.get_booking(ctx, booking.id).unreached == ()


def test_one_booking_s_failures_stay_on_that_booking(ctx: ServiceContext, db: Database) -> None:
    agent = add_agent(ctx)
    missed = add_booking(ctx, agent_id=agent.id)
    fine = add_booking(ctx, "13:00", "14:00", agent_id=agent.id, name="Dan Other", phone="312-555-0188")
    put_receipt(db, message_ids(db, missed.id, "agent")[-1], "failed", 30008)
    views = {b.id: b for b in bookings.list_bookings(ctx)}
    assert [u.reason for u in views[missed.id].unreached] == ["30008 unknown error"]
    assert views[fine.id].unreached == ()


def test_the_status_bar_counts_bookings_not_over_yet(ctx: ServiceContext, db: Database) -> None:
    agent = add_agent(ctx)
    first = add_booking(ctx, agent_id=agent.id)
    second = add_booking(ctx, "13:00", "14:00", agent_id=agent.id, name="Dan Other", phone="312-555-0188")
    put_receipt(db, message_ids(db, first.id, "agent")[-1], "undelivered", 30003)
    put_failure(db, message_ids(db, second.id, "customer")[-1], INVALID)
    put_failure(db, message_ids(db, second.id, "agent")[-1], INVALID)
    morning = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert reach.bookings_not_reached(ctx, morning) == 2
    assert reach.bookings_not_reached(ctx, second.end) == 0  # both are over


def test_booking_notices_lists_every_notification_with_what_became_of_it(
    ctx: ServiceContext, db: Database
) -> None:
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    put_receipt(db, message_ids(db, booking.id, "agent")[-1], "undelivered", 30003)
    notices = booking_notices(ctx, booking.id)
    assert [n.id for n in notices] == sorted(n.id for n in notices)
    missed = [n.to_json() for n in notices if n.not_reached]
    assert len(missed) == 1
    assert missed[0] | {"id": 0, "created_at": "", "sent_at": "", "event": ""} == {
        "id": 0,
        "event": "",
        "channel": "sms",
        "recipient_kind": "agent",
        "recipient_name": "Ann Field",
        "recipient": "+13125550101",
        "status": "sent",
        "delivery": "undelivered",
        "reason": UNREACHABLE,
        "not_reached": True,
        "created_at": "",
        "sent_at": "",
        "advice": "phone the agent",
    }


def test_booking_notices_of_a_booking_that_does_not_exist_is_refused(ctx: ServiceContext) -> None:
    from dispatch_desktop.domain.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no booking with id 99"):
        booking_notices(ctx, 99)


def test_the_outbox_filters_by_delivery(ctx: ServiceContext, db: Database) -> None:
    from dispatch_desktop.domain.errors import ValidationError
    from dispatch_desktop.services import outbox

    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    [agent_sms] = message_ids(db, booking.id, "agent")
    [customer_sms] = message_ids(db, booking.id, "customer")
    put_receipt(db, agent_sms, "undelivered", 30003)
    put_receipt(db, customer_sms, "delivered")
    assert [v.id for v in outbox.list_outbox(ctx, delivery="undelivered")] == [agent_sms]
    assert outbox.count_outbox(ctx, delivery="delivered") == 1
    assert outbox.count_outbox(ctx, delivery="pending") == 0
    with pytest.raises(
        ValidationError, match="unknown delivery 'lost' \\(one of pending, delivered, undelivered, failed\\)"
    ):
        outbox.list_outbox(ctx, delivery="lost")
