"""A booking's history told as a story from its audit trail and the notifications each change queued."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import agents, audit, bookings, operators, team_settings
from dispatch_desktop.services.booking_story import booking_story
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.test_cli import Cli, _booking_args

CHICAGO = ZoneInfo("America/Chicago")


def _team(db):
    boss = ServiceContext(db, "boss")
    operators.add_operator(boss, name="Boss Person", username="boss", role="supervisor")
    operators.add_operator(boss, name="Dana Whitfield", username="dana", role="dispatcher")
    team_settings.update_team_settings(boss, timezone_name="America/Chicago")
    return ServiceContext(db, "dana")


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    """The command line as Dana Whitfield, with Ann Field on the team."""
    _team(db)
    cli = Cli(home, database_url, capsys)
    cli.base += ["--as", "dana"]
    cli.json("agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com")
    return cli


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


def test_an_unassign_is_audited_as_unassigned_and_told_as_taking_it_off_the_agent(
    cli: Cli, db: Database
) -> None:
    booking = cli.json(*_booking_args(), "--agent", "1")
    assert isinstance(booking, dict)
    cli.json("booking", "unassign", str(booking["id"]))
    history = cli.json("booking", "history", str(booking["id"]))
    assert isinstance(history, list)
    assert [(h["action"], h["field"], h["old_value"], h["new_value"]) for h in history[-2:]] == [
        ("unassigned", "agent", "Ann Field", None),
        ("unassigned", "status", "scheduled", "pending"),
    ]
    story = [line.text for line in booking_story(ServiceContext(db, "dana"), booking["id"])]
    assert story[-1].startswith("Dana Whitfield took it off Ann Field · ")


def test_booking_history_prints_the_story_by_name_in_the_teams_zone_and_json_keeps_utc_logins(
    cli: Cli,
) -> None:
    booking = cli.json(*_booking_args(), "--agent", "1")
    assert isinstance(booking, dict)
    bid = str(booking["id"])
    cli.json("booking", "reschedule", bid, "--start", "2026-12-01 10:00", "--end", "2026-12-01 11:00")
    history = cli.json("booking", "history", bid)
    assert isinstance(history, list)
    assert {(h["actor"], h["actor_name"]) for h in history} == {("dana", "Dana Whitfield")}
    assert all(h["at"].endswith("+00:00") for h in history)
    code, out, err = cli("booking", "history", bid)
    assert (code, err) == (0, "")
    booked, moved = out.splitlines()
    local = {datetime.fromisoformat(h["at"]).astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M") for h in history}
    assert booked[:16] in local and moved[:16] in local
    assert booked[16:].startswith("  Dana Whitfield booked it for Ann Field · ")
    assert moved[16:].startswith("  Dana Whitfield moved it from 09:00 to 10:00 · ")
    assert "dana" not in out and "+00:00" not in out


def test_the_history_says_who_chose_not_to_tell_the_customer(cli: Cli) -> None:
    booking = cli.json(*_booking_args(), "--call-center")
    assert isinstance(booking, dict)
    bid = str(booking["id"])
    cli.json("booking", "assign", bid, "1", "--no-customer-notice")
    code, out, _err = cli("booking", "history", bid)
    assert code == 0
    assert out.splitlines()[-1][16:].startswith(
        "  Dana Whitfield gave it to Ann Field and chose not to tell the customer · Ann Field "
    )
    assert "customer told" not in out.splitlines()[-1]


def test_an_unassign_audited_before_the_fix_as_assigned_still_reads_as_taking_it_off(
    cli: Cli, db: Database
) -> None:
    booking = cli.json(*_booking_args(), "--agent", "1")
    assert isinstance(booking, dict)
    changes = {"agent": ("Ann Field", None), "status": ("scheduled", "pending")}
    with db.write() as session:  # the row an unassign wrote before it was audited as "unassigned"
        audit.record(session, bookings.ENTITY, booking["id"], "assigned", "dana", changes)
    story = [line.text for line in booking_story(ServiceContext(db, "dana"), booking["id"])]
    assert story[-1] == "Dana Whitfield took it off Ann Field"
