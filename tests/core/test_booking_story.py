"""A booking's history told as a story from its audit trail and the notifications each change queued."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import agents, bookings, operators, team_settings
from dispatch_desktop.services.booking_story import booking_story
from dispatch_desktop.services.context import ServiceContext

CHICAGO = ZoneInfo("America/Chicago")


def _team(db):
    boss = ServiceContext(db, "boss")
    operators.add_operator(boss, name="Boss Person", username="boss", role="supervisor")
    operators.add_operator(boss, name="Dana Whitfield", username="dana", role="dispatcher")
    team_settings.update_team_settings(boss, timezone_name="America/Chicago")
    return ServiceContext(db, "dana")


def test_a_bookings_history_reads_like_a_story_with_who_was_told(db):
    dana = _team(db)
    marcus = agents.add_agent(dana, name="Marcus Hill", phone="+13125550111", email="marcus@example.com")
    day = (datetime.now(CHICAGO) + timedelta(days=2)).date()
    ten = datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHICAGO)
    view = bookings.create_booking(
        dana,
        customer_name="Nadia Flores",
        customer_phone="+13125550150",
        customer_email="nadia@example.com",
        address="2200 N Clark St",
        service="Boiler",
        start=ten,
        end=ten + timedelta(hours=1),
        agent_id=marcus.id,
    )
    deliver_due(db, Config(), worker_id="test")
    moved = bookings.reschedule_booking(
        dana, view.id, start=ten + timedelta(minutes=30), end=ten + timedelta(minutes=90)
    )
    deliver_due(db, Config(), worker_id="test")
    bookings.change_status(dana, moved.id, "cancelled", reason="Customer cancelled")
    story = [line.text for line in booking_story(dana, view.id)]
    assert story[0].startswith(
        "Dana Whitfield booked it for Marcus Hill · customer told by SMS and email (DEV, logged)"
    )
    assert "Marcus Hill told by" in story[0]
    assert story[1].startswith(
        "Dana Whitfield moved it from 10:00 to 10:30 · customer told by SMS and email (DEV, logged)"
    )
    assert story[2] == (
        "Dana Whitfield cancelled it: Customer cancelled · customer to be told by SMS and email"
        " · Marcus Hill to be told by SMS and email"
    )
    assert all("dana" not in line for line in story)
