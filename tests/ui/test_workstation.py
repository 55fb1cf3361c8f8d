"""What the console does on this workstation besides showing data: delivery and the badge."""

from datetime import datetime, timedelta

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import bookings, outbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.workstation import deliver_outbox, environment_badge
from tests.servers.smtp_fake import FakeSmtp
from tests.servers.twilio_fake import FakeTwilio

START = datetime(2030, 3, 14, 9, 0)


def _booking(ctx: ServiceContext) -> None:
    bookings.create_booking(
        ctx,
        customer_name="Nadia Flores",
        customer_phone="+13125550150",
        customer_email="nadia@example.com",
        address="1 Elm St",
        service="Boiler",
        start=START,
        end=START + timedelta(hours=1),
        call_center=True,
    )


def test_in_development_the_console_logs_due_notifications(db, home):
    ctx = ServiceContext(db, "boss")
    _booking(ctx)
    report = deliver_outbox(ctx, Config())
    assert report is not None
    counts = outbox.status_counts(ctx)
    assert counts["queued"] == 0 and counts.get("logged", 0) == 2


def test_in_production_without_credentials_the_console_holds_rows_like_the_cli(
    db, home, monkeypatch, clean_notify_env, headless_keyring
):
    monkeypatch.setenv("FLASK_ENV", "production")
    ctx = ServiceContext(db, "boss")
    _booking(ctx)
    report = deliver_outbox(ctx, Config())
    assert report.held == 2
    held = outbox.list_outbox(ctx)
    assert {(v.status, v.waiting_for_credentials) for v in held} == {("retry", True)}
    assert {v.last_error for v in held if v.channel == "email"} == {
        "missing credentials: SMTP_HOST, EMAIL_FROM"
    }
    # Still due: a workstation that has the credentials sends them on its next run.
    with FakeTwilio() as twilio, FakeSmtp() as smtp:
        for key, value in {**twilio.env(), **smtp.env()}.items():
            monkeypatch.setenv(key, value)
        assert deliver_due(db, Config(), worker_id="srv").counts == {"sent": 2}
        assert twilio.sent_to() == ["+13125550150"] and len(smtp.messages) == 1


def test_badge_says_what_decided_the_environment(monkeypatch):
    assert environment_badge(Config()).tag == "DEV"
    assert environment_badge(Config(environment="production")).source == "config file"
    monkeypatch.setenv("FLASK_ENV", "production")
    badge = environment_badge(Config(environment="development"))
    assert (badge.tag, badge.production, badge.decided_by_flask_env) == ("PROD", True, True)
