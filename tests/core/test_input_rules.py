"""Input that would be misread or would hurt someone is refused with one line, and nothing is written.

Time zones and DST, the booking window, line breaks and terminal controls, confusable
usernames, SMS destinations and caps, and two PostgreSQL workstations racing.
"""

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text

from dispatch_desktop.domain import team
from dispatch_desktop.domain.errors import ConflictError, StaleVersionError, ValidationError
from dispatch_desktop.services import bookings, demo, operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.team_settings import update_team_settings
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Booking, Customer, Operator, OutboxMessage
from tests.core.helpers import DAY, add_agent, add_booking, row_counts
from tests.core.test_cli import Cli, _booking_args


@pytest.fixture
def cli(home, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, database_url, capsys)


def refused(cli: Cli, db: Database, *args: str, code: int = 2) -> str:
    """Run a command that must fail: its one error line, after checking nothing was written."""
    before = row_counts(db)
    got, out, err = cli(*args)
    assert (got, out) == (code, ""), err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert row_counts(db) == before
    return err.removeprefix("error: ").rstrip("\n")


def default_window(ctx: ServiceContext) -> None:
    """The window a team gets out of the box (conftest widens it for fixed-date tests)."""
    update_team_settings(
        ctx,
        booking_days_back=team.DEFAULT_BOOKING_DAYS_BACK,
        booking_days_ahead=team.DEFAULT_BOOKING_DAYS_AHEAD,
    )


def upcoming(days: int = 2, hour: int = 15) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


# --- line breaks and terminal controls ---------------------------------------------------------

FORGERS = ["\n", "\r", "\x85", "\u2028", "\u2029", "\x9b", "\x7f", "\x1b", "\t", "\u202e", "\u2067"]


@pytest.mark.parametrize("char", FORGERS, ids=[f"U+{ord(c):04X}" for c in FORGERS])
@pytest.mark.parametrize("field", ["customer_name", "address", "service"])
def test_single_line_fields_refuse_line_breaks_and_controls(
    ctx: ServiceContext, db: Database, field: str, char: str
) -> None:
    good = {
        "customer_name": "Carla Customer",
        "customer_phone": "312-555-0199",
        "customer_email": None,
        "address": "12 Elm Street",
        "service": "Boiler service",
        "start": f"{DAY} 09:00",
        "end": f"{DAY} 10:00",
    }
    before = row_counts(db)
    with pytest.raises(ValidationError) as caught:
        bookings.create_booking(ctx, **{**good, field: f"Carla{char}FORGED"})
    label = {"customer_name": "customer name"}.get(field, field)
    assert str(caught.value).startswith(f"{label} contains a ")
    assert f"(U+{ord(char):04X})" in str(caught.value)
    assert row_counts(db) == before


def test_notes_may_span_lines_but_reasons_may_not(ctx: ServiceContext) -> None:
    booking = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone="312-555-0199",
        customer_email=None,
        address="12 Elm Street",
        service="Boiler service",
        start=f"{DAY} 09:00",
        end=f"{DAY} 10:00",
        notes="Gate code 1234\r\nDog in the yard\tfriendly",
    )
    assert booking.notes == "Gate code 1234\nDog in the yard\tfriendly"
    with pytest.raises(ValidationError, match=r"^notes contains a control character \(U\+202E\)"):
        bookings.update_booking(ctx, booking.id, notes="fine\u202eenif")
    with pytest.raises(ValidationError, match=r"^reason contains a line break \(U\+000A\)"):
        bookings.change_status(ctx, booking.id, "cancelled", reason="moved\n[DEV] SMS sent")


def test_the_cli_refuses_a_forged_line_and_escapes_old_rows(cli: Cli, db: Database) -> None:
    args = _booking_args()
    args[args.index("Carla Customer")] = "Carla\n[DEV] SMS (not sent) - To: +15555550100, Message: FORGED"
    assert refused(cli, db, *args).startswith("customer name contains a line break (U+000A)")
    booking = cli.json(*_booking_args(), "--notes", "line one\nline two")
    with db.write() as session:  # a row written before these checks existed
        session.execute(text("UPDATE customers SET name = :name"), {"name": "Carla\x9b31m\u202eFORGED\nline"})
    code, out, _ = cli("booking", "show", str(booking["id"]))
    assert code == 0
    assert "  customer: Carla\\x9b31m\\u202eFORGED\\nline, (312) 555-0199" in out
    assert "  notes:    line one\n            line two\n" in out
    code, out, _ = cli("booking", "list")
    assert code == 0 and "Carla\\x9b31m\\u202eFORGED\\nline" in out and "\x9b" not in out
    code, out, _ = cli("--json", "booking", "show", str(booking["id"]))
    assert code == 0 and "\\u009b31m\\u202eFORGED\\nline" in out and "\x9b" not in out


# --- confusable usernames -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("s\u0430m", "username 's\u0430m' may use only lowercase letters a-z, digits, '.', '_' and '-'"),
        ("sa\u200bm", "username 'sa\\u200bm' may use only lowercase letters a-z, digits, '.', '_' and '-'"),
        ("Sam", "username 'Sam' may use only lowercase letters a-z, digits, '.', '_' and '-' (type 'sam')"),
        ("sam smith", "username 'sam smith' may use only lowercase letters"),
    ],
)
def test_usernames_are_lowercase_ascii(cli: Cli, db: Database, username: str, message: str) -> None:
    cli.json("operator", "add", "--name", "Sam Rivera", "--username", "sam", "--role", "supervisor")
    args = (
        "--as",
        "sam",
        "operator",
        "add",
        "--name",
        "Other",
        "--username",
        username,
        "--role",
        "dispatcher",
    )
    assert refused(cli, db, *args).startswith(message)
    with db.read() as session:
        assert session.scalars(select(Operator.username)).all() == ["sam"]


def test_an_existing_mixed_case_username_still_signs_in(cli: Cli, db: Database) -> None:
    with db.write() as session:
        session.add(Operator(name="Old Timer", username="Old.Timer", role="supervisor", active=True))
    code, out, _ = cli("--as", "Old.Timer", "whoami")
    assert code == 0 and out.startswith("Old.Timer (Old Timer), supervisor")


# --- time zone and DST ------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["localtime", "/etc/localtime", "Factory", "Mars/Olympus"])
def test_the_team_time_zone_is_an_iana_name(cli: Cli, db: Database, zone: str) -> None:
    message = refused(cli, db, "settings", "set", "--timezone", zone)
    assert message == f"unknown time zone {zone!r} (use an IANA name such as America/Chicago)"
    assert "business time zone: America/Chicago\n" in cli("settings", "show")[1]


def test_a_time_the_clocks_skip_or_repeat_is_refused_with_what_to_type(cli: Cli, db: Database) -> None:
    cli.json("settings", "set", "--timezone", "America/New_York")
    skipped = refused(cli, db, *_booking_args("2026-03-08 02:30", "2026-03-08 03:30"))
    assert skipped == "start: 02:30 does not exist on 2026-03-08 (the clocks skip it); type 03:30 instead"
    twice = refused(cli, db, *_booking_args("2026-11-01 00:30", "2026-11-01 01:30"))
    assert twice == "end: 01:30 happens twice on 2026-11-01; add -04:00 or -05:00"
    booking = cli.json(*_booking_args("2026-11-01 00:30", "2026-11-01 01:30-05:00"))
    assert (booking["start"], booking["end"]) == ("2026-11-01T04:30:00+00:00", "2026-11-01T06:30:00+00:00")


# --- dates and durations ------------------------------------------------------------------------


def test_bookings_keep_to_the_window_whole_minutes_and_five_minutes(
    ctx: ServiceContext, db: Database
) -> None:
    default_window(ctx)
    start = upcoming()
    cases = [
        (datetime(1, 1, 2, 9, tzinfo=UTC), None, "start is more than 1 day(s) in the past"),
        (datetime(1900, 6, 1, 9, tzinfo=UTC), None, "start is more than 1 day(s) in the past"),
        (start - timedelta(days=4), None, "start is more than 1 day(s) in the past"),
        (start + timedelta(days=731), None, "start is more than 730 days ahead"),
        (datetime(9999, 12, 30, 9, tzinfo=UTC), None, "start is more than 730 days ahead"),
        (start, start + timedelta(microseconds=1), "end must be a whole minute (no seconds)"),
        (start + timedelta(seconds=30), None, "start must be a whole minute (no seconds)"),
        (start, start + timedelta(minutes=4), "a booking must last at least 5 minutes"),
    ]
    before = row_counts(db)
    for begin, end, message in cases:
        with pytest.raises(ValidationError) as caught:
            bookings.create_booking(
                ctx,
                customer_name="Carla Customer",
                customer_phone="312-555-0199",
                customer_email=None,
                address="12 Elm Street",
                service="Boiler service",
                start=begin,
                end=end or begin + timedelta(hours=1),
            )
        assert str(caught.value).startswith(message), (begin, end, str(caught.value))
    assert row_counts(db) == before
    earlier = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=23)
    made = bookings.create_booking(
        ctx,
        customer_name="Carla Customer",
        customer_phone="312-555-0199",
        customer_email=None,
        address="12 Elm Street",
        service="Boiler service",
        start=earlier,
        end=earlier + timedelta(minutes=5),
    )
    assert made.end - made.start == timedelta(minutes=5)


def test_the_window_is_a_team_setting(cli: Cli, ctx: ServiceContext) -> None:
    default_window(ctx)
    far = (datetime.now(UTC) + timedelta(days=800)).strftime("%Y-%m-%d")
    assert cli(*_booking_args(f"{far} 09:00", f"{far} 10:00"))[0] == 2
    cli.json("settings", "set", "--booking-days-ahead", "900")
    assert cli(*_booking_args(f"{far} 09:00", f"{far} 10:00"))[0] == 0
    shown = cli.json("settings", "show")
    assert isinstance(shown, dict)
    assert (shown["booking_days_back"], shown["booking_days_ahead"]) == (1, 900)


def test_a_reschedule_that_changes_nothing_is_an_error(cli: Cli, db: Database) -> None:
    booking = cli.json(*_booking_args(), "--queue-only")
    bid = str(booking["id"])
    same = refused(cli, db, "booking", "reschedule", bid, "--start", "2026-12-01 09:00")
    assert same == (
        "BK-000001 already runs from 2026-12-01 09:00 to 2026-12-01 10:00; give a different start or end"
    )
    assert refused(cli, db, "booking", "reschedule", bid) == "give a new start, a new end, or both"
    moved = cli.json("booking", "reschedule", bid, "--start", "2026-12-01 09:30", "--queue-only")
    assert isinstance(moved, dict) and moved["version"] == 2


# --- settings -----------------------------------------------------------------------------------


def test_settings_show_and_set_every_team_setting(cli: Cli, db: Database) -> None:
    code, out, _ = cli(
        "settings",
        "set",
        "--sms-countries",
        "us, ca",
        "--sms-per-recipient-day",
        "12",
        "--sms-per-operator-hour",
        "90",
        "--booking-days-back",
        "3",
        "--booking-days-ahead",
        "365",
    )
    assert code == 0
    assert out == (
        "business time zone: America/Chicago\n"
        "default phone region: US\n"
        "SMS countries: US,CA\n"
        "texts per recipient per day: 12\n"
        "texts per operator per hour: 90\n"
        "booking window: 3 day(s) back to 365 days ahead\n"
        "two-way SMS: off\n"
        "reminders: off\n"  # the test database turns the clock rules off (tests/conftest.py)
        "quiet hours: off (the recipient's local time)\n"
        "customer hold: 0 seconds\n"
        "company name: none\n"
        "company phone: none\n"
        "working day: 07:00–19:00\n"
        "language: en (staff's messages, and customers' without a language of their own)\n"
        "week starts: Monday\n"
    )
    for option, value, message in [
        ("--sms-per-recipient-day", "0", "texts per recipient per day must be from 1 to 1000, not 0"),
        ("--sms-per-operator-hour", "lots", "texts per operator per hour 'lots' is not a whole number"),
        ("--sms-per-operator-hour", "1_000", "texts per operator per hour '1_000' is not a whole number"),
        (
            "--sms-per-operator-hour",
            "\u0661\u0662",
            "texts per operator per hour '\u0661\u0662' is not a whole",
        ),
        ("--booking-days-ahead", "99999999999999999999", "booking days ahead must be from 1 to 3650"),
        ("--sms-countries", "US,XX", "unknown phone region 'XX'"),
        ("--sms-countries", " , ", "give at least one country code"),
    ]:
        assert refused(cli, db, "settings", "set", option, value).startswith(message)
    cli.json("operator", "add", "--name", "Boss", "--username", "boss", "--role", "supervisor")
    cli.json("--as", "boss", "operator", "add", "--name", "Dee", "--username", "dee", "--role", "dispatcher")
    assert refused(cli, db, "--as", "dee", "settings", "set", "--sms-per-recipient-day", "500", code=4)
    assert "texts per recipient per day: 12\n" in cli("settings", "show")[1]


def test_a_new_team_has_the_documented_defaults() -> None:
    settings = team.TeamSettings.from_stored({}, "America/Chicago")
    assert (
        settings.texted_countries,
        settings.sms_per_recipient_per_day,
        settings.sms_per_operator_per_hour,
    ) == (
        ("US",),
        20,
        200,
    )
    assert (settings.booking_days_back, settings.booking_days_ahead) == (1, 730)
    assert team.TeamSettings.from_stored({"default_region": "GB"}, "UTC").texted_countries == ("GB",)


# --- SMS destinations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("+1 900 555 0100", "customer phone +19005550100 is a premium-rate number; texts go only to mobile"),
        ("+1 800 555 0100", "customer phone +18005550100 is a toll-free number"),
        ("+44 909 000 0000", "customer phone +449090000000 is a premium-rate number"),
        ("+44 70 1234 5678", "customer phone +447012345678 is a personal (vanity) number"),
        ("+44 121 234 5678", "customer phone +441212345678 is a fixed-line number"),
        ("+44 7400 123456", "customer phone +447400123456 is in GB, outside the team's SMS countries (US); "),
        ("+1 506 234 5678", "customer phone +15062345678 is in CA, outside the team's SMS countries (US)"),
    ],
)
def test_texts_go_only_to_mobile_numbers_in_the_teams_countries(
    cli: Cli, db: Database, phone: str, message: str
) -> None:
    args = _booking_args()
    args[args.index("312-555-0199")] = phone
    assert refused(cli, db, *args).startswith(message)


def test_a_supervisor_can_allow_more_countries(cli: Cli, db: Database) -> None:
    args = _booking_args()
    args[args.index("312-555-0199")] = "+44 7400 123456"
    assert "settings set --sms-countries US,GB" in refused(cli, db, *args)
    cli.json("settings", "set", "--sms-countries", "US,GB")
    booking = cli.json(*args, "--queue-only")
    assert isinstance(booking, dict) and booking["customer_phone"] == "+447400123456"
    refused_agent = refused(
        cli, db, "agent", "add", "--name", "Ann", "--phone", "+1 900 555 0100", "--email", "a@example.com"
    )
    assert refused_agent.startswith("phone +19005550100 is a premium-rate number")


# --- SMS caps -----------------------------------------------------------------------------------


def _sms_rows(db: Database) -> list[tuple[str, str | None]]:
    with db.read() as session:
        rows = session.execute(
            select(OutboxMessage.recipient, OutboxMessage.queued_by)
            .where(OutboxMessage.channel == "sms")
            .order_by(OutboxMessage.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_texts_to_one_number_are_capped_and_the_change_is_refused_whole(
    cli: Cli, ctx: ServiceContext, db: Database
) -> None:
    update_team_settings(ctx, sms_per_recipient_per_day=2)
    ann = add_agent(ctx)
    booking = add_booking(ctx, agent_id=ann.id)
    bookings.change_status(ctx, booking.id, "confirmed")
    assert _sms_rows(db) == [("+13125550199", "boss"), ("+13125550101", "boss")] * 2
    message = refused(cli, db, "booking", "status", str(booking.id), "en_route", code=3)
    assert message == (
        "(312) 555-0101 would get 3 texts within 24 hours, over the team's cap of 2; nothing was saved "
        "(a supervisor can raise it: settings set --sms-per-recipient-day N)"
    )
    assert bookings.get_booking(ctx, booking.id).status == "confirmed"
    assert len(_sms_rows(db)) == 4


def test_texts_one_operator_queues_are_capped_per_hour(ctx: ServiceContext, db: Database) -> None:
    update_team_settings(ctx, sms_per_operator_per_hour=3)
    ann = add_agent(ctx)
    add_booking(ctx, agent_id=ann.id)
    before = row_counts(db)
    with pytest.raises(ConflictError) as caught:
        add_booking(ctx, "11:00", "12:00", agent_id=ann.id, phone="312-555-0142")
    assert str(caught.value).startswith("boss would queue 4 texts within an hour, over the team's cap of 3")
    assert caught.value.exit_code == 3
    assert row_counts(db) == before
    with db.write() as session:  # another operator's hour is their own
        session.execute(insert(Operator).values(name="Dee", username="dee", role="dispatcher", active=True))
    add_booking(ServiceContext(db, "dee"), "13:00", "14:00", phone="312-555-0142")
    assert _sms_rows(db)[-1] == ("+13125550142", "dee")


def test_a_cap_and_a_stale_save_name_the_person_not_their_login(ctx: ServiceContext, db: Database) -> None:
    operators.add_operator(ctx, name="Boss Person", username="boss", role="supervisor")
    operators.add_operator(ctx, name="Dana Whitfield", username="dana", role="dispatcher")
    dana = ServiceContext(db, "dana")
    update_team_settings(ctx, sms_per_operator_per_hour=1)
    ann = add_agent(ctx)
    with pytest.raises(ConflictError, match=r"^Dana Whitfield would queue 2 texts within an hour"):
        add_booking(dana, agent_id=ann.id)
    update_team_settings(ctx, sms_per_operator_per_hour=200)
    booking = add_booking(ctx)
    bookings.update_booking(dana, booking.id, notes="Gate code 4417", expect_version=booking.version)
    with pytest.raises(
        StaleVersionError, match=rf"^booking {booking.reference} was changed by Dana Whitfield at "
    ):
        bookings.update_booking(ctx, booking.id, notes="Dog on premises", expect_version=booking.version)


# --- PostgreSQL: two workstations at once ---------------------------------------------------------


def _wait_until_blocked_by(db: Database, holder_pid: int) -> None:
    """Until another session waits for a lock the session `holder_pid` holds."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with db.read() as session:
            waiting = session.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                {"pid": holder_pid},
            )
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the second workstation never waited for the first")


def _while_uncommitted(db: Database, statement, values: dict, work) -> list:  # type: ignore[no-untyped-def]
    """Run `work` on a second workstation while this one holds an uncommitted insert, then commit."""
    other = Database(db.url)
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(work(ServiceContext(other, "boss")))
        except Exception as exc:  # the test asserts on what happened
            outcome.append(exc)

    thread = threading.Thread(target=run)
    try:
        with db.write() as session:
            session.execute(statement, values)
            holder = session.scalar(text("SELECT pg_backend_pid()"))
            thread.start()
            _wait_until_blocked_by(db, holder)
        thread.join(timeout=30)
    finally:
        other.dispose()
    return outcome


def test_two_workstations_booking_the_same_new_customer_share_one_row(pg_db: Database) -> None:
    start = upcoming()
    values = {"name": "Carla First", "phone": "+13125550177", "email": None, "created_at": datetime.now(UTC)}

    def book(ctx: ServiceContext) -> object:
        return bookings.create_booking(
            ctx,
            customer_name="Carla Second",
            customer_phone="312-555-0177",
            customer_email=None,
            address="12 Elm Street",
            service="Boiler service",
            start=start,
            end=start + timedelta(hours=1),
        )

    [outcome] = _while_uncommitted(pg_db, insert(Customer), values, book)
    assert not isinstance(outcome, Exception), repr(outcome)
    with pg_db.read() as session:
        assert session.execute(select(Customer.phone, Customer.name)).all() == [
            ("+13125550177", "Carla Second")
        ]
        assert session.scalar(select(func.count()).select_from(Booking)) == 1


def test_two_workstations_adding_the_same_username_exit_3(pg_db: Database) -> None:
    values = {"name": "Sam First", "username": "sam", "role": "supervisor", "active": True}

    def add(ctx: ServiceContext) -> object:
        return operators.add_operator(ctx, name="Sam Second", username="sam", role="dispatcher")

    [outcome] = _while_uncommitted(pg_db, insert(Operator), values, add)
    assert isinstance(outcome, ConflictError) and outcome.exit_code == 3
    assert str(outcome) == "username 'sam' is already taken"
    with pg_db.read() as session:
        assert session.execute(select(Operator.name)).scalars().all() == ["Sam First"]


def test_a_test_text_obeys_the_same_rules(cli: Cli, db: Database) -> None:
    message = refused(cli, db, "notify", "test", "--sms", "+1 900 555 0100")
    assert message == "sms +19005550100 is a premium-rate number; texts go only to mobile numbers"


def test_a_mixed_case_login_signs_in_as_its_lowercase_operator(db: Database) -> None:
    """A Windows login "JSmith" is operator "jsmith" (the first-run dialog offers that username)."""
    login = ServiceContext(db, "JSmith")
    operators.add_operator(login, name="Jo Smith", username="jsmith", role="supervisor")
    actor = login.actor()
    assert (actor.username, actor.role, actor.bootstrap) == ("jsmith", "supervisor", False)
    assert ServiceContext(db, "jsmith").actor().username == "jsmith"


def test_outbox_listings_escape_what_a_provider_or_an_old_row_put_there(cli: Cli, db: Database) -> None:
    cli.json(*_booking_args(), "--queue-only")
    with db.write() as session:
        session.execute(text("UPDATE outbox SET last_error = :error"), {"error": "bad\x9b31m\nFORGED line"})
    code, out, _ = cli("outbox", "list")
    assert code == 0 and "bad\\x9b31m\\nFORGED line" in out and "\x9b" not in out
    code, out, _ = cli("outbox", "list", "--json")
    assert code == 0 and "bad\\u009b31m\\nFORGED line" in out and "\x9b" not in out


def test_the_demo_loads_for_a_mixed_case_login(db: Database) -> None:
    login = ServiceContext(db, "JSmith")
    demo.load_demo_data(login, date(2030, 3, 14), os_name="Jo Smith")
    assert (login.actor().username, login.actor().role) == ("jsmith", "supervisor")


def test_a_text_to_a_number_stored_before_the_rules_is_skipped_with_the_reason(
    ctx: ServiceContext, db: Database
) -> None:
    ann = add_agent(ctx)
    with db.write() as session:  # an agent saved before premium-rate numbers were refused
        session.execute(text("UPDATE agents SET phone = '+19005550100'"))
    booking = add_booking(ctx, agent_id=ann.id)
    with db.read() as session:
        rows = session.execute(
            select(OutboxMessage.recipient, OutboxMessage.status, OutboxMessage.last_error)
            .where(OutboxMessage.booking_id == booking.id, OutboxMessage.channel == "sms")
            .order_by(OutboxMessage.id)
        ).all()
    assert rows == [
        ("+13125550199", "queued", None),
        (
            "+19005550100",
            "skipped",
            "phone +19005550100 is a premium-rate number; texts go only to mobile numbers",
        ),
    ]
