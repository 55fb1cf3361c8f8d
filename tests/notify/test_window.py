"""The SMS sliding window and the email lane's one connection: throughput without giving up safety."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import insert

from dispatch_desktop.config import Config, TwilioConfig
from dispatch_desktop.notify import delivery
from dispatch_desktop.notify.smtp_sender import SmtpBatch
from dispatch_desktop.notify.twilio_sender import TwilioSender
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import OutboxMessage
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import rows
from tests.servers.smtp_fake import FakeSmtp
from tests.servers.twilio_fake import FakeTwilio

Env = Callable[..., None]


def queue(db: Database, count: int, channel: str = "sms") -> None:
    now = utcnow()
    with db.write() as session:
        session.execute(
            insert(OutboxMessage.__table__),
            [
                {
                    "dedupe_key": f"window|{channel}|{i}",
                    "event": "booking_created",
                    "channel": channel,
                    "recipient": f"+1312555{i:04d}" if channel == "sms" else f"c{i}@example.com",
                    "recipient_name": f"Customer {i}",
                    "recipient_kind": "customer",
                    "subject": None if channel == "sms" else f"Booking {i}",
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


def url_of(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def count_sending(db: Database) -> int:
    return len(rows(db, status="sending"))


# --- SMS: the sliding window ---------------------------------------------------------------


def test_the_window_keeps_sms_concurrency_texts_in_flight_and_never_more(
    db: Database, production: None, twilio: FakeTwilio, use_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_env(twilio.env())
    twilio.latency = 0.2
    queue(db, 40)
    lock, in_flight, peak = threading.Lock(), [0], [0]
    original = TwilioSender.send

    def counting(self: TwilioSender, to: str, body: str) -> object:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        try:
            return original(self, to, body)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(TwilioSender, "send", counting)
    report = delivery.deliver_due(db, Config(), worker_id="window")
    assert delivery.SMS_CONCURRENCY == 8
    assert peak[0] == delivery.SMS_CONCURRENCY  # the window fills, and never goes past it
    assert report.counts == {"sent": 40}
    assert set(Counter(twilio.sent_to()).values()) == {1} and len(twilio.sent_to()) == 40


DOOMED_WINDOW = """
import sys
from dispatch_desktop.config import Config
from dispatch_desktop.notify import delivery
from dispatch_desktop.storage.engine import Database

delivery.deliver_due(Database(sys.argv[1]), Config(), worker_id="doomed")
"""


def test_a_kill_mid_window_leaves_only_the_texts_in_flight_unknown(
    db: Database, production: None, twilio: FakeTwilio, use_env: Env
) -> None:
    use_env(twilio.env())
    queue(db, 12)
    twilio.hold()
    worker = subprocess.Popen([sys.executable, "-c", DOOMED_WINDOW, url_of(db)], env=dict(os.environ))
    try:
        assert twilio.held.wait(30), "the worker never reached Twilio"
        deadline = time.monotonic() + 30
        while len(twilio.requests) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # time enough for a ninth claim, if the window were wider
        assert len(twilio.requests) == 8
        assert count_sending(db) == 8
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    twilio.release()  # the eight in flight did go out
    assert Counter(r.status for r in rows(db)) == {"sending": 8, "queued": 4}

    report = delivery.deliver_due(db, Config(), worker_id="survivor")
    assert report.recovered == 8
    assert Counter(r.status for r in rows(db)) == {"unknown": 8, "sent": 4}
    assert len(twilio.requests) == 12  # the eight in doubt were not sent again
    assert set(Counter(twilio.sent_to()).values()) == {1}


def test_with_a_rate_limit_a_text_is_claimed_only_when_its_turn_to_send_comes(
    db: Database, production: None, twilio: FakeTwilio, use_env: Env
) -> None:
    use_env(twilio.env())
    queue(db, 6)
    twilio.hold()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            delivery.deliver_due(db, Config(twilio=TwilioConfig(rate_limit_per_second=4)), worker_id="paced")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(twilio.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # the third turn is 250 ms after the second
        # Only what is in flight is claimed: the other slots wait for their turn unclaimed,
        # so a crash now would leave two texts in doubt, not eight.
        assert count_sending(db) == len(twilio.requests) == 2
    finally:
        twilio.release()
        thread.join(30)
    assert errors == []
    times = sorted(request["at"] for request in twilio.requests)
    assert len(times) == 6 and times[-1] - times[0] >= 1.2  # 6 sends at 4/s span at least 1.25 s
    assert {r.status for r in rows(db)} == {"sent"}


# --- email: one connection for the lane, outcomes recorded per batch ---------------------------


def test_the_email_lane_uses_one_connection_across_claimed_batches(
    db: Database, production: None, smtp: FakeSmtp, use_env: Env
) -> None:
    use_env(smtp.env())
    queue(db, 2 * delivery.EMAIL_BATCH_SIZE + 5, channel="email")
    report = delivery.deliver_due(db, Config(), worker_id="lane")
    assert report.counts == {"sent": 45}
    assert smtp.connections == 1
    assert len({m["Message-ID"] for m in smtp.messages}) == 45
    assert {r.provider_id for r in rows(db)} == {m["Message-ID"] for m in smtp.messages}


def test_the_email_lane_reconnects_when_the_server_closed_the_connection_between_batches(
    db: Database, production: None, smtp: FakeSmtp, use_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_env(smtp.env())
    monkeypatch.setattr(delivery, "EMAIL_BATCH_SIZE", 5)
    queue(db, 12, channel="email")
    original = SmtpBatch.start_batch

    def server_hangs_up_first(self: SmtpBatch) -> None:
        if self._smtp is not None:
            self._smtp.docmd("QUIT")  # the server answers 221 and closes its end, as on an idle timeout
        original(self)

    monkeypatch.setattr(SmtpBatch, "start_batch", server_hangs_up_first)
    report = delivery.deliver_due(db, Config(), worker_id="lane")
    assert report.counts == {"sent": 12}
    assert smtp.connections == 3  # one per batch here, because the server hung up before each
    assert sorted(smtp.recipients()) == sorted(f"c{i}@example.com" for i in range(12))


def test_a_batch_record_leaves_a_row_that_another_worker_took_over_alone(
    db: Database, production: None, smtp: FakeSmtp, use_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_env(smtp.env())
    queue(db, 3, channel="email")
    original = SmtpBatch.send
    released: list[int] = []

    def release_the_last_mid_batch(self: SmtpBatch, *args: object, **kwargs: object) -> object:
        if not released:
            [last] = rows(db, recipient="c2@example.com")
            with db.write() as session:
                assert store.release_stale(
                    session, last.id, last.claimed_by, status="retry", error="taken over", now=utcnow()
                )
            released.append(last.id)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SmtpBatch, "send", release_the_last_mid_batch)
    report = delivery.deliver_due(db, Config(), worker_id="lane")
    assert report.counts == {"sent": 2}
    first, second, third = rows(db)
    assert first.status == second.status == "sent" and first.provider_id and second.provider_id
    assert (third.status, third.last_error, third.provider_id) == ("retry", "taken over", None)


def test_a_refused_batch_keeps_the_connection_usable_for_the_next(
    db: Database, production: None, smtp: FakeSmtp, use_env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_env(smtp.env())
    monkeypatch.setattr(delivery, "EMAIL_BATCH_SIZE", 2)
    queue(db, 4, channel="email")
    smtp.fail_next(451, "4.3.0 try again later")
    delivery.deliver_due(db, Config(), worker_id="lane")
    statuses = [r.status for r in rows(db)]
    assert statuses == ["retry", "sent", "sent", "sent"] and smtp.connections == 1
