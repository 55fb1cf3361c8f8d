"""Two-way SMS (issue 15): every row of the keyword table, who may use which word, and exactly once."""

import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dispatch_desktop.domain.errors import WrongEnvironmentError
from dispatch_desktop.domain.inbound import InboundSms
from dispatch_desktop.services import bookings, inbound, inbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import AuditEntry, InboundMessage, OutboxMessage, SmsSuppression
from tests.core.helpers import add_agent, add_booking

CARLA = "+13125550199"  # tests.core.helpers.add_booking's customer
ANN = "+13125550101"  # add_agent's phone
STRANGER = "+13125550188"
# 06:00 in Chicago on the helpers' day: their bookings (09:00 local) are ahead, and today.
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def text(ctx: ServiceContext, sender: str, body: str, now: datetime = NOW) -> inbound.Applied:
    applied = inbound.apply_inbound(
        ctx, InboundSms("SM" + uuid.uuid4().hex, sender, "+15005550006", body, now), now
    )
    assert applied is not None
    return applied


def two_way(ctx: ServiceContext, on: bool = True) -> None:
    update_team_settings(ctx, two_way_sms=on)


def audit_actors(db: Database) -> list[tuple[str, str, str | None]]:
    with db.read() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(row.action, row.actor, row.new_value) for row in rows]


def outbox_texts(db: Database, event: str | None = None) -> list[tuple[str, str, str]]:
    with db.read() as session:
        query = select(OutboxMessage).where(OutboxMessage.channel == "sms").order_by(OutboxMessage.id)
        if event:
            query = query.where(OutboxMessage.event == event)
        return [(row.event, row.recipient, row.body) for row in session.scalars(query)]


def suppressed(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {row.phone: row.reason for row in session.scalars(select(SmsSuppression))}


def stored(db: Database) -> list[InboundMessage]:
    with db.read() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


@pytest.mark.parametrize(
    "word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end.", " quit ", "REVOKE!", "optout"]
)
def test_every_stop_word_suppresses_the_number_at_once_and_cancel_cancels_nothing(
    ctx: ServiceContext, db: Database, word: str
) -> None:
    ann = add_agent(ctx)
    booking = add_booking(ctx, agent_id=ann.id)
    applied = text(ctx, CARLA, word)
    assert suppressed(db) == {CARLA: "replied STOP"}
    assert applied.action == "suppressed: replied STOP" and applied.read
    assert bookings.get_booking(ctx, booking.id).status == "scheduled"  # CANCEL is an opt-out word only
    assert ("suppressed", f"customer {CARLA} by SMS", "replied STOP") in audit_actors(db)


@pytest.mark.parametrize("word", ["START", "unstop", "Yes"])
def test_start_words_lift_the_suppression_audited(ctx: ServiceContext, db: Database, word: str) -> None:
    text(ctx, STRANGER, "STOP")
    applied = text(ctx, STRANGER, word)
    assert suppressed(db) == {}
    assert applied.action == "suppression lifted: replied START"
    assert ("unsuppressed", f"unknown {STRANGER} by SMS", STRANGER) in audit_actors(db)


@pytest.mark.parametrize("word", ["HELP", "info?"])
def test_help_is_recorded_and_answered_by_the_provider(ctx: ServiceContext, db: Database, word: str) -> None:
    applied = text(ctx, STRANGER, word)
    assert applied.action == "HELP: recorded (the provider answers it)"
    assert outbox_texts(db) == []


@pytest.mark.parametrize("word", ["C", "confirm", "c."])
def test_a_customers_c_confirms_their_next_scheduled_booking(
    ctx: ServiceContext, db: Database, word: str
) -> None:
    two_way(ctx)
    ann = add_agent(ctx)
    later = add_booking(ctx, "11:00", "12:00", agent_id=ann.id)
    sooner = add_booking(ctx, "09:00", "10:00", agent_id=ann.id)
    applied = text(ctx, CARLA, word)
    assert bookings.get_booking(ctx, sooner.id).status == "confirmed"
    assert bookings.get_booking(ctx, later.id).status == "scheduled"
    assert applied.action == f"confirmed {sooner.reference}" and applied.read
    assert applied.booking_id == sooner.id
    assert ("status", f"customer {CARLA} by SMS", "confirmed") in audit_actors(db)
    told = outbox_texts(db, "booking_status_changed")
    assert (
        "booking_status_changed",
        CARLA,
        f"Your booking {sooner.reference} (Boiler service, 2026-12-01 09:00) is now confirmed.",
    ) in told


def test_a_c_with_nothing_to_confirm_is_answered_and_lands_unread(ctx: ServiceContext, db: Database) -> None:
    two_way(ctx)
    add_booking(ctx)  # pending: no agent, so nothing scheduled to confirm
    applied = text(ctx, CARLA, "C")
    assert not applied.read
    assert applied.action == "could not confirm: no scheduled booking ahead (answered by SMS)"
    assert outbox_texts(db, "inbound_reply") == [
        ("inbound_reply", CARLA, "No booking to confirm. Please call us.")
    ]


def test_r_flags_the_booking_on_its_json_and_in_the_inbox(ctx: ServiceContext, db: Database) -> None:
    two_way(ctx)
    booking = add_booking(ctx)
    applied = text(ctx, CARLA, "R please, Tuesday is bad")
    view = bookings.get_booking(ctx, booking.id)
    assert (
        view.reschedule_requested_at == NOW and view.to_json()["reschedule_requested_at"] == NOW.isoformat()
    )
    assert applied.action == f"{booking.reference}: customer asks to reschedule" and not applied.read
    message = inbox.get_message(ctx, applied.id)
    assert message.reschedule_requested and message.booking_reference == booking.reference
    assert ("reschedule asked", f"customer {CARLA} by SMS", NOW.isoformat()) in audit_actors(db)
    # A new time answers the request.
    bookings.reschedule_booking(ctx, booking.id, start="2026-12-02 09:00", end="2026-12-02 10:00")
    assert bookings.get_booking(ctx, booking.id).reschedule_requested_at is None


def test_an_agents_day_with_1_2_and_3(ctx: ServiceContext, db: Database) -> None:
    two_way(ctx)
    ann = add_agent(ctx)
    first = add_booking(ctx, "09:00", "10:00", agent_id=ann.id)
    second = add_booking(ctx, "11:00", "12:00", agent_id=ann.id, phone="312-555-0177", name="Dora Customer")
    assert text(ctx, ANN, "omw 15").action == f"{first.reference} en route (about 15 minutes)"
    customer_text = [body for _, to, body in outbox_texts(db, "booking_status_changed") if to == CARLA]
    assert customer_text == [
        f"Your booking {first.reference} (Boiler service, 2026-12-01 09:00) is now en route. "
        "Your technician is on the way: about 15 minutes."
    ]
    assert text(ctx, ANN, "2").action == f"{first.reference} in progress"
    assert text(ctx, ANN, "DONE").action == f"{first.reference} completed"
    assert text(ctx, ANN, "1").action == f"{second.reference} en route"
    assert bookings.get_booking(ctx, first.id).status == "completed"
    assert bookings.get_booking(ctx, second.id).status == "en_route"
    actors = {actor for action, actor, _ in audit_actors(db) if action == "status"}
    assert actors == {"agent Ann Field by SMS"}


def test_an_agent_move_the_table_forbids_is_answered_with_what_works(
    ctx: ServiceContext, db: Database
) -> None:
    two_way(ctx)
    ann = add_agent(ctx)
    booking = add_booking(ctx, agent_id=ann.id)
    applied = text(ctx, ANN, "3")
    assert not applied.read and bookings.get_booking(ctx, booking.id).status == "scheduled"
    (reply,) = outbox_texts(db, "inbound_reply")
    assert reply == (
        "inbound_reply",
        ANN,
        f"{booking.reference} is scheduled; it cannot go to completed. "
        "Text 1 or OMW [minutes] when on the way, 2 when you start, 3 or DONE when finished.",
    )


def test_an_agent_with_no_booking_today_is_answered(ctx: ServiceContext, db: Database) -> None:
    two_way(ctx)
    add_agent(ctx)
    applied = text(ctx, ANN, "1")
    assert applied.action == "could not apply: no booking today (answered by SMS)"
    assert outbox_texts(db, "inbound_reply")[0][2].startswith("No booking of yours today.")


def test_agent_keywords_from_another_phone_are_plain_text(ctx: ServiceContext, db: Database) -> None:
    two_way(ctx)
    ann = add_agent(ctx)
    booking = add_booking(ctx, agent_id=ann.id)
    for sender in (CARLA, STRANGER):
        applied = text(ctx, sender, "1")
        assert applied.action == "plain text" and not applied.read
    assert bookings.get_booking(ctx, booking.id).status == "scheduled"
    assert outbox_texts(db, "inbound_reply") == []
    # The customer's plain text is linked to the booking; the stranger's to nothing.
    assert [m.booking_id for m in stored(db)] == [booking.id, None]


def test_plain_text_lands_unread_linked_to_the_nearest_active_booking(
    ctx: ServiceContext, db: Database
) -> None:
    ann = add_agent(ctx)
    add_booking(ctx, "16:00", "17:00", agent_id=ann.id)
    near = add_booking(ctx, "07:00", "08:00", agent_id=ann.id)
    applied = text(ctx, CARLA, "Is the gate code still needed?")
    assert (applied.action, applied.read, applied.booking_id) == ("plain text", False, near.id)
    assert inbox.unread_count(ctx) == 1


def test_with_two_way_sms_off_keywords_are_plain_text_but_stop_still_acts(
    ctx: ServiceContext, db: Database
) -> None:
    ann = add_agent(ctx)
    booking = add_booking(ctx, agent_id=ann.id)
    assert text(ctx, CARLA, "C").action == "plain text"
    assert text(ctx, ANN, "1").action == "plain text"
    assert bookings.get_booking(ctx, booking.id).status == "scheduled"
    assert outbox_texts(db, "inbound_reply") == []
    text(ctx, CARLA, "STOP")
    assert CARLA in suppressed(db)


def test_a_message_is_stored_and_applied_once_by_its_sid(ctx: ServiceContext, db: Database) -> None:
    two_way(ctx)
    ann = add_agent(ctx)
    add_booking(ctx, agent_id=ann.id)
    message = InboundSms("SMonce", CARLA, "+15005550006", "C", NOW)
    assert inbound.apply_inbound(ctx, message, NOW) is not None
    assert inbound.apply_inbound(ctx, message, NOW) is None
    assert len(stored(db)) == 1
    assert [a for a in audit_actors(db) if a[0] == "status"] == [
        ("status", f"customer {CARLA} by SMS", "confirmed")
    ]


class ListedTexts:
    """An InboundSource over a fixed list, remembering what it was asked."""

    def __init__(self, *messages: InboundSms) -> None:
        self.messages = list(messages)
        self.asked: list[datetime] = []

    def messages_since(self, after: datetime) -> list[InboundSms]:
        self.asked.append(after)
        return [m for m in self.messages if m.received_at >= after]


def test_two_pulls_at_once_apply_each_message_once(db: Database, database_url: str) -> None:
    ctx = ServiceContext(db, "boss")
    two_way(ctx)
    ann = add_agent(ctx)
    booking = add_booking(ctx, agent_id=ann.id)
    source = ListedTexts(
        InboundSms("SMa", CARLA, "+1", "C", NOW - timedelta(minutes=3)),
        InboundSms("SMb", ANN, "+1", "1 10", NOW - timedelta(minutes=2)),
        InboundSms("SMc", STRANGER, "+1", "hello?", NOW - timedelta(minutes=1)),
    )
    workstations = [Database(database_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    reports: list[inbound.InboundReport] = []

    def pull(index: int) -> None:
        barrier.wait()
        reports.append(inbound.pull_inbound(ServiceContext(workstations[index], "boss"), source, NOW))

    threads = [threading.Thread(target=pull, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for workstation in workstations:
        workstation.dispose()
    assert [r.error for r in reports] == [None, None]
    assert sorted(a.sid for r in reports for a in r.applied) == ["SMa", "SMb", "SMc"]
    assert sum(r.already_stored for r in reports) == 3
    assert [m.sid for m in stored(db)] == ["SMa", "SMb", "SMc"]
    assert bookings.get_booking(ctx, booking.id).status == "en_route"
    statuses = [new for action, _, new in audit_actors(db) if action == "status"]
    assert statuses == ["confirmed", "en_route"]


def test_a_crash_while_applying_stores_nothing_and_the_next_pull_applies_once(
    ctx: ServiceContext, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_way(ctx)
    ann = add_agent(ctx)
    booking = add_booking(ctx, agent_id=ann.id)
    source = ListedTexts(
        InboundSms("SMfirst", STRANGER, "+1", "hi", NOW - timedelta(minutes=2)),
        InboundSms("SMc", CARLA, "+1", "C", NOW - timedelta(minutes=1)),
        InboundSms("SMlast", STRANGER, "+1", "still there?", NOW),
    )
    real = bookings.apply_status

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(inbound, "apply_status", crash)
    report = inbound.pull_inbound(ctx, source, NOW)
    assert [a.sid for a in report.applied] == ["SMfirst"]
    assert report.error is not None and "SMc" in report.error and "power cut" in report.error
    assert [m.sid for m in stored(db)] == ["SMfirst"]  # neither the C nor anything after it
    assert bookings.get_booking(ctx, booking.id).status == "scheduled"

    monkeypatch.setattr(inbound, "apply_status", real)
    report = inbound.pull_inbound(ctx, source, NOW)
    assert source.asked[-1] == NOW - timedelta(minutes=2) - inbound.OVERLAP
    assert ([a.sid for a in report.applied], report.already_stored, report.error) == (
        ["SMc", "SMlast"],
        1,
        None,
    )
    assert bookings.get_booking(ctx, booking.id).status == "confirmed"
    again = inbound.pull_inbound(ctx, source, NOW)
    assert (again.applied, again.already_stored) == ([], 3)
    assert [new for action, _, new in audit_actors(db) if action == "status"] == ["confirmed"]


def test_the_first_pull_reads_one_day_back(ctx: ServiceContext) -> None:
    source = ListedTexts()
    inbound.pull_inbound(ctx, source, NOW)
    assert source.asked == [NOW - inbound.FIRST_PULL]


def test_simulate_inbound_runs_the_pipeline_and_logs_the_received_line(
    ctx: ServiceContext, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dispatch_desktop.notify"):
        applied = inbound.simulate_inbound(ctx, "312-555-0188", "STOP")
    assert applied.action == "suppressed: replied STOP"
    assert suppressed(db) == {STRANGER: "replied STOP"}
    assert "[DEV] SMS received - From: +13125550188, Message: STOP" in caplog.messages


def test_simulate_inbound_is_refused_in_production(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_ENV", "production")
    with pytest.raises(WrongEnvironmentError, match="refused in production") as refused:
        inbound.simulate_inbound(ServiceContext(db, "boss"), STRANGER, "STOP")
    assert refused.value.exit_code == 5
    assert stored(db) == [] and suppressed(db) == {}
