"""Issue 14's clock rules: reminders, quiet hours in the recipient's zone, one text per burst.

Time is driven through the rows' due times and the delivery engine's injected `now`, never by
waiting: a booking a few hours ahead, reminders a few minutes before it, a quiet-hours window
drawn around the present moment.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.notify.notifier import LOGGER_NAME
from dispatch_desktop.services import bookings, outbox, workstation
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage
from tests.conftest import TEST_TIMEZONE
from tests.notify.helpers import CUSTOMER_PHONE, add_agent, rows

CHICAGO = ZoneInfo(TEST_TIMEZONE)  # the team's zone, and the zone of the customer's 312 number
REMINDER = "booking_reminder"
Lines = Callable[[], list[str]]


@pytest.fixture
def log_lines(caplog: pytest.LogCaptureFixture) -> Lines:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    return lambda: [record.getMessage() for record in caplog.records if record.name == LOGGER_NAME]


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _clock(ctx: ServiceContext, *, reminders: str = "off", quiet: str = "off", hold: int = 0) -> None:
    update_team_settings(ctx, reminders=reminders, quiet_hours=quiet, customer_hold_seconds=hold)


def _quiet_now() -> tuple[str, datetime]:
    """A quiet-hours window from an hour ago to an hour ahead (Chicago time), and when it ends."""
    now = datetime.now(CHICAGO)
    start, end = _minute(now - timedelta(hours=1)), _minute(now + timedelta(hours=1))
    return f"{start:%H:%M}-{end:%H:%M}", end.astimezone(UTC)


def _book(ctx: ServiceContext, start: datetime, *, agent: bool = True) -> int:
    agent_id = add_agent(ctx).id if agent else None
    view = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone=CUSTOMER_PHONE,
        customer_email="carla@example.com",
        address="12 Elm Street, Chicago",
        service="Boiler service",
        start=start,
        end=start + timedelta(hours=1),
        agent_id=agent_id,
    )
    return view.id


def _reschedule(ctx: ServiceContext, booking_id: int, start: datetime) -> None:
    bookings.reschedule_booking(ctx, booking_id, start=start, end=start + timedelta(hours=1))


def _of(db: Database, **where: object) -> list[OutboxMessage]:
    return rows(db, **where)


def _customer_sms(db: Database) -> list[OutboxMessage]:
    return [r for r in _of(db, channel="sms", recipient_kind="customer") if r.event != REMINDER]


def _deliver(db: Database, at: datetime) -> None:
    deliver_due(db, Config(), worker_id="t", now=lambda: at)


def test_reminders_are_written_scheduled_at_their_times_and_shown_with_due_at(
    db: Database, ctx: ServiceContext
) -> None:
    _clock(ctx, reminders="2h,30m")
    start = _minute(datetime.now(UTC) + timedelta(hours=3))
    _book(ctx, start)
    reminders = _of(db, event=REMINDER)
    assert sorted((r.channel, r.status, r.next_attempt_at) for r in reminders) == [
        ("email", "scheduled", start - timedelta(hours=2)),
        ("email", "scheduled", start - timedelta(minutes=30)),
        ("sms", "scheduled", start - timedelta(hours=2)),
        ("sms", "scheduled", start - timedelta(minutes=30)),
    ]
    assert {r.recipient for r in reminders} == {CUSTOMER_PHONE, "carla@example.com"}
    sms = next(r for r in reminders if r.channel == "sms")
    local = start.astimezone(CHICAGO)
    assert sms.body == (
        f"Reminder: Boiler service on {local:%Y-%m-%d %H:%M} with Ann Field at 12 Elm Street, Chicago "
        f"(BK-{sms.booking_id:06d})."
    )
    [shown] = [v for v in outbox.list_outbox(ctx, status="scheduled") if v.id == sms.id]
    as_json = shown.to_json()
    assert datetime.fromisoformat(as_json["due_at"]) == sms.next_attempt_at
    assert as_json["due_at"].endswith("+00:00")
    assert (as_json["hold_reason"], as_json["superseded_by"]) == (None, None)
    assert outbox.status_counts(ctx)["scheduled"] == 4


def test_a_reminder_whose_time_has_passed_is_not_written(db: Database, ctx: ServiceContext) -> None:
    _clock(ctx, reminders="24h,1h")
    start = _minute(datetime.now(UTC) + timedelta(hours=3))
    _book(ctx, start)
    assert {r.next_attempt_at for r in _of(db, event=REMINDER)} == {start - timedelta(hours=1)}


def test_a_pending_booking_has_no_reminder_until_it_is_scheduled(db: Database, ctx: ServiceContext) -> None:
    _clock(ctx, reminders="1h")
    booking_id = _book(ctx, _minute(datetime.now(UTC) + timedelta(hours=3)), agent=False)
    assert _of(db, event=REMINDER) == []
    bookings.assign_booking(ctx, booking_id, add_agent(ctx, "Bo Field", "312-555-0102").id)
    assert {r.status for r in _of(db, event=REMINDER)} == {"scheduled"}


def test_a_reschedule_supersedes_the_reminders_and_writes_new_ones(db: Database, ctx: ServiceContext) -> None:
    _clock(ctx, reminders="1h")
    start = _minute(datetime.now(UTC) + timedelta(hours=3))
    booking_id = _book(ctx, start)
    later = start + timedelta(hours=2)
    _reschedule(ctx, booking_id, later)
    reminders = _of(db, event=REMINDER)
    assert [(r.status, r.next_attempt_at) for r in reminders] == [
        ("superseded", start - timedelta(hours=1)),
        ("superseded", start - timedelta(hours=1)),
        ("scheduled", later - timedelta(hours=1)),
        ("scheduled", later - timedelta(hours=1)),
    ]
    assert {r.last_error for r in reminders[:2]} == {"the booking changed"}


def test_a_board_drag_to_another_agent_and_time_keeps_one_set_of_reminders(
    db: Database, ctx: ServiceContext
) -> None:
    _clock(ctx, reminders="1h")
    start = _minute(datetime.now(UTC) + timedelta(hours=3))
    booking_id = _book(ctx, start)
    bo = add_agent(ctx, "Bo Field", "312-555-0102")
    later = start + timedelta(hours=1)
    bookings.move_booking(ctx, booking_id, agent_id=bo.id, start=later, end=later + timedelta(hours=1))
    waiting = [r for r in _of(db, event=REMINDER) if r.status == "scheduled"]
    assert sorted(r.channel for r in waiting) == ["email", "sms"]
    assert {r.next_attempt_at for r in waiting} == {later - timedelta(hours=1)}
    assert all("Bo Field" in r.body for r in waiting)


@pytest.mark.parametrize("status", ["cancelled", "no_show"])
def test_cancel_and_no_show_supersede_the_reminders(db: Database, ctx: ServiceContext, status: str) -> None:
    _clock(ctx, reminders="2h,1h")
    booking_id = _book(ctx, _minute(datetime.now(UTC) + timedelta(hours=3)))
    bookings.change_status(ctx, booking_id, status, reason="moved away")
    reminders = _of(db, event=REMINDER)
    assert len(reminders) == 4
    assert {(r.status, r.last_error) for r in reminders} == {
        ("superseded", f"the booking is {status.replace('_', ' ')}")
    }


def test_a_reminder_is_sent_when_due_and_never_early(
    db: Database, ctx: ServiceContext, log_lines: Lines
) -> None:
    _clock(ctx, reminders="30m")
    start = _minute(datetime.now(UTC) + timedelta(hours=3))
    _book(ctx, start)
    due = start - timedelta(minutes=30)
    _deliver(db, due - timedelta(seconds=1))
    assert {r.status for r in _of(db, event=REMINDER)} == {"scheduled"}
    assert not any("Reminder:" in line for line in log_lines())
    _deliver(db, due + timedelta(seconds=1))
    assert {r.status for r in _of(db, event=REMINDER)} == {"logged"}
    [line] = [line for line in log_lines() if "Message: Reminder:" in line]
    assert line.startswith(f"[DEV] SMS (not sent) - To: {CUSTOMER_PHONE}, Message: Reminder: Boiler service")


def test_a_due_reminder_of_a_booking_that_has_started_is_superseded_not_sent(
    db: Database, ctx: ServiceContext, log_lines: Lines
) -> None:
    _clock(ctx, reminders="30m")
    start = _minute(datetime.now(UTC) + timedelta(hours=3))
    _book(ctx, start)
    _deliver(db, start + timedelta(minutes=1))  # nothing ran while it came due
    assert {(r.status, r.last_error) for r in _of(db, event=REMINDER)} == {
        ("superseded", "the booking has started")
    }
    assert not any("Reminder:" in line for line in log_lines())


def test_a_customer_text_in_quiet_hours_is_held_to_the_windows_end_and_then_released(
    db: Database, ctx: ServiceContext, log_lines: Lines
) -> None:
    window, end = _quiet_now()
    _clock(ctx, quiet=window)
    booking_id = _book(ctx, _minute(datetime.now(UTC) + timedelta(days=2)))
    [confirmation] = _customer_sms(db)
    assert confirmation.status == "queued"  # the customer has just asked for it
    _deliver(db, datetime.now(UTC))
    _reschedule(ctx, booking_id, _minute(datetime.now(UTC) + timedelta(days=3)))
    [_, moved] = _customer_sms(db)
    assert (moved.status, moved.hold_reason, moved.next_attempt_at) == ("held", "quiet hours", end)
    # Emails and the agent's texts are not held.
    assert {r.status for r in _of(db, event="booking_rescheduled") if r.id != moved.id} == {"queued"}
    assert len(_of(db, event="booking_rescheduled")) == 4
    assert (
        f"[DEV] SMS held - To: {CUSTOMER_PHONE}, Until: {end.astimezone(CHICAGO):%Y-%m-%d %H:%M} (quiet hours)"
        in (log_lines())
    )
    held = outbox.held(ctx, customers_only=True)
    assert (held.count, held.first) == (1, end)
    _deliver(db, end - timedelta(seconds=1))
    assert _customer_sms(db)[1].status == "held"
    _deliver(db, end + timedelta(seconds=1))
    assert _customer_sms(db)[1].status == "logged"


def test_in_production_the_held_line_is_prod(
    db: Database, ctx: ServiceContext, log_lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_ENV", "production")
    window, end = _quiet_now()
    _clock(ctx, quiet=window)
    booking_id = _book(ctx, _minute(datetime.now(UTC) + timedelta(days=2)))
    bookings.change_status(ctx, booking_id, "confirmed")
    until = f"{end.astimezone(CHICAGO):%Y-%m-%d %H:%M}"
    assert log_lines() == [f"[PROD] SMS held - To: {CUSTOMER_PHONE}, Until: {until} (quiet hours)"]


def test_tonights_job_is_not_held_by_quiet_hours(db: Database, ctx: ServiceContext) -> None:
    window, _ = _quiet_now()
    _clock(ctx, quiet=window)
    soon = _minute(datetime.now(UTC) + timedelta(minutes=40))  # starts before the window ends
    booking_id = _book(ctx, _minute(datetime.now(UTC) + timedelta(days=2)))
    _deliver(db, datetime.now(UTC))
    _reschedule(ctx, booking_id, soon)
    assert [(r.event, r.status) for r in _customer_sms(db)] == [
        ("booking_created", "logged"),
        ("booking_rescheduled", "queued"),
    ]


def test_a_reminder_quiet_hours_would_push_past_the_start_is_superseded(
    db: Database, ctx: ServiceContext
) -> None:
    window, _ = _quiet_now()
    _clock(ctx, quiet=window, reminders="20m")
    start = _minute(datetime.now(UTC) + timedelta(minutes=40))  # reminder due in quiet hours
    _book(ctx, start)
    by_channel = {r.channel: r for r in _of(db, event=REMINDER)}
    assert (by_channel["sms"].status, by_channel["sms"].last_error) == (
        "superseded",
        "quiet hours would hold it until after the booking starts",
    )
    assert by_channel["email"].status == "scheduled"  # emails are not held


def _confirmed_with_a_hold(db: Database, ctx: ServiceContext) -> tuple[int, datetime, datetime]:
    """A 60 s customer hold, a booking two days ahead and its confirmation sent: (id, start, now)."""
    _clock(ctx, hold=60)
    base = _minute(datetime.now(UTC) + timedelta(days=2))
    booking_id = _book(ctx, base)
    now = datetime.now(UTC)
    _deliver(db, now)
    return booking_id, base, now


def test_three_quick_reschedules_send_the_customer_one_text_with_the_final_time(
    db: Database, ctx: ServiceContext, log_lines: Lines
) -> None:
    booking_id, base, now = _confirmed_with_a_hold(db, ctx)
    for hours in (1, 2, 3):
        _reschedule(ctx, booking_id, base + timedelta(hours=hours))
    final = f"{(base + timedelta(hours=3)).astimezone(CHICAGO):%Y-%m-%d %H:%M}"
    customer = [r for r in _customer_sms(db) if r.event == "booking_rescheduled"]
    assert [r.status for r in customer] == ["superseded", "superseded", "held"]
    assert [r.superseded_by for r in customer] == [customer[1].id, customer[2].id, None]
    assert customer[2].hold_reason == "coalescing"
    # The agent is not held, but only the newest unsent text to them survives.
    agent = _of(db, event="booking_rescheduled", recipient_kind="agent", channel="sms")
    assert [r.status for r in agent] == ["superseded", "superseded", "queued"]
    _deliver(db, now + timedelta(seconds=30))
    assert _customer_sms(db)[-1].status == "held"
    _deliver(db, now + timedelta(seconds=75))
    texts = [line for line in log_lines() if f"To: {CUSTOMER_PHONE}, Message: Your booking" in line]
    assert len(texts) == 2  # the confirmation, and one text for the three moves
    assert "has moved" in texts[1] and final in texts[1]


def test_a_customer_update_held_for_the_burst_is_logged_with_when_it_goes(
    db: Database, ctx: ServiceContext, log_lines: Lines
) -> None:
    booking_id, base, _ = _confirmed_with_a_hold(db, ctx)
    _reschedule(ctx, booking_id, base + timedelta(hours=1))
    held = [r for r in _of(db, event="booking_rescheduled", recipient_kind="customer") if r.status == "held"]
    assert {(r.channel, r.hold_reason) for r in held} == {("sms", "coalescing"), ("email", "coalescing")}
    due = held[0].next_attempt_at.astimezone(CHICAGO)
    until = f"{due:%H:%M:%S}" if due.date() == datetime.now(CHICAGO).date() else f"{due:%Y-%m-%d %H:%M:%S}"
    assert sorted(line for line in log_lines() if " held - " in line) == [
        f"[DEV] EMAIL held - To: carla@example.com, Until: {until} (coalescing)",
        f"[DEV] SMS held - To: {CUSTOMER_PHONE}, Until: {until} (coalescing)",
    ]


def test_a_confirmation_superseded_before_it_went_out_survives_with_the_latest_details(
    db: Database, ctx: ServiceContext
) -> None:
    _clock(ctx, hold=60)
    base = _minute(datetime.now(UTC) + timedelta(days=2))
    booking_id = _book(ctx, base)
    _reschedule(ctx, booking_id, base + timedelta(hours=4))
    first, survivor = _customer_sms(db)
    assert (first.status, first.superseded_by) == ("superseded", survivor.id)
    assert survivor.event == "booking_created"
    assert survivor.body.startswith("Your booking is confirmed")
    assert f"{(base + timedelta(hours=4)).astimezone(CHICAGO):%Y-%m-%d %H:%M}" in survivor.body
    assert not any(r.event == "booking_rescheduled" for r in _customer_sms(db))


def test_without_a_hold_every_change_is_its_own_notice_at_once(db: Database, ctx: ServiceContext) -> None:
    _clock(ctx, hold=0)
    base = _minute(datetime.now(UTC) + timedelta(days=2))
    booking_id = _book(ctx, base)
    for hours in (1, 2):
        _reschedule(ctx, booking_id, base + timedelta(hours=hours))
    assert [(r.event, r.status) for r in _customer_sms(db)] == [
        ("booking_created", "queued"),
        ("booking_rescheduled", "queued"),
        ("booking_rescheduled", "queued"),
    ]


def test_a_customer_text_that_came_due_as_quiet_hours_began_is_held_before_it_is_claimed(
    db: Database, ctx: ServiceContext, log_lines: Lines
) -> None:
    booking_id = _book(ctx, _minute(datetime.now(UTC) + timedelta(days=2)))
    _reschedule(ctx, booking_id, _minute(datetime.now(UTC) + timedelta(days=3)))  # queued by day
    window, end = _quiet_now()
    _clock(ctx, quiet=window)  # then night fell while nothing ran
    workstation.deliver_outbox(ctx, Config())
    confirmation, moved = _customer_sms(db)
    assert confirmation.status == "logged"  # the customer asked for it
    assert (moved.status, moved.hold_reason, moved.next_attempt_at) == ("held", "quiet hours", end)
    assert {r.status for r in _of(db) if r.id != moved.id} == {"logged"}  # emails and the agent's texts
    to_customer = [
        line for line in log_lines() if line.startswith(f"[DEV] SMS (not sent) - To: {CUSTOMER_PHONE}")
    ]
    assert [line.split("Message: ")[1][:26] for line in to_customer] == ["Your booking is confirmed:"]


def test_a_reminder_that_came_due_in_quiet_hours_before_tonights_job_is_superseded(
    db: Database, ctx: ServiceContext
) -> None:
    _clock(ctx, reminders="30m")
    _book(ctx, _minute(datetime.now(UTC) + timedelta(minutes=40)))
    with db.write() as session:  # its time came while nothing ran
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.event == REMINDER)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    window, _ = _quiet_now()
    _clock(ctx, reminders="30m", quiet=window)
    workstation.deliver_outbox(ctx, Config())
    by_channel = {r.channel: r for r in _of(db, event=REMINDER)}
    assert (by_channel["sms"].status, by_channel["sms"].last_error) == (
        "superseded",
        "quiet hours would hold it until after the booking starts",
    )
    assert by_channel["email"].status == "logged"
