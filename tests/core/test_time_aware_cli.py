"""Issue 14's clock rules at the command line: settings, the held-notices note, held rows listed."""

import re
from pathlib import Path

import pytest

from dispatch_desktop.storage.engine import Database
from tests.core.test_cli import Cli, _booking_args


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, database_url, capsys)


def test_settings_set_and_show_the_clock_rules(cli: Cli) -> None:
    shown = cli.json(
        "settings", "set", "--reminders", "2h,24h", "--quiet-hours", "22:00-07:00", "--customer-hold", "45"
    )
    assert isinstance(shown, dict)
    assert (shown["reminders"], shown["quiet_hours"], shown["customer_hold_seconds"]) == (
        ["24h", "2h"],
        "22:00-07:00",
        45,
    )
    cli.json("settings", "set", "--reminders", "off", "--quiet-hours", "off", "--customer-hold", "0")
    shown = cli.json("settings", "show")
    assert isinstance(shown, dict)
    assert (shown["reminders"], shown["quiet_hours"], shown["customer_hold_seconds"]) == ([], None, 0)


@pytest.mark.parametrize(
    ("flag", "value", "error"),
    [
        (
            "--reminders",
            "5x",
            "error: reminders: '5x' is not an offset like 24h, 2h, 90m or 30s (a list, or 'off')",
        ),
        (
            "--quiet-hours",
            "9pm-8am",
            "error: quiet hours: '9pm-8am' is not a window like 21:00-08:00 (or 'off')",
        ),
        ("--customer-hold", "-1", "error: customer hold seconds must be"),
    ],
)
def test_a_bad_clock_setting_is_one_error_line_and_exit_2(
    cli: Cli, flag: str, value: str, error: str
) -> None:
    code, out, err = cli("settings", "set", f"{flag}={value}")
    assert (code, out) == (2, "")
    assert err.startswith(error) and err.count("\n") == 1
    shown = cli.json("settings", "show")
    assert isinstance(shown, dict) and shown["reminders"] == []  # nothing written


def test_a_command_that_leaves_held_notices_says_when_they_go(cli: Cli) -> None:
    cli.json("settings", "set", "--customer-hold", "60")
    cli.json("agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com")
    booking = cli.json(*_booking_args(), "--agent", "1")
    assert isinstance(booking, dict)
    code, _out, err = cli(
        "booking",
        "reschedule",
        str(booking["id"]),
        "--start",
        "2026-12-01 11:00",
        "--end",
        "2026-12-01 12:00",
    )
    assert code == 0
    assert re.search(
        r"^2 customer notices held until \d\d:\d\d:\d\d; a running console or `notifier run` sends them$",
        err,
        re.MULTILINE,
    ), err
    held = cli.json("outbox", "list", "--status", "held")
    assert isinstance(held, list)
    assert {(row["channel"], row["hold_reason"], row["recipient_kind"]) for row in held} == {
        ("sms", "coalescing", "customer"),
        ("email", "coalescing", "customer"),
    }
    code, shown, _err = cli("outbox", "show", str(held[0]["id"]))
    assert code == 0 and f"  due:       {held[0]['due_at']} (coalescing)" in shown.splitlines()
    counts = cli.json("outbox", "counts")
    assert isinstance(counts, dict) and (counts["held"], counts["scheduled"]) == (2, 0)
