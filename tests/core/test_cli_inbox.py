"""The inbox and simulate-inbound on the command line: JSON, the [DEV] lines, roles, production refusal."""

from pathlib import Path

import pytest

from dispatch_desktop.storage.engine import Database
from tests.core.test_cli import Cli, _booking_args


@pytest.fixture
def cli(home: Path, database_url: str, db: Database, capsys: pytest.CaptureFixture[str]) -> Cli:
    (home / "config.toml").write_text('environment = "development"\n', encoding="utf-8")
    return Cli(home, database_url, capsys)


def test_a_text_reaches_the_inbox_and_a_dispatcher_answers_it(cli: Cli, home: Path) -> None:
    cli.json(*_booking_args("2030-03-12 09:00", "2030-03-12 10:00"), "--queue-only")
    code, out, err = cli(
        "notify", "simulate-inbound", "--from", "312-555-0199", "--message", "Gate code is 4321"
    )
    assert code == 0, err
    assert out == "inbox message 1: plain text\n"
    assert "[DEV] SMS received - From: +13125550199, Message: Gate code is 4321" in err
    (listed,) = cli.json("inbox", "list", "--unread")
    assert listed["from_phone"] == "+13125550199" and listed["sender_name"] == "Carla Customer"
    assert (listed["booking_reference"], listed["read"], listed["action"]) == (
        "BK-000001",
        False,
        "plain text",
    )

    code, out, err = cli("inbox", "reply", "1", "--message", "Thanks, noted for the visit.")
    assert code == 0, err
    assert "[DEV] SMS (not sent) - To: +13125550199, Message: Thanks, noted for the visit." in err
    assert (
        "[DEV] SMS (not sent) - To: +13125550199, Message: Thanks"
        in (home / "logs" / "notifications.log").read_text()
    )
    shown = cli.json("inbox", "show", "1")
    assert [(e["direction"], e["body"]) for e in shown["conversation"]][-2:] == [
        ("in", "Gate code is 4321"),
        ("out", "Thanks, noted for the visit."),
    ]
    assert shown["read"] is True  # answered
    assert cli.json("inbox", "list", "--unread") == []


def test_the_two_way_flag_and_a_c_by_text(cli: Cli) -> None:
    assert cli.json("settings", "show")["two_way_sms"] is False
    assert cli.json("settings", "set", "--two-way-sms", "on")["two_way_sms"] is True
    cli.json("agent", "add", "--name", "Ann Field", "--phone", "312-555-0101", "--email", "ann@example.com")
    cli.json(*_booking_args("2030-03-12 09:00", "2030-03-12 10:00"), "--agent", "1", "--queue-only")
    applied = cli.json(
        "notify", "simulate-inbound", "--from", "+13125550199", "--message", "c", "--queue-only"
    )
    assert applied["action"] == "confirmed BK-000001"
    assert cli.json("booking", "show", "1")["status"] == "confirmed"
    history = cli.json("booking", "history", "1")
    assert {"actor": "customer +13125550199 by SMS", "new_value": "confirmed"}.items() <= history[-1].items()


def test_call_center_staff_read_and_reply_but_do_not_mark_read(cli: Cli) -> None:
    cli.json("operator", "add", "--name", "Boss", "--username", "boss", "--role", "supervisor")
    cli.json("--as", "boss", "operator", "add", "--name", "Cal", "--username", "cal", "--role", "call-center")
    cli.json("--as", "boss", "notify", "simulate-inbound", "--from", "312-555-0177", "--message", "hello?")
    assert len(cli.json("--as", "cal", "inbox", "list")) == 1
    assert (
        cli.json("--as", "cal", "inbox", "reply", "1", "--message", "Hi!", "--queue-only")["status"]
        == "queued"
    )
    code, out, err = cli("--as", "cal", "inbox", "read", "1")
    assert (code, out) == (4, "") and err.startswith(
        "error: cal (call-center) may not mark texts in the inbox read"
    )
    assert cli.json("--as", "boss", "inbox", "read", "1")["read"] is True


def test_simulate_inbound_is_refused_in_production(cli: Cli, home: Path) -> None:
    (home / "config.toml").write_text('environment = "production"\n', encoding="utf-8")
    code, out, err = cli("notify", "simulate-inbound", "--from", "312-555-0177", "--message", "STOP")
    assert (code, out) == (5, "")
    assert err == (
        "error: simulate-inbound is refused in production: real texts arrive from Twilio through the sync pass\n"
    )
    assert cli.json("inbox", "list") == []
