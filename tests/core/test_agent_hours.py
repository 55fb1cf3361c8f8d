"""Issue 17: agents' working hours and skills. A booking outside them warns and is refused unless
overridden; an override is audited; time off and double bookings stay hard refusals."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from psycopg import errors as psycopg_errors

from dispatch_desktop.domain import availability
from dispatch_desktop.domain.errors import AvailabilityWarning, ValidationError
from dispatch_desktop.services import agents, bookings, operators, timeoff
from dispatch_desktop.services import availability as availability_service
from dispatch_desktop.services.booking_drafts import draft_of, save_draft
from dispatch_desktop.services.booking_story import booking_story
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import add_booking, row_counts
from tests.core.test_cli import Cli, _booking_args
from tests.core.test_db_roles import Team, team  # noqa: F401 - the PostgreSQL logins fixture

CHICAGO = ZoneInfo("America/Chicago")
WEEK = availability.parse_hours("mon-fri 08:00-17:00,sat 09:00-13:00")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _warn(start: str, end: str, spans: tuple[availability.Span, ...] | None = WEEK) -> str | None:
    miss = availability.hours_miss(spans, _utc(start), _utc(end), CHICAGO)
    return None if miss is None else miss.text("Ann Field")


def test_hours_read_and_print_the_same_way() -> None:
    assert availability.format_hours(WEEK) == "mon-fri 08:00-17:00,sat 09:00-13:00"
    split = availability.parse_hours("Mon 08:00-12:00, mon 13:00-17:00, wed 07:30-15:00")
    assert availability.format_hours(split) == "mon 08:00-12:00,mon 13:00-17:00,wed 07:30-15:00"
    assert availability.parse_skills(" Boiler, electric,boiler ") == ("boiler", "electric")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon 8-17", "hours: '8' is not a time (type HH:MM, e.g. 08:00)"),
        ("fri-mon 08:00-17:00", "hours: 'fri-mon' runs backwards: write the days Monday first"),
        ("mon 17:00-08:00", "hours: 'mon 17:00-08:00' ends before it starts"),
        ("mon 08:00-12:00,mon 11:00-13:00", "hours: two spans overlap on Monday"),
        (
            "someday 08:00-12:00",
            "hours: 'someday' is not a weekday or range (use mon, tue, wed, thu, fri, sat, sun",
        ),
    ],
)
def test_bad_hours_are_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        availability.parse_hours(text)
    assert str(refused.value).startswith(message)


def test_a_booking_outside_the_hours_is_named_in_words() -> None:
    # 2026-12-01 is a Tuesday; Chicago is UTC-6 in December.
    assert _warn("2026-12-01 15:00", "2026-12-01 16:00") is None  # 09:00-10:00
    assert _warn("2026-12-05 16:00", "2026-12-05 17:00") is None  # Saturday 10:00-11:00
    assert _warn("2026-12-06 16:00", "2026-12-06 17:00") == "Ann Field does not work Sundays"
    assert _warn("2026-12-01 22:30", "2026-12-01 23:30") == "Ann Field works until 17:00"  # 16:30-17:30
    assert _warn("2026-12-01 13:00", "2026-12-01 15:00") == "Ann Field starts at 08:00"  # 07:00-09:00
    assert _warn("2026-12-05 20:00", "2026-12-05 21:00") == "Ann Field works until 13:00"  # Sat 14:00
    assert _warn("2026-12-06 16:00", "2026-12-06 17:00", None) is None  # hours never set: any time


def test_the_hours_are_wall_clock_on_dst_days() -> None:
    sundays = availability.parse_hours("sun 08:00-12:00")
    # 2026-03-08: clocks spring forward at 02:00, so 08:00-12:00 is 13:00-17:00 UTC (UTC-5) ...
    assert _warn("2026-03-08 13:00", "2026-03-08 17:00", sundays) is None
    # ... and the winter offset's 08:00 (14:00 UTC) is 09:00 that day: inside, up to 12:00 only.
    assert _warn("2026-03-08 14:00", "2026-03-08 18:00", sundays) == "Ann Field works until 12:00"
    # 2026-11-01: clocks fall back at 02:00, so 08:00-12:00 is 14:00-18:00 UTC (UTC-6).
    assert _warn("2026-11-01 14:00", "2026-11-01 18:00", sundays) is None
    assert _warn("2026-11-01 13:00", "2026-11-01 17:00", sundays) == "Ann Field starts at 08:00"


def test_a_missing_skill_is_named() -> None:
    assert availability.missing_skill(["electric"], "boiler") == "boiler"
    assert availability.missing_skill(["boiler"], "boiler") is None
    assert availability.missing_skill([], None) is None
    assert availability.skill_warning("Ann Field", "boiler") == "Ann Field lacks skill 'boiler'"
    assert availability.override_summary("Ann Field", False, "boiler") == "Ann Field without skill 'boiler'"
    assert availability.override_summary("Ann Field", True, None) == "outside Ann Field's hours"


def test_the_short_reasons_for_a_list_of_agents() -> None:
    saturday = availability.hours_miss(WEEK, _utc("2026-12-06 16:00"), _utc("2026-12-06 17:00"), CHICAGO)
    late = availability.hours_miss(WEEK, _utc("2026-12-01 22:30"), _utc("2026-12-01 23:30"), CHICAGO)
    early = availability.hours_miss(WEEK, _utc("2026-12-01 13:00"), _utc("2026-12-01 15:00"), CHICAGO)
    assert [m.short() for m in (saturday, late, early) if m] == ["off Sun", "until 17:00", "from 08:00"]
    assert availability.skill_short("boiler") == "no boiler skill"


def test_the_off_hours_of_a_day_are_what_the_board_greys() -> None:
    # Tuesday 2026-12-01 in Chicago: midnight is 06:00 UTC; the agent works 08:00-17:00.
    day = (_utc("2026-12-01 06:00"), _utc("2026-12-02 06:00"))
    assert availability.off_hours(WEEK, *day, CHICAGO) == [
        (_utc("2026-12-01 06:00"), _utc("2026-12-01 14:00")),
        (_utc("2026-12-01 23:00"), _utc("2026-12-02 06:00")),
    ]
    sunday = (_utc("2026-12-06 06:00"), _utc("2026-12-07 06:00"))
    assert availability.off_hours(WEEK, *sunday, CHICAGO) == [sunday]
    assert availability.off_hours(None, *sunday, CHICAGO) == []
    # The spring-forward Sunday is 23 hours long; 08:00-12:00 is 13:00-17:00 UTC.
    dst = (_utc("2026-03-08 06:00"), _utc("2026-03-09 05:00"))
    assert availability.off_hours(availability.parse_hours("sun 08:00-12:00"), *dst, CHICAGO) == [
        (_utc("2026-03-08 06:00"), _utc("2026-03-08 13:00")),
        (_utc("2026-03-08 17:00"), _utc("2026-03-09 05:00")),
    ]


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    boss = ServiceContext(db, "boss")
    operators.add_operator(boss, name="Boss Person", username="boss", role="supervisor")
    operators.add_operator(boss, name="Sam Rivera", username="sam", role="dispatcher")
    cli = Cli(home, database_url, capsys)
    cli.base += ["--as", "sam"]
    ann = ["--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com"]
    cli.json("agent", "add", *ann, "--hours", "mon-fri 08:00-17:00,sat 09:00-13:00", "--skills", "electric")
    return cli


def test_agent_show_prints_the_hours_and_skills(cli: Cli) -> None:
    code, out, _err = cli("agent", "show", "1")
    assert code == 0
    assert "  hours:  mon-fri 08:00-17:00,sat 09:00-13:00\n  skills: electric" in out
    cli.json("agent", "update", "1", "--hours", "tue 10:00-14:00", "--skills", "boiler, Electric")
    shown = cli.json("agent", "show", "1")
    assert isinstance(shown, dict)
    assert (shown["hours"], shown["skills"]) == ("tue 10:00-14:00", ["boiler", "electric"])
    cli.json("agent", "update", "1", "--hours", "any")
    code, out, _err = cli("agent", "show", "1")
    assert "  hours:  any time" in out


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--hours", "mon-fri 9-5"], "error: hours: '9' is not a time (type HH:MM, e.g. 08:00)\n"),
        (["--hours", "mon 17:00-08:00"], "error: hours: 'mon 17:00-08:00' ends before it starts\n"),
        (["--skills", "boiler;gas"], "error: skills: 'boiler;gas' is not a skill name"),
    ],
)
def test_bad_hours_or_skills_at_the_command_line_change_nothing(
    cli: Cli, args: list[str], error: str
) -> None:
    code, out, err = cli("agent", "update", "1", *args)
    assert (code, out) == (2, "")
    assert err.startswith(error) and err.count("\n") == 1
    shown = cli.json("agent", "show", "1")
    assert isinstance(shown, dict)
    assert (shown["hours"], shown["skills"]) == ("mon-fri 08:00-17:00,sat 09:00-13:00", ["electric"])


def test_a_booking_outside_the_hours_is_refused_whole_without_override(cli: Cli, db: Database) -> None:
    before = row_counts(db)
    saturday_afternoon = _booking_args("2026-12-05 14:00", "2026-12-05 15:00")
    code, out, err = cli(*saturday_afternoon, "--agent", "1")
    assert (code, out) == (6, "")
    assert err == "error: Ann Field works until 13:00 (book anyway with --override)\n"
    assert row_counts(db) == before


def test_an_override_books_it_and_the_audit_says_who_overrode(cli: Cli, db: Database) -> None:
    cli.json("service-skill", "set", "boiler service", "boiler")
    sunday = _booking_args("2026-12-06 10:00", "2026-12-06 11:00")
    code, _out, err = cli(*sunday, "--agent", "1")
    assert code == 6
    assert err == (
        "error: Ann Field does not work Sundays; Ann Field lacks skill 'boiler' (book anyway with --override)\n"
    )
    booking = cli.json(*sunday, "--agent", "1", "--override")
    assert isinstance(booking, dict) and booking["agent_name"] == "Ann Field"
    history = cli.json("booking", "history", str(booking["id"]))
    assert isinstance(history, list)
    assert (history[0]["action"], history[0]["field"], history[0]["new_value"]) == (
        "override",
        "booked",
        "outside Ann Field's hours and without skill 'boiler'",
    )
    story = [line.text for line in booking_story(ServiceContext(db, "sam"), booking["id"])]
    assert story[0] == ("Sam Rivera booked outside Ann Field's hours and without skill 'boiler' (override)")
    assert story[1].startswith("Sam Rivera booked it for Ann Field")


def test_reschedule_and_assign_warn_too(cli: Cli, db: Database) -> None:
    booking = cli.json(*_booking_args("2026-12-01 09:00", "2026-12-01 10:00"), "--agent", "1")
    assert isinstance(booking, dict)
    ref = str(booking["id"])
    code, _out, err = cli(
        "booking", "reschedule", ref, "--start", "2026-12-01 16:30", "--end", "2026-12-01 17:30"
    )
    assert (code, err) == (6, "error: Ann Field works until 17:00 (book anyway with --override)\n")
    cli.json(
        "booking", "reschedule", ref, "--start", "2026-12-01 16:30", "--end", "2026-12-01 17:30", "--override"
    )
    history = cli.json("booking", "history", ref)
    assert isinstance(history, list)
    assert ("override", "outside Ann Field's hours") in [(h["action"], h["new_value"]) for h in history]
    cli.json("service-skill", "set", "Boiler service", "boiler")
    bo = ["--name", "Bo Jones", "--phone", "312-555-0102", "--email", "bo@example.com"]
    cli.json("agent", "add", *bo, "--skills", "gas")
    before = row_counts(db)
    code, _out, err = cli("booking", "assign", ref, "2")
    assert (code, err) == (6, "error: Bo Jones lacks skill 'boiler' (book anyway with --override)\n")
    assert row_counts(db) == before
    cli.json("service-skill", "remove", "BOILER SERVICE")
    assigned = cli.json("booking", "assign", ref, "2")
    assert isinstance(assigned, dict) and assigned["agent_name"] == "Bo Jones"


def test_time_off_stays_a_hard_refusal_even_with_override(cli: Cli, db: Database) -> None:
    request = timeoff.request_time_off(
        ServiceContext(db, "sam"), agent_id=1, start="2026-12-01 08:00", end="2026-12-01 12:00"
    )
    timeoff.approve_time_off(ServiceContext(db, "sam"), request.id)
    code, _out, err = cli(*_booking_args(), "--agent", "1", "--override")
    assert code == 3
    assert err.startswith("error: Ann Field has approved time off")


def test_the_call_center_flow_books_any_time_without_an_agent(cli: Cli) -> None:
    cli.json("service-skill", "set", "Boiler service", "boiler")
    booking = cli.json(*_booking_args("2026-12-06 20:00", "2026-12-06 21:00"), "--call-center")
    assert isinstance(booking, dict) and booking["agent_name"] is None


def test_service_skills_are_listed_and_a_missing_one_is_one_error_line(cli: Cli) -> None:
    cli.json("service-skill", "set", "Boiler service", "Boiler")
    assert cli.json("service-skill", "list") == [{"service": "Boiler service", "skill": "boiler"}]
    code, out, err = cli("service-skill", "remove", "Roof repair")
    assert (code, out, err) == (2, "", "error: no skill is set for service 'Roof repair'\n")


def test_a_form_edit_that_reassigns_asks_before_its_first_write(db: Database) -> None:
    ctx = ServiceContext(db, "boss")
    weekdays = agents.add_agent(
        ctx, name="Ann Field", phone="312-555-0101", email="ann@example.com", hours="mon-fri 08:00-17:00"
    )
    anytime = agents.add_agent(ctx, name="Bo Jones", phone="312-555-0102", email="bo@example.com")
    saturday = add_booking(ctx, agent_id=anytime.id)
    moved = bookings.reschedule_booking(ctx, saturday.id, start="2026-12-05 10:00", end="2026-12-05 11:00")
    edit = replace(draft_of(moved), notes="gate code 1234", agent_id=weekdays.id)
    before = row_counts(db)
    with pytest.raises(AvailabilityWarning) as refused:
        save_draft(ctx, edit, moved, assign=True)
    assert refused.value.warnings == ("Ann Field does not work Saturdays",)
    assert row_counts(db) == before and bookings.get_booking(ctx, moved.id).version == moved.version
    saved = save_draft(ctx, replace(edit, override=True), moved, assign=True)
    assert (saved.agent_name, saved.notes) == ("Ann Field", "gate code 1234")
    # Moving it to Sunday and back to Bo: Ann, who leaves it, is not asked about.
    sunday = replace(
        draft_of(saved), start=_utc("2026-12-06 16:00"), end=_utc("2026-12-06 17:00"), agent_id=anytime.id
    )
    back = save_draft(ctx, sunday, saved, assign=True)
    assert (back.agent_name, back.start) == ("Bo Jones", _utc("2026-12-06 16:00"))


def test_a_dispatcher_login_sets_hours_and_skills_and_a_call_center_login_cannot(team: Team) -> None:  # noqa: F811
    dan = ServiceContext(team.db("dan"), None)
    ann = agents.add_agent(
        dan,
        name="Ann Field",
        phone="312-555-0101",
        email="ann@example.com",
        hours="mon 08:00-12:00",
        skills="gas",
    )
    changed = agents.update_agent(dan, ann.id, hours="tue 10:00-14:00", skills="boiler")  # rows replaced
    assert (changed.hours, changed.skills) == ("tue 10:00-14:00", ("boiler",))
    availability_service.set_service_skill(dan, "Boiler service", "boiler")
    with team.psql("carla") as conn:
        for statement in (
            "DELETE FROM agent_hours",
            "INSERT INTO agent_skills (agent_id, skill) VALUES (1, 'gas')",
            "UPDATE service_skills SET skill = 'none'",
        ):
            with pytest.raises(psycopg_errors.InsufficientPrivilege):
                conn.execute(statement)
