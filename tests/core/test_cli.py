"""The command line as scripts use it: exit codes, one-line errors, JSON, nothing written on error."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from dispatch_desktop.cli import main
from dispatch_desktop.storage.engine import Database
from tests.conftest import PG_URL, PostgresSchemas
from tests.core.helpers import row_counts


class Cli:
    def __init__(self, home: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--home", str(home), "--database-url", database_url]
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main([*self.base, *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> object:
        code, out, err = self("--json", *args)
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, database_url, capsys)


def _booking_args(start: str = "2026-12-01 09:00", end: str = "2026-12-01 10:00") -> list[str]:
    return [
        "booking",
        "add",
        "--customer-name",
        "Carla Customer",
        "--customer-phone",
        "312-555-0199",
        "--customer-email",
        "carla@example.com",
        "--address",
        "12 Elm Street",
        "--service",
        "Boiler service",
        "--start",
        start,
        "--end",
        end,
    ]


def test_a_bookings_whole_life(cli: Cli) -> None:
    agent = cli.json(
        "agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com"
    )
    booking = cli.json(*_booking_args(), "--call-center")
    assert isinstance(booking, dict) and isinstance(agent, dict)
    assert {k: booking[k] for k in ("status", "version", "agent_id", "source", "customer_phone")} == {
        "status": "pending",
        "version": 1,
        "agent_id": None,
        "source": "call-center",
        "customer_phone": "+13125550199",
    }
    assert booking["start"] == "2026-12-01T15:00:00+00:00"
    bid = str(booking["id"])
    assert (
        cli.json("booking", "assign", bid, str(agent["id"]), "--expect-version", "1")["status"] == "scheduled"
    )
    for status in ("confirmed", "en_route", "in_progress", "completed"):
        assert cli.json("booking", "status", bid, status)["status"] == status
    code, out, _ = cli("booking", "show", bid)
    assert code == 0 and "status:   completed" in out and "agent:    Ann Field" in out
    listed = cli.json("booking", "list", "--status", "completed")
    assert [b["id"] for b in listed] == [booking["id"]]


def test_the_terminal_shows_phones_in_national_format_and_json_keeps_e164(cli: Cli) -> None:
    code, out, err = cli(
        "agent", "add", "--name", "Ann Field", "--phone", "+1 312 555 0101", "--email", "a@x.com"
    )
    assert (code, out) == (0, "added agent Ann Field (id 1, (312) 555-0101)\n"), err
    assert "(312) 555-0101" in cli("agent", "list")[1]
    booking = cli.json(*_booking_args(), "--agent", "1")
    assert isinstance(booking, dict) and booking["customer_phone"] == "+13125550199"
    shown = cli("booking", "show", str(booking["id"]))[1]
    assert "  customer: Carla Customer, (312) 555-0199, carla@example.com" in shown.splitlines()
    notices = cli("booking", "notices", str(booking["id"]))[1]
    assert "customer Carla Customer (312) 555-0199" in notices and "agent Ann Field (312) 555-0101" in notices
    assert "+1312" not in shown + notices


def test_time_off_from_the_terminal(cli: Cli) -> None:
    agent = cli.json(
        "agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com"
    )
    request = cli.json(
        "timeoff",
        "request",
        "--agent",
        str(agent["id"]),
        "--start",
        "2026-12-01 08:00",
        "--end",
        "2026-12-02 08:00",
        "--reason",
        "dentist",
    )
    assert request["status"] == "pending"
    assert cli.json("timeoff", "approve", str(request["id"]))["status"] == "approved"
    assert [t["status"] for t in cli.json("timeoff", "list")] == ["approved"]


def test_timeoff_list_names_who_decided(cli: Cli) -> None:
    cli.json("operator", "add", "--name", "Sam Rivera", "--username", "sam", "--role", "supervisor")
    agent = cli.json(
        "--as",
        "sam",
        "agent",
        "add",
        "--name",
        "Ann Field",
        "--phone",
        "312-555-0101",
        "--email",
        "ann@example.com",
    )
    request = cli.json(
        "--as",
        "sam",
        "timeoff",
        "request",
        "--agent",
        str(agent["id"]),
        "--start",
        "2026-12-01 08:00",
        "--end",
        "2026-12-02 08:00",
    )
    cli.json("--as", "sam", "timeoff", "approve", str(request["id"]))
    code, out, _ = cli("--as", "sam", "timeoff", "list")
    assert code == 0
    assert "Sam Rivera" in out.splitlines()[-1] and " sam " not in out
    [listed] = cli.json("--as", "sam", "timeoff", "list")
    assert isinstance(listed, dict) and (listed["decided_by"], listed["decided_by_name"]) == (
        "sam",
        "Sam Rivera",
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["booking", "show", "77"], 2, "error: no booking with id 77\n"),
        (["booking", "status", "1", "teleported"], 2, "error: unknown status 'teleported'"),
        (
            ["agent", "add", "--name", "X", "--phone", "1", "--email", "x@example.com"],
            2,
            "error: phone '1' is not a phone number\n",
        ),
        (
            ["booking", "list", "--agent", "notanumber"],
            2,
            "error: argument --agent: 'notanumber' is not an id",
        ),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(
    cli: Cli, db: Database, args: list[str], code: int, message: str
) -> None:
    before = row_counts(db)
    got, out, err = cli(*args)
    assert (got, out) == (code, "")
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err
    assert row_counts(db) == before


def test_conflicts_exit_3_and_permissions_exit_4(cli: Cli, db: Database) -> None:
    agent = cli.json(
        "agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com"
    )
    cli.json(*_booking_args(), "--agent", str(agent["id"]))
    code, _, err = cli(*_booking_args("2026-12-01 09:30", "2026-12-01 10:30"), "--agent", str(agent["id"]))
    assert code == 3 and err.startswith("error: Ann Field is already booked: BK-000001")
    cli.json("operator", "add", "--name", "Boss", "--username", "boss", "--role", "supervisor")
    cli.json("--as", "boss", "operator", "add", "--name", "Cal", "--username", "cal", "--role", "call-center")
    before = row_counts(db)
    code, _, err = cli("--as", "cal", *_booking_args("2026-12-01 12:00", "2026-12-01 13:00"), "--agent", "1")
    assert (code, err) == (4, "error: cal (call-center) may not assign and manage bookings\n")
    code, _, err = cli("--as", "nobody", "booking", "list")
    assert code == 4 and "unknown operator 'nobody'" in err
    assert row_counts(db) == before


def test_stale_version_exits_3(cli: Cli) -> None:
    booking = cli.json(*_booking_args())
    cli.json(
        "booking",
        "status",
        str(booking["id"]),
        "cancelled",
        "--reason",
        "moved house",
        "--expect-version",
        "1",
    )
    code, _, err = cli(
        "booking", "status", str(booking["id"]), "cancelled", "--reason", "x", "--expect-version", "1"
    )
    assert code == 3 and "was changed by" in err and err.rstrip().endswith("reload")


def test_unreachable_database_exits_5(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "--home",
            str(home),
            "--database-url",
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "booking",
            "list",
        ]
    )
    err = capsys.readouterr().err
    assert code == 5 and err.startswith("error: database unavailable (PostgreSQL 127.0.0.1:1/none)")


def test_a_bad_prepare_threshold_in_the_url_is_invalid_input(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?prepare_threshold=off"
    code = main(["--home", str(home), "--database-url", url, "booking", "list"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == (
        "error: database URL option prepare_threshold='off' must be 'none' (for PgBouncer in "
        "transaction mode) or a whole number\n"
    )


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="PostgreSQL-only: set DISPATCH_TEST_DATABASE_URL")
def test_prepare_threshold_none_turns_prepared_statements_off(pg_schemas: PostgresSchemas) -> None:
    db = Database(pg_schemas.new_url() + "&prepare_threshold=None")
    try:
        with db.read() as session:
            for _ in range(8):
                session.execute(text("SELECT 1"))
            assert session.connection().connection.dbapi_connection.prepare_threshold is None
            assert session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar() == 0
    finally:
        db.dispose()


def test_schema_out_of_date_exits_5_and_upgrade_fixes_it(
    home: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if database_url.startswith("sqlite"):
        code = main(["--home", str(home), "--database-url", database_url, "--json", "agent", "list"])
        assert (code, json.loads(capsys.readouterr().out)) == (0, [])  # SQLite is created on first use
        return
    base = ["--home", str(home), "--database-url", database_url]
    assert main([*base, "agent", "list"]) == 5
    assert (
        "has no Dispatch Desktop schema yet; an admin must run 'dispatch-desktop db upgrade'"
        in capsys.readouterr().err
    )
    assert main([*base, "db", "upgrade"]) == 0
    assert main([*base, "agent", "list"]) == 0
    database = Database(database_url)
    with database.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'f00dface'"))
    database.dispose()
    capsys.readouterr()
    assert main([*base, "agent", "list"]) == 5
    assert "is newer than this program knows" in capsys.readouterr().err


def test_module_entry_point_has_no_traceback_for_user_errors(home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dispatch_desktop", "--home", str(home), "booking", "show", "5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (2, "error: no booking with id 5\n")


def test_without_a_business_zone_the_system_zone_comes_from_tz(home: Path) -> None:
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dispatch_desktop", "--home", str(home), "--json", *argv],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "TZ": "Asia/Tokyo"},
        )

    added = run(*_booking_args("2026-12-04T12:00", "2026-12-04T13:00"), "--call-center")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["start"] == "2026-12-04T03:00:00+00:00"
    assert json.loads(run("settings", "show").stdout)["business_timezone"] == "Asia/Tokyo"


def test_booking_list_needs_reassignment_finds_bookings_under_approved_time_off(cli: Cli) -> None:
    ann = cli.json(
        "agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com"
    )
    assert isinstance(ann, dict)
    booked = cli.json(*_booking_args(), "--agent", str(ann["id"]))
    cli.json(*_booking_args("2026-12-01 11:00", "2026-12-01 12:00"))  # unassigned: not Ann's problem
    assert isinstance(booked, dict)
    off = cli.json(
        "timeoff",
        "request",
        "--agent",
        str(ann["id"]),
        "--start",
        "2026-12-01 08:00",
        "--end",
        "2026-12-01 18:00",
    )
    assert isinstance(off, dict)
    assert cli.json("booking", "list", "--needs-reassignment") == []
    code, _out, err = cli("timeoff", "approve", str(off["id"]), "--force")
    assert code == 0, err
    found = cli.json("booking", "list", "--needs-reassignment")
    assert isinstance(found, list)
    assert [(b["id"], b["needs_reassignment"]) for b in found] == [(booked["id"], True)]
