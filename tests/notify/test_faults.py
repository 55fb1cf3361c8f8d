"""Faults: a worker killed mid-send, stale claims, and two workers racing over one outbox."""

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

from sqlalchemy import insert, update

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import claimer_id, deliver_due
from dispatch_desktop.services import outbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import add_booking, rows
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
    db: Database, ctx: ServiceContext, production: None, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env
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


def _queue_many(db: Database, count: int) -> None:
    now = utcnow()
    with db.write() as session:
        session.execute(
            insert(OutboxMessage.__table__),
            [
                {
                    "dedupe_key": f"load|{i}",
                    "event": "booking_created",
                    "channel": "sms",
                    "recipient": f"+1312555{i:04d}",
                    "recipient_name": f"Customer {i}",
                    "recipient_kind": "customer",
                    "body": f"message {i}",
                    "status": "queued",
                    "queued_environment": "production",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(count)
            ],
        )


def test_two_workers_deliver_each_of_500_rows_exactly_once(
    db: Database, production: None, twilio: FakeTwilio, use_env: Env
) -> None:
    """Runs on SQLite always and on PostgreSQL (FOR UPDATE SKIP LOCKED) when DISPATCH_TEST_DATABASE_URL is set."""
    use_env(twilio.env())
    _queue_many(db, 500)
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
