"""The notifier's commands, run through the real entry point against the local servers."""

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import insert

from dispatch_desktop.cli import main
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage
from tests.notify.helpers import CUSTOMER_EMAIL, CUSTOMER_PHONE
from tests.servers.memory_keyring import MemoryKeyring
from tests.servers.smtp_fake import FakeSmtp
from tests.servers.twilio_fake import DEFAULT_TOKEN, FakeTwilio, Reply

Env = Callable[..., None]
SID = "AC" + "2" * 32


class Cli:
    def __init__(self, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.home, self.capsys = home, capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(["--home", str(self.home), *argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *argv: str) -> object:
        code, out, err = self(*argv, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(home: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(home, capsys)


BOOKING = (
    "booking",
    "add",
    "--customer-name",
    "Carla Customer",
    "--customer-phone",
    CUSTOMER_PHONE,
    "--customer-email",
    CUSTOMER_EMAIL,
    "--address",
    "12 Elm Street, Chicago",
    "--service",
    "Boiler service",
    "--start",
    "2026-12-01 09:00",
    "--end",
    "2026-12-01 10:00",
    "--call-center",
)


def test_a_booking_command_delivers_its_notifications_before_exiting(cli: Cli, home: Path) -> None:
    code, _out, err = cli(*BOOKING)
    assert code == 0
    assert (
        f"[DEV] SMS (not sent) - To: {CUSTOMER_PHONE}, Message: We have your request for Boiler service"
        in err
    )
    assert (
        f"[DEV] EMAIL (not sent) - To: {CUSTOMER_EMAIL}, Subject: Booking Request Received: BK-000001" in err
    )
    assert err.count("[DEV]") == 2  # one line each, not repeated through the root logger
    listed = cli.json("outbox", "list")
    assert isinstance(listed, list) and len(listed) == 2
    for row in listed:
        assert {
            "id",
            "channel",
            "recipient",
            "subject",
            "status",
            "attempts",
            "last_error",
            "provider_id",
            "event",
        } <= (set(row))
        assert row["status"] == "logged" and row["created_at"]
    log_file = (home / "logs" / "notifications.log").read_text()
    assert (
        "[DEV] EMAIL (not sent) - To: carla@example.com, Subject: Booking Request Received: BK-000001"
        in log_file
    )


def test_queue_only_then_notifier_run_once(cli: Cli) -> None:
    assert cli(*BOOKING, "--queue-only")[0] == 0
    assert cli.json("outbox", "counts")["queued"] == 2  # type: ignore[index]
    code, out, err = cli("notifier", "run", "--once")
    assert code == 0 and "[DEV] delivered: 2 logged" in out and err.count("(not sent)") == 2
    assert cli.json("outbox", "list", "--status", "logged").__len__() == 2


def test_retry_and_dismiss_follow_the_rules(
    cli: Cli, production: None, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env
) -> None:
    use_env(twilio.env(), smtp.env())
    twilio.reply_for(CUSTOMER_PHONE, Reply.invalid_number())
    smtp.fail_next(550, "5.1.1 No such user")
    code, _out, err = cli(*BOOKING)
    assert code == 0 and "(permanent)" in err
    failed = cli.json("outbox", "list", "--status", "failed")
    assert isinstance(failed, list) and {row["channel"] for row in failed} == {"sms", "email"}
    sms = next(row for row in failed if row["channel"] == "sms")
    email = next(row for row in failed if row["channel"] == "email")
    assert cli("outbox", "retry", str(email["id"]))[0] == 0
    code, _out, err = cli("notifier", "run", "--once")
    assert code == 0 and smtp.recipients() == [CUSTOMER_EMAIL]
    code, _out, err = cli("outbox", "retry", str(email["id"]))
    assert code == 3 and err.startswith("error: outbox message") and "is sent" in err
    code, out, _err = cli("outbox", "dismiss", str(sms["id"]))
    assert code == 0 and "dismissed" in out
    assert cli("outbox", "dismiss", "999")[0] == 2


def test_notify_test_goes_through_the_same_path_in_production(
    cli: Cli, production: None, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env
) -> None:
    use_env(twilio.env(), smtp.env())
    code, out, err = cli("notify", "test", "--sms", "312-555-0100", "--email", "me@example.com")
    assert code == 0, err
    assert "sms to (312) 555-0100: sent" in out and "email to me@example.com: sent" in out
    assert twilio.sent_to() == ["+13125550100"] and smtp.recipients() == ["me@example.com"]
    assert "[PROD] SMS sent - To: +13125550100, SID: SM" in err


def test_notify_test_in_development_only_logs(cli: Cli, twilio: FakeTwilio, use_env: Env) -> None:
    use_env(twilio.env())
    code, out, err = cli("notify", "test", "--sms", "312-555-0100")
    assert code == 0 and "sms to (312) 555-0100: logged" in out
    assert "[DEV] SMS (not sent) - To: +13125550100, Message: Dispatch Desktop test message" in err
    assert twilio.requests == []


def test_credentials_set_show_delete(
    cli: Cli, home: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(DEFAULT_TOKEN + "\n"))
    code, out, _ = cli("credentials", "set", "twilio", "--account-sid", SID, "--phone-number", "+13125550100")
    assert code == 0 and "keyring" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("smtp-pass-1234\n"))
    code, _, err = cli(
        "credentials", "set", "smtp", "--host", "127.0.0.1", "--port", "2525", "--user", "u@example.com",
        "--from", "dispatch@example.com", "--no-starttls",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = cli("credentials", "show")
    assert code == 0
    assert "TWILIO_AUTH_TOKEN    set  (keyring)" in out and "SMTP_PASSWORD        set  (keyring)" in out
    assert f"TWILIO_ACCOUNT_SID   {SID}  (config)" in out and "SMTP_STARTTLS        false  (config)" in out
    assert DEFAULT_TOKEN not in out and "smtp-pass-1234" not in out
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert DEFAULT_TOKEN.encode() not in data and b"smtp-pass-1234" not in data, path
    assert cli("credentials", "delete", "twilio")[0] == 0
    assert "TWILIO_AUTH_TOKEN    not set  (missing)" in cli("credentials", "show")[1]


def test_credentials_set_twilio_with_a_messaging_service_sends_through_it(
    cli: Cli,
    home: Path,
    production: None,
    twilio: FakeTwilio,
    memory_keyring: MemoryKeyring,
    use_env: Env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_env({"TWILIO_API_BASE_URL": twilio.base_url})
    service = "MG" + "0123456789abcdef" * 2
    set_twilio = ("credentials", "set", "twilio", "--account-sid", twilio.account_sid, "--phone-number",
                  "+15005550006")  # fmt: skip
    monkeypatch.setattr("sys.stdin", io.StringIO(twilio.auth_token + "\n"))
    code, _, err = cli(*set_twilio, "--messaging-service-sid", service)
    assert code == 0, err
    assert f'messaging_service_sid = "{service}"' in (home / "config.toml").read_text(encoding="utf-8")
    assert f"TWILIO_MESSAGING_SERVICE_SID {service}  (config)" in cli("credentials", "show")[1]
    code, _, err = cli("notify", "test", "--sms", "312-555-0100")
    assert code == 0, err
    [request] = [r for r in twilio.requests if r["method"] == "POST"]
    assert request["form"]["MessagingServiceSid"] == service and "From" not in request["form"]

    written = (home / "config.toml").read_bytes()
    monkeypatch.setattr("sys.stdin", io.StringIO("token-7777\n"))
    code, out, err = cli(*set_twilio, "--messaging-service-sid", "MG123")
    assert (code, out) == (2, "")
    assert err == "error: Messaging Service SID 'MG123' does not look like one (MG and 32 hex digits)\n"
    assert (home / "config.toml").read_bytes() == written
    assert "token-7777" not in memory_keyring.store.values()


def test_credentials_without_a_keyring(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("token-5555\n"))
    code, _out, err = cli(
        "credentials", "set", "twilio", "--account-sid", SID, "--phone-number", "+13125550100"
    )
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(
        "error: cannot store TWILIO_AUTH_TOKEN: no usable OS keyring"
    )
    assert "token-5555" not in err
    code, out, _ = cli("credentials", "show")
    assert code == 0 and "keyring: no usable OS keyring found" in out


LOCKED_HINT = (
    "the OS keyring is locked; unlock it (log in to the desktop session, or on Linux run "
    "'gnome-keyring-daemon --replace --unlock' and type the keyring's password), or set TWILIO_AUTH_TOKEN / "
    "SMTP_PASSWORD / O365_CLIENT_SECRET in the environment"
)


def test_a_locked_keyring_is_named_as_locked_in_show_set_delete_and_sending(
    cli: Cli,
    production: None,
    twilio: FakeTwilio,
    memory_keyring: MemoryKeyring,
    use_env: Env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_env({"TWILIO_API_BASE_URL": twilio.base_url})
    monkeypatch.setattr("sys.stdin", io.StringIO(twilio.auth_token + "\n"))
    cli("credentials", "set", "twilio", "--account-sid", twilio.account_sid, "--phone-number", "+15005550006")
    memory_keyring.locked = True

    code, out, _ = cli("credentials", "show")
    assert code == 0
    assert "twilio  TWILIO_AUTH_TOKEN    cannot tell: the OS keyring is locked  (locked)" in out
    assert f"keyring: {LOCKED_HINT}" in out.splitlines()
    assert "not set" not in out.split("TWILIO_AUTH_TOKEN")[1].splitlines()[0]
    shown = cli.json("credentials", "show")
    assert shown["keyring_problem"] == LOCKED_HINT  # type: ignore[index]

    monkeypatch.setattr("sys.stdin", io.StringIO("token-6666\n"))
    code, _, err = cli(
        "credentials", "set", "twilio", "--account-sid", twilio.account_sid, "--phone-number", "+15005550006"
    )
    assert (code, err) == (1, f"error: cannot store TWILIO_AUTH_TOKEN: {LOCKED_HINT}\n")
    code, _, err = cli("credentials", "delete", "twilio")
    assert (code, err) == (1, f"error: cannot delete TWILIO_AUTH_TOKEN: {LOCKED_HINT}\n")

    code, _, err = cli(*BOOKING)
    assert code == 0 and twilio.sent_to() == []
    expected = f"missing credentials: TWILIO_AUTH_TOKEN ({LOCKED_HINT})"
    assert f"[PROD] SMS failed - To: {CUSTOMER_PHONE}, Error: {expected} (retry)" in err
    sms = [row for row in cli.json("outbox", "list") if row["channel"] == "sms"]  # type: ignore[union-attr, index]
    assert [(row["status"], row["last_error"]) for row in sms] == [("retry", expected)]

    memory_keyring.locked = False  # unlocked: the next run sends the waiting row with the kept token
    assert cli("notifier", "run", "--once")[0] == 0
    assert twilio.sent_to() == [CUSTOMER_PHONE]


def test_production_with_credentials_in_the_keyring_sends(
    cli: Cli,
    production: None,
    twilio: FakeTwilio,
    memory_keyring: MemoryKeyring,
    use_env: Env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_env({"TWILIO_API_BASE_URL": twilio.base_url})
    monkeypatch.setattr("sys.stdin", io.StringIO(twilio.auth_token + "\n"))
    cli("credentials", "set", "twilio", "--account-sid", twilio.account_sid, "--phone-number", "+15005550006")
    code, _out, err = cli(*BOOKING)
    assert code == 0
    assert twilio.sent_to() == [CUSTOMER_PHONE]
    assert twilio.auth_token not in err


def test_notifier_run_keeps_going_and_stops_cleanly_on_sigterm(cli: Cli, home: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    assert cli(*BOOKING, "--queue-only")[0] == 0
    env = {k: v for k, v in os.environ.items() if k != "FLASK_ENV"}
    runner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dispatch_desktop",
            "--home",
            str(home),
            "notifier",
            "run",
            "--interval",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and cli.json("outbox", "counts").get("logged", 0) < 2:  # type: ignore[attr-defined]
            time.sleep(0.1)
        assert runner.poll() is None  # still running, waiting for more
        runner.send_signal(signal.SIGTERM)
        out, err = runner.communicate(timeout=30)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.communicate()
    assert runner.returncode == 0, err
    assert "[DEV] delivered: 2 logged" in out
    assert err.count("(not sent)") == 2


def test_outbox_list_returns_every_matching_row_unless_limited(cli: Cli, home: Path) -> None:
    assert cli("outbox", "counts")[0] == 0  # creates the SQLite database in the home folder
    db = Database(f"sqlite:///{home / 'dispatch.db'}")
    with db.write() as session:
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "dedupe_key": f"test|{n}",
                    "event": "test",
                    "channel": "sms",
                    "recipient": f"+1312555{n:04d}",
                    "recipient_kind": "customer",
                    "body": "hello",
                    "status": "logged",
                    "queued_environment": "development",
                }
                for n in range(300)
            ],
        )
    db.dispose()

    assert len(cli.json("outbox", "list")) == 300  # type: ignore[arg-type]
    code, out, _err = cli("outbox", "list")
    assert code == 0 and len(out.splitlines()) == 301 and "showing" not in out
    code, out, _err = cli("outbox", "list", "--limit", "50")
    assert code == 0 and len(out.splitlines()) == 52 and out.splitlines()[-1] == "showing 50 of 300"
    assert out.splitlines()[1].startswith("300 ")  # the newest first
    assert len(cli.json("outbox", "list", "--limit", "50")) == 50  # type: ignore[arg-type]
    assert "showing" not in cli("outbox", "list", "--limit", "300")[1]
    code, _out, err = cli("outbox", "list", "--limit", "0")
    assert (code, err) == (
        2,
        "error: argument --limit: '0' is not a limit (a whole number from 1 to 100000)"
        " (see 'dispatch-desktop outbox list --help')\n",
    )


MISTAKEN = "FLASK_ENV='Production ' is not 'production': development, nothing is sent"


def test_production_with_a_trailing_space_sends_nothing_and_every_command_says_so(
    cli: Cli, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env
) -> None:
    use_env(twilio.env(), smtp.env(), {"FLASK_ENV": "Production "})
    code, _out, err = cli(*BOOKING)
    assert code == 0, err
    assert err.splitlines()[0] == f"warning: {MISTAKEN}"
    assert f"[DEV] SMS (not sent) - To: {CUSTOMER_PHONE}" in err
    assert twilio.requests == [] and smtp.messages == []
    for argv in (("outbox", "counts"), ("outbox", "list", "--json"), ("notifier", "run", "--once")):
        code, _out, err = cli(*argv)
        assert code == 0 and err.splitlines()[0] == f"warning: {MISTAKEN}", argv
    code, out, err = cli("credentials", "show")
    assert code == 0 and f"warning: {MISTAKEN}" in out.splitlines()
    assert MISTAKEN in cli.json("credentials", "show")["warnings"]  # type: ignore[index]
    assert twilio.requests == [] and smtp.messages == []


def test_the_exact_word_prints_no_warning(cli: Cli, use_env: Env) -> None:
    use_env({"FLASK_ENV": "production"})
    code, _out, err = cli("outbox", "counts")
    assert code == 0 and "is not 'production'" not in err
