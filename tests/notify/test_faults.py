"""Faults: a worker killed mid-send, stale claims, two workers racing over one outbox, and an
unexpected error inside a delivery run."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from dispatch_desktop.cli import main
from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import DeliveryStoppedError, claimer_id, deliver_due
from dispatch_desktop.services import outbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage
from dispatch_desktop.storage.types import utcnow
from tests.bench.common import queue_outbox
from tests.core.helpers import DAY
from tests.notify.helpers import CUSTOMER_EMAIL, CUSTOMER_PHONE, add_booking, rows
from tests.servers.smtp_fake import FakeSmtp
from tests.servers.twilio_fake import FakeTwilio

Env = Callable[..., None]
Lines = Callable[[], list[str]]

DOOMED_WORKER = """
import sys
from dispatch_desktop.config import Config
from dispatch_desktop.notify import delivery
from dispatch_desktop.storage.engine import Database

delivery.SMS_CONCURRENCY = 2  # two texts in flight when it dies, the third not yet claimed
delivery.deliver_due(Database(sys.argv[1]), Config(), worker_id="doomed")
"""


def url_of(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def test_a_worker_killed_mid_send_loses_nothing_and_resends_no_sms_blindly(
    db: Database, ctx: ServiceContext, production: None, twilio: FakeTwilio, use_env: Env, log_lines: Lines
) -> None:
    use_env(twilio.env())
    for i in range(3):
        add_booking(ctx, call_center=True, email=None, phone=f"312-555-014{i}", name=f"Customer {i}")
    twilio.hold()
    worker = subprocess.Popen([sys.executable, "-c", DOOMED_WORKER, url_of(db)], env=dict(os.environ))
    try:
        assert twilio.held.wait(30), "the worker never reached Twilio"
        # Both sends of the first batch are inside Twilio when the process dies.
        deadline = time.monotonic() + 30
        while len(twilio.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(twilio.requests) == 2
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    twilio.release()  # Twilio finishes what it was given: those texts DID go out
    assert [r.status for r in rows(db, channel="sms")] == ["sending", "sending", "queued"]

    report = deliver_due(db, Config(), worker_id="survivor")
    sms = rows(db, channel="sms")
    assert [r.status for r in sms] == ["unknown", "unknown", "sent"]
    assert report.recovered == 2
    assert all("stopped during the send" in (r.last_error or "") for r in sms[:2])
    assert sum(line.endswith("(unknown)") for line in log_lines()) == 2
    assert len(twilio.requests) == 3  # the two in-doubt texts were not sent again
    assert max(Counter(twilio.sent_to()).values()) == 1

    deliver_due(db, Config(), worker_id="survivor", now=lambda: utcnow() + timedelta(hours=2))
    assert len(twilio.requests) == 3  # nor later

    # A person checks Twilio's console, then retries one and dismisses the other.
    outbox.retry_message(ctx, sms[0].id)
    outbox.dismiss_message(ctx, sms[1].id)
    deliver_due(db, Config(), worker_id="survivor")
    assert [r.status for r in rows(db, channel="sms")] == ["sent", "dismissed", "sent"]


def _claim_as(db: Database, row_id: int, claimed_by: str, minutes_ago: float, environment: str) -> None:
    with db.write() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(
                status="sending",
                claimed_by=claimed_by,
                claimed_at=utcnow() - timedelta(minutes=minutes_ago),
                attempts=1,
                environment=environment,
            )
        )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_claims_sms_unknown_email_resent_with_the_same_message_id(
    db: Database,
    ctx: ServiceContext,
    production: None,
    twilio: FakeTwilio,
    smtp: FakeSmtp,
    use_env: Env,
    log_lines: Lines,
) -> None:
    use_env(twilio.env(), smtp.env())
    add_booking(ctx, call_center=True)
    sms, email = rows(db)
    dead = f"crashed@{socket.gethostname()}:{_dead_pid()}"
    _claim_as(db, sms.id, dead, 0, "production")
    _claim_as(db, email.id, "elsewhere@other-host:1234", 30, "production")
    report = deliver_due(db, Config(), worker_id="w", stale_after=timedelta(minutes=15))
    assert report.recovered == 2
    sms, email = rows(db)
    assert sms.status == "unknown" and twilio.requests == []
    assert email.status == "sent" and smtp.recipients() == [email.recipient]
    # Only the process proven gone "stopped"; the one on another host may be alive, merely silent.
    recovered = {line for line in log_lines() if "failed - To:" in line}
    assert recovered == {
        f"[PROD] SMS failed - To: {sms.recipient}, Error: the sending process stopped during the send; "
        "it may have been delivered: check Twilio, then retry or dismiss (unknown)",
        f"[PROD] EMAIL failed - To: {email.recipient}, Error: elsewhere@other-host:1234 recorded no outcome "
        "within 15 minutes of claiming it; sending again with the same Message-ID (retry)",
    }


def test_a_live_claim_is_left_alone(
    db: Database, ctx: ServiceContext, production: None, twilio: FakeTwilio, use_env: Env
) -> None:
    use_env(twilio.env())
    add_booking(ctx, call_center=True, email=None)
    [sms] = rows(db, channel="sms")
    _claim_as(db, sms.id, claimer_id("busy"), 1, "production")  # this very process: alive
    assert deliver_due(db, Config(), worker_id="w").recovered == 0
    assert rows(db, channel="sms")[0].status == "sending" and twilio.requests == []


def test_a_development_claim_is_queued_again(db: Database, ctx: ServiceContext, log_lines: Lines) -> None:
    add_booking(ctx, call_center=True, email=None)
    [sms] = rows(db, channel="sms")
    _claim_as(db, sms.id, "gone@other-host:1", 60, "development")
    deliver_due(db, Config(), worker_id="w")
    assert rows(db, channel="sms")[0].status == "logged"  # nothing could have left the machine in development


def test_two_workers_deliver_each_of_500_rows_exactly_once(
    db: Database, production: None, twilio: FakeTwilio, use_env: Env
) -> None:
    """Runs on SQLite always and on PostgreSQL (FOR UPDATE SKIP LOCKED) when DISPATCH_TEST_DATABASE_URL is set."""
    use_env(twilio.env())
    queue_outbox(db, sms=500)
    url = url_of(db)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        own = Database(url)  # its own engine, connections and sessions: a second workstation
        try:
            start.wait()
            deliver_due(own, Config(), worker_id=name)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.dispose()

    workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(120)
    assert errors == []
    sent = Counter(twilio.sent_to())
    assert len(sent) == 500 and set(sent.values()) == {1}
    final = rows(db)
    assert {r.status for r in final} == {"sent"}
    assert len({r.provider_id for r in final}) == 500
    assert {r.claimed_by.split("@")[0] for r in final if r.claimed_by} == {"worker-1", "worker-2"}


# --- a notifier killed mid-batch (emails) ------------------------------------------------------

KILL_AT = 30  # the 10th email of the second claimed batch of 20


def _notifier(home: Path, db: Database, *extra: str, script: str | None = None) -> subprocess.Popen[str]:
    """`dispatch-desktop notifier run` as its own process, with this test's environment."""
    command = ["-c", script] if script else ["-m", "dispatch_desktop"]
    argv = ["--home", str(home), "--database-url", url_of(db), "notifier", "run", *extra]
    return subprocess.Popen(
        [sys.executable, *command, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_a_notifier_killed_mid_batch_resends_only_the_email_on_the_wire(
    db: Database, home: Path, production: None, smtp: FakeSmtp, use_env: Env
) -> None:
    use_env(smtp.env())
    queue_outbox(db, email=60, tag="kill")
    on_wire, release = threading.Event(), threading.Event()
    accept = smtp._accept

    def accept_then_stall(envelope: Any) -> str:
        reply = accept(envelope)
        if len(smtp.messages) == KILL_AT:
            on_wire.set()  # the server has the email; its 250 waits until the notifier is dead
            release.wait(30)
        return reply

    smtp._accept = accept_then_stall  # type: ignore[method-assign]
    notifier = _notifier(home, db, "--once")
    try:
        assert on_wire.wait(60), "the notifier never reached the server"
    finally:
        notifier.send_signal(signal.SIGKILL)
        notifier.communicate(timeout=30)
        release.set()
    # Every email whose 250 reached the notifier was recorded before it sent the next one.
    assert Counter(r.status for r in rows(db))["sent"] == KILL_AT - 1

    deliver_due(db, Config(), worker_id="survivor")  # the dead process's claims go back to `retry`
    assert {r.status for r in rows(db)} == {"sent"}
    received = Counter(str(message["Message-ID"]) for message in smtp.messages)
    assert len(received) == 60
    assert sum(received.values()) - 60 == 1  # one open connection: at most one email sent twice


# --- an unexpected error inside a delivery run ---------------------------------------------------


BUG_REASON = "delivery stopped by an unexpected error: RuntimeError: a bug in the sending path"


def _a_bug(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("a bug in the sending path")


def test_an_unexpected_error_puts_held_rows_back_and_the_booking_command_succeeds(
    home: Path,
    production: None,
    twilio: FakeTwilio,
    smtp: FakeSmtp,
    use_env: Env,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_env(twilio.env(), smtp.env())
    monkeypatch.setattr("dispatch_desktop.notify.smtp_sender.SmtpBatch._connect", _a_bug)
    code = main(
        [
            *("--home", str(home), "booking", "add", "--customer-name", "Carla Customer"),
            *("--customer-phone", CUSTOMER_PHONE, "--customer-email", CUSTOMER_EMAIL),
            *("--address", "12 Elm Street, Chicago", "--service", "Boiler service"),
            *("--start", f"{DAY} 09:00", "--end", f"{DAY} 10:00", "--call-center"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith("created BK-000001")
    assert "Traceback" not in err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "RuntimeError: a bug in the sending path" in warnings[0]
    assert "1 message(s) put back to be sent later" in warnings[0]
    db = Database(f"sqlite:///{home / 'dispatch.db'}")
    try:
        sms, email = rows(db)
    finally:
        db.dispose()
    assert sms.status == "sent" and twilio.sent_to() == [CUSTOMER_PHONE]
    assert email.status == "retry" and smtp.messages == []
    assert email.last_error == BUG_REASON
    assert email.next_attempt_at > utcnow()
    assert f"[PROD] EMAIL failed - To: {CUSTOMER_EMAIL}, Error: {email.last_error} (retry)" in err


def test_an_unexpected_error_leaves_no_row_sending(
    db: Database,
    ctx: ServiceContext,
    production: None,
    smtp: FakeSmtp,
    use_env: Env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A whole claimed batch (20 emails) goes back, not only the one being sent."""
    use_env(smtp.env())
    queue_outbox(db, email=25, tag="bug")
    monkeypatch.setattr("dispatch_desktop.notify.smtp_sender.SmtpBatch._connect", _a_bug)
    with pytest.raises(DeliveryStoppedError, match="20 message"):
        deliver_due(db, Config(), worker_id="w")
    assert Counter(r.status for r in rows(db)) == {"retry": 20, "queued": 5}


def test_an_unexpected_error_during_a_text_leaves_it_unknown_never_resent_blindly(
    db: Database,
    ctx: ServiceContext,
    production: None,
    twilio: FakeTwilio,
    use_env: Env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_env(twilio.env())
    add_booking(ctx, call_center=True, email=None)
    monkeypatch.setattr("dispatch_desktop.notify.twilio_sender.TwilioSender.send", _a_bug)
    with pytest.raises(DeliveryStoppedError, match="1 message"):
        deliver_due(db, Config(), worker_id="w")
    [sms] = rows(db, channel="sms")
    assert sms.status == "unknown"  # the request may have reached Twilio before the error
    assert sms.last_error == BUG_REASON


FLAKY_NOTIFIER = """
import sys
from dispatch_desktop import cli
from dispatch_desktop.notify import smtp_sender

real, calls = smtp_sender.SmtpBatch._connect, []

def connect_once_broken(self):
    calls.append(1)
    if len(calls) == 1:
        raise RuntimeError("a bug in the sending path")
    return real(self)

smtp_sender.SmtpBatch._connect = connect_once_broken
sys.exit(cli.main(sys.argv[1:]))
"""


def test_the_headless_notifier_keeps_running_after_an_unexpected_error(
    db: Database, home: Path, production: None, smtp: FakeSmtp, use_env: Env
) -> None:
    use_env(smtp.env())
    queue_outbox(db, email=1, tag="first")
    notifier = _notifier(home, db, "--interval", "0.2", script=FLAKY_NOTIFIER)
    try:
        deadline = time.monotonic() + 30
        while rows(db)[0].status != "retry":
            assert time.monotonic() < deadline and notifier.poll() is None, "the first run did not fail"
            time.sleep(0.1)
        queue_outbox(db, email=1, tag="second")  # the process is still polling, and sends this one
        while len(smtp.messages) < 1:
            assert time.monotonic() < deadline and notifier.poll() is None, "the notifier stopped"
            time.sleep(0.1)
        notifier.send_signal(signal.SIGTERM)
        _out, err = notifier.communicate(timeout=30)
    finally:
        if notifier.poll() is None:
            notifier.kill()
            notifier.communicate()
    assert notifier.returncode == 0, err
    assert "Traceback" not in err
    assert f"warning: {BUG_REASON}" in err
    assert [r.status for r in rows(db)] == ["retry", "sent"]
