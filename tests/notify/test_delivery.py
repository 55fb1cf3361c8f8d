"""Delivery against the local Twilio and SMTP servers, in both environments."""

from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from dispatch_desktop.config import Config, TwilioConfig
from dispatch_desktop.notify import smtp_sender
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import outbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import SmsSuppression
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import CUSTOMER_EMAIL, CUSTOMER_PHONE, add_agent, add_booking, rows
from tests.servers.smtp_fake import FROM, FakeSmtp, make_cert
from tests.servers.twilio_fake import FakeTwilio, Reply

Env = Callable[..., None]
Lines = Callable[[], list[str]]


def later(minutes: float) -> Callable[[], object]:
    return lambda: utcnow() + timedelta(minutes=minutes)


# --- development -----------------------------------------------------------------------------


def test_development_logs_every_notification_and_sends_nothing_even_with_credentials(
    db: Database, ctx: ServiceContext, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env, log_lines: Lines
) -> None:
    use_env(twilio.env(), smtp.env(), {"FLASK_ENV": "development"})
    agent = add_agent(ctx)
    booking = add_booking(ctx, agent_id=agent.id)
    report = deliver_due(db, Config(), worker_id="dev")
    ref = f"BK-{booking.id:06d}"
    assert log_lines() == [
        f"[DEV] SMS (not sent) - To: {CUSTOMER_PHONE}, Message: Your booking is confirmed: {ref}, "
        "Boiler service on 2026-12-01 09:00 at 12 Elm Street, Chicago. Reply STOP to opt out.",
        f"[DEV] EMAIL (not sent) - To: {CUSTOMER_EMAIL}, Subject: Booking Confirmation",
        f"[DEV] SMS (not sent) - To: +13125550101, Message: New job {ref}: Boiler service on 2026-12-01 09:00 "
        "at 12 Elm Street, Chicago. Customer: Carla Customer.",
        f"[DEV] EMAIL (not sent) - To: ann@example.com, Subject: New Assignment: {ref}",
    ]
    assert report.counts == {"logged": 4}
    assert {(r.status, r.environment, r.provider_id, r.sent_to) for r in rows(db)} == {
        ("logged", "development", None, None)
    }
    assert twilio.requests == [] and smtp.messages == [] and smtp.connections == 0


def test_development_is_the_default(
    db: Database, ctx: ServiceContext, twilio: FakeTwilio, use_env: Env
) -> None:
    use_env(twilio.env())
    add_booking(ctx, call_center=True, email=None)
    assert deliver_due(db, Config(), worker_id="dev").environment == "development"
    assert twilio.requests == []


# --- production: SMS ---------------------------------------------------------------------------


@pytest.fixture
def prod_sms(production: None, twilio: FakeTwilio, use_env: Env) -> FakeTwilio:
    use_env(twilio.env())
    return twilio


@pytest.fixture
def prod_all(
    production: None, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env
) -> tuple[FakeTwilio, FakeSmtp]:
    use_env(twilio.env(), smtp.env())
    return twilio, smtp


def test_production_sends_sms_through_twilio_and_records_the_sid(
    db: Database, ctx: ServiceContext, prod_sms: FakeTwilio, log_lines: Lines
) -> None:
    add_booking(ctx, call_center=True, email=None)
    report = deliver_due(db, Config(), worker_id="prod")
    [message] = prod_sms.messages
    assert message["To"] == CUSTOMER_PHONE and message["From"] == prod_sms.phone_number
    assert message["Body"].startswith("We have your request for Boiler service")
    [row] = rows(db, channel="sms")
    assert (row.status, row.provider_id, row.sent_to, row.environment) == (
        "sent",
        message["sid"],
        CUSTOMER_PHONE,
        "production",
    )
    assert f"[PROD] SMS sent - To: {CUSTOMER_PHONE}, SID: {message['sid']}" in log_lines()
    assert report.counts == {"sent": 1}


@pytest.mark.parametrize("reply", [Reply.invalid_number(), Reply.unreachable()], ids=["21211", "21614"])
def test_an_invalid_number_fails_permanently(
    db: Database, ctx: ServiceContext, prod_sms: FakeTwilio, log_lines: Lines, reply: Reply
) -> None:
    prod_sms.reply_for(CUSTOMER_PHONE, reply)
    add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(), worker_id="prod")
    [row] = rows(db, channel="sms")
    assert row.status == "failed"
    assert f"Twilio HTTP 400 {reply.code}" in (row.last_error or "")
    [line] = [line for line in log_lines() if "SMS" in line]
    assert line.startswith(f"[PROD] SMS failed - To: {CUSTOMER_PHONE}, Error: Twilio HTTP 400 {reply.code}: ")
    assert line.endswith("(permanent)")
    deliver_due(db, Config(), worker_id="prod", now=later(600))
    assert len(prod_sms.requests) == 1


def test_stop_fails_and_suppresses_the_number_until_cleared(
    db: Database, ctx: ServiceContext, prod_sms: FakeTwilio
) -> None:
    prod_sms.reply_for(CUSTOMER_PHONE, Reply.opted_out())
    booking = add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(), worker_id="prod")
    assert rows(db, channel="sms")[0].status == "failed"
    with db.read() as session:
        assert session.get(SmsSuppression, CUSTOMER_PHONE) is not None
    assert [s.phone for s in outbox.list_suppressions(ctx)] == [CUSTOMER_PHONE]

    from dispatch_desktop.services import bookings

    bookings.change_status(ctx, booking.id, "cancelled", reason="customer asked")
    deliver_due(db, Config(), worker_id="prod")
    blocked = rows(db, event="booking_status_changed", channel="sms")[0]
    assert blocked.status == "failed" and "suppressed" in (blocked.last_error or "")
    assert len(prod_sms.requests) == 1  # the suppressed number was never sent to again

    outbox.clear_suppression(ctx, CUSTOMER_PHONE)
    outbox.retry_message(ctx, blocked.id)
    deliver_due(db, Config(), worker_id="prod")
    assert rows(db, id=blocked.id)[0].status == "sent"
    assert len(prod_sms.messages) == 1


def test_throttling_honours_retry_after_then_sends(
    db: Database, ctx: ServiceContext, prod_sms: FakeTwilio, log_lines: Lines
) -> None:
    prod_sms.script(Reply.throttled(retry_after=120))
    add_booking(ctx, call_center=True, email=None)
    started = utcnow()
    deliver_due(db, Config(), worker_id="prod")
    [row] = rows(db, channel="sms")
    assert row.status == "retry" and row.attempts == 0  # throttling is not the message's fault
    assert timedelta(seconds=115) <= row.next_attempt_at - started <= timedelta(seconds=130)
    assert any(line.endswith("(retry)") and "Twilio HTTP 429" in line for line in log_lines())
    deliver_due(db, Config(), worker_id="prod", now=later(1))
    assert rows(db, channel="sms")[0].status == "retry"  # not before Retry-After
    deliver_due(db, Config(), worker_id="prod", now=later(3))
    assert rows(db, channel="sms")[0].status == "sent"
    assert len(prod_sms.messages) == 1


def test_one_429_pauses_the_rest_of_the_run(db: Database, ctx: ServiceContext, prod_sms: FakeTwilio) -> None:
    prod_sms.script(Reply.throttled(retry_after=60))
    for i in range(3):
        add_booking(ctx, call_center=True, email=None, phone=f"312-555-013{i}", name=f"Customer {i}")
    deliver_due(db, Config(twilio=TwilioConfig(rate_limit_per_second=2)), worker_id="prod")
    assert {r.status for r in rows(db, channel="sms")} == {"retry"}
    assert len(prod_sms.requests) == 1  # the others waited for Retry-After instead of knocking again
    deliver_due(db, Config(), worker_id="prod", now=later(2))
    assert {r.status for r in rows(db, channel="sms")} == {"sent"} and len(prod_sms.messages) == 3


def test_server_errors_and_network_errors_are_retried_with_backoff(
    db: Database, ctx: ServiceContext, prod_sms: FakeTwilio, use_env: Env
) -> None:
    prod_sms.script(Reply.server_error())
    add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(), worker_id="prod")
    [row] = rows(db, channel="sms")
    assert row.status == "retry" and "Twilio HTTP 500" in (row.last_error or "")

    use_env({"TWILIO_API_BASE_URL": "http://127.0.0.1:9"})  # nothing listens there
    deliver_due(db, Config(), worker_id="prod", now=later(2))
    [row] = rows(db, channel="sms")
    assert row.status == "retry" and row.attempts == 1  # Twilio unreachable: waits without using attempts
    assert (row.last_error or "").startswith("network error: cannot reach http://127.0.0.1:9")

    use_env({"TWILIO_API_BASE_URL": prod_sms.base_url})
    deliver_due(db, Config(), worker_id="prod", now=later(60))
    assert rows(db, channel="sms")[0].status == "sent"
    assert len(prod_sms.messages) == 1


def test_retries_stop_at_the_maximum_attempts(
    db: Database, ctx: ServiceContext, prod_sms: FakeTwilio
) -> None:
    prod_sms.reply_for(CUSTOMER_PHONE, Reply.server_error(), always=True)
    add_booking(ctx, call_center=True, email=None)
    config = Config(max_attempts=3)
    for minutes in (0, 10, 30):
        deliver_due(db, config, worker_id="prod", now=later(minutes))
    [row] = rows(db, channel="sms")
    assert row.status == "failed" and row.attempts == 3
    assert (row.last_error or "").startswith("gave up after 3 attempts: Twilio HTTP 500")
    deliver_due(db, config, worker_id="prod", now=later(600))
    assert len(prod_sms.requests) == 3


def test_a_read_timeout_is_unknown_never_resent(
    db: Database, ctx: ServiceContext, prod_sms: FakeTwilio
) -> None:
    prod_sms.latency = 2.0
    add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(twilio=TwilioConfig(timeout_seconds=0.5)), worker_id="prod")
    [row] = rows(db, channel="sms")
    assert row.status == "unknown" and "may have been delivered" in (row.last_error or "")
    deliver_due(db, Config(), worker_id="prod", now=later(600))
    assert len(prod_sms.requests) == 1


def test_rate_limit_spaces_the_sends(db: Database, ctx: ServiceContext, prod_sms: FakeTwilio) -> None:
    for i in range(5):
        add_booking(ctx, call_center=True, email=None, phone=f"312-555-01{10 + i}", name=f"Customer {i}")
    deliver_due(db, Config(twilio=TwilioConfig(rate_limit_per_second=10)), worker_id="prod")
    times = sorted(request["at"] for request in prod_sms.requests)
    assert len(times) == 5
    assert times[-1] - times[0] >= 0.35  # 5 sends at 10/s span at least 0.4 s


# --- production: email ---------------------------------------------------------------------------


def _parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_production_email_over_plain_smtp_has_text_and_html(
    db: Database, ctx: ServiceContext, prod_all: tuple[FakeTwilio, FakeSmtp], log_lines: Lines
) -> None:
    _, smtp = prod_all
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    [message] = smtp.messages
    assert message["Subject"] == "Booking Request Received: BK-000001"
    assert message["To"] == CUSTOMER_EMAIL and message["From"] == FROM
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert "12 Elm Street, Chicago" in parts["text/plain"] and "<table" in parts["text/html"]
    [row] = rows(db, channel="email")
    assert row.status == "sent" and row.provider_id == message["Message-ID"]
    assert (
        f"[PROD] EMAIL sent - To: {CUSTOMER_EMAIL}, Subject: Booking Request Received: BK-000001"
        in log_lines()
    )


def test_starttls_with_login(
    db: Database, ctx: ServiceContext, production: None, smtp_tls: FakeSmtp, use_env: Env
) -> None:
    use_env(smtp_tls.env())
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    deliver_due(db, Config(), worker_id="prod")
    assert sorted(smtp_tls.recipients()) == ["ann@example.com", CUSTOMER_EMAIL]
    assert smtp_tls.logins == ["mailer@example.com"] and smtp_tls.connections == 1  # one connection per batch
    assert {r.status for r in rows(db, channel="email")} == {"sent"}
    assert {r.status for r in rows(db, channel="sms")} == {"retry"}  # no Twilio credentials: waiting


def test_implicit_tls_as_on_port_465(
    db: Database,
    ctx: ServiceContext,
    production: None,
    tmp_path: Path,
    use_env: Env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert = make_cert(tmp_path / "tls")
    use_env({"SSL_CERT_FILE": str(cert.cert_file)})
    with FakeSmtp(implicit_tls=True, cert=cert) as server:
        # Port 465 needs root here; the rule "465 means implicit TLS" is pointed at the test port.
        monkeypatch.setattr(smtp_sender, "IMPLICIT_TLS_PORT", server.port)
        use_env(server.env())
        add_booking(ctx, call_center=True)
        deliver_due(db, Config(), worker_id="prod")
        assert server.recipients() == [CUSTOMER_EMAIL] and server.logins == ["mailer@example.com"]
    assert rows(db, channel="email")[0].status == "sent"


def test_smtp_4xx_is_retried_and_5xx_fails(
    db: Database, ctx: ServiceContext, prod_all: tuple[FakeTwilio, FakeSmtp], log_lines: Lines
) -> None:
    _, smtp = prod_all
    smtp.fail_next(451, "4.3.0 Mailbox busy, try again later")
    smtp.fail_next(550, "5.1.1 No such user")
    agent = add_agent(ctx)
    add_booking(ctx, agent_id=agent.id)
    deliver_due(db, Config(), worker_id="prod")
    first, second = rows(db, channel="email")
    assert (first.status, first.last_error) == ("retry", "SMTP 451 4.3.0 Mailbox busy, try again later")
    assert (second.status, second.last_error) == ("failed", "SMTP 550 5.1.1 No such user")
    assert (
        f"[PROD] EMAIL failed - To: {CUSTOMER_EMAIL}, Error: SMTP 451 4.3.0 Mailbox busy, try again later (retry)"
        in (log_lines())
    )
    deliver_due(db, Config(), worker_id="prod", now=later(5))
    assert rows(db, id=first.id)[0].status == "sent"
    assert smtp.recipients() == [CUSTOMER_EMAIL]


def test_smtp_down_then_up_loses_nothing_and_delivers_each_once(
    db: Database, ctx: ServiceContext, prod_all: tuple[FakeTwilio, FakeSmtp]
) -> None:
    _, smtp = prod_all
    smtp.down()
    agent = add_agent(ctx)
    for i in range(3):
        add_booking(
            ctx,
            agent_id=agent.id,
            email=f"c{i}@example.com",
            phone=f"312-555-012{i}",
            start=f"1{i}:00",
            end=f"1{i}:30",
        )
    deliver_due(db, Config(), worker_id="prod")
    emails = rows(db, channel="email")
    assert len(emails) == 6 and {(r.status, r.attempts) for r in emails} == {("retry", 0)}
    assert smtp.connections == 0
    assert all("cannot connect" in (r.last_error or "") for r in emails)
    smtp.up()
    deliver_due(db, Config(), worker_id="prod", now=later(5))
    deliver_due(db, Config(), worker_id="prod", now=later(60))
    assert {r.status for r in rows(db, channel="email")} == {"sent"}
    assert sorted(smtp.recipients()) == sorted(
        [*(f"c{i}@example.com" for i in range(3)), *["ann@example.com"] * 3]
    )
    assert len({m["Message-ID"] for m in smtp.messages}) == 6


# --- production: credentials and the redirect -------------------------------------------------


def test_missing_credentials_wait_then_go_once_they_exist(
    db: Database,
    ctx: ServiceContext,
    production: None,
    twilio: FakeTwilio,
    smtp: FakeSmtp,
    use_env: Env,
    log_lines: Lines,
) -> None:
    add_booking(ctx, call_center=True)
    report = deliver_due(db, Config(), worker_id="prod")
    waiting = rows(db)
    assert {r.status for r in waiting} == {"retry"}
    sms, email = waiting
    assert sms.last_error == "missing credentials: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER"
    assert email.last_error == "missing credentials: SMTP_HOST, EMAIL_FROM"
    assert report.held == 2 and report.missing["sms"][0] == "TWILIO_ACCOUNT_SID"
    assert log_lines() == [
        f"[PROD] SMS failed - To: {CUSTOMER_PHONE}, Error: missing credentials: TWILIO_ACCOUNT_SID, "
        "TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER (retry)",
        f"[PROD] EMAIL failed - To: {CUSTOMER_EMAIL}, Error: missing credentials: SMTP_HOST, EMAIL_FROM (retry)",
    ]
    deliver_due(db, Config(), worker_id="prod")
    assert len(log_lines()) == 2  # waiting rows are not re-announced every run
    use_env(twilio.env(), smtp.env())
    deliver_due(db, Config(), worker_id="prod")
    assert {r.status for r in rows(db)} == {"sent"}
    assert [m["To"] for m in twilio.messages] == [CUSTOMER_PHONE] and smtp.recipients() == [CUSTOMER_EMAIL]
    assert rows(db)[0].attempts == 1  # waiting for credentials is not a failed attempt


def test_redirect_sends_everything_to_the_test_recipient_and_logs_the_intended_one(
    db: Database, ctx: ServiceContext, prod_all: tuple[FakeTwilio, FakeSmtp], use_env: Env, log_lines: Lines
) -> None:
    twilio, smtp = prod_all
    use_env({"DISPATCH_REDIRECT_TO_PHONE": "+15005550009", "DISPATCH_REDIRECT_TO_EMAIL": "qa@example.com"})
    add_booking(ctx, call_center=True)
    deliver_due(db, Config(), worker_id="prod")
    assert [m["To"] for m in twilio.messages] == ["+15005550009"]
    assert smtp.recipients() == ["qa@example.com"]
    assert smtp.messages[0]["X-Dispatch-Intended-Recipient"] == CUSTOMER_EMAIL
    sms, email = rows(db)
    assert (sms.recipient, sms.sent_to) == (CUSTOMER_PHONE, "+15005550009")
    assert (email.recipient, email.sent_to) == (CUSTOMER_EMAIL, "qa@example.com")
    sid = twilio.messages[0]["sid"]
    assert f"[PROD] SMS sent - To: +15005550009 (redirected from {CUSTOMER_PHONE}), SID: {sid}" in log_lines()
    assert (
        f"[PROD] EMAIL sent - To: qa@example.com (redirected from {CUSTOMER_EMAIL}), "
        "Subject: Booking Request Received: BK-000001" in (log_lines())
    )


def test_redirect_from_the_config_file(db: Database, ctx: ServiceContext, prod_sms: FakeTwilio) -> None:
    add_booking(ctx, call_center=True, email=None)
    deliver_due(db, Config(redirect_to_phone="+15005550010"), worker_id="prod")
    assert prod_sms.sent_to() == ["+15005550010"]
