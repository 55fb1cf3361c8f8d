"""Notifications that stall or vanish without a word: the queued environment, held rows, heartbeats.

Every test takes `db`, so it runs on SQLite and, with DISPATCH_TEST_DATABASE_URL, on PostgreSQL.
"""

import json
import re
import socket
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from dispatch_desktop.cli import main
from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import DeliveryReport, deliver_due
from dispatch_desktop.services import notifier_status
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.notifier_status import Heartbeat, delivery_health
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import NotifierHeartbeat
from dispatch_desktop.storage.types import utcnow
from tests.notify.helpers import CUSTOMER_PHONE, add_booking, rows
from tests.servers.smtp_fake import FakeSmtp
from tests.servers.twilio_fake import FakeTwilio

Env = Callable[..., None]
Lines = Callable[[], list[str]]
PRODUCTION = Config(environment="production")
HOST = socket.gethostname()


class Cli:
    """The real entry point on the test database (SQLite or PostgreSQL)."""

    def __init__(self, url: str, home, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
        self.url, self.home, self.capsys = url, home, capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(["--home", str(self.home), "--database-url", self.url, *argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(db: Database, home, capsys: pytest.CaptureFixture[str]) -> Cli:  # type: ignore[no-untyped-def]
    return Cli(db.url.render_as_string(hide_password=False), home, capsys)


def _production_booking(db: Database) -> None:
    add_booking(ServiceContext(db, "boss", PRODUCTION), call_center=True)


# --- (a) the environment a row was queued in --------------------------------------------------


def test_each_row_carries_the_environment_of_the_change_that_queued_it(db: Database) -> None:
    add_booking(ServiceContext(db, "boss"), call_center=True)
    _production_booking(db)
    stamped = [(row.booking_id, row.channel, row.queued_environment) for row in rows(db)]
    assert stamped == [
        (1, "sms", "development"),
        (1, "email", "development"),
        (2, "sms", "production"),
        (2, "email", "production"),
    ]


def test_a_development_worker_never_logs_production_rows_waiting_for_a_retry(
    db: Database, log_lines: Lines
) -> None:
    _production_booking(db)
    held = deliver_due(db, PRODUCTION, worker_id="prod-console")  # no credentials: held as `retry`
    assert held.held == 2
    report = deliver_due(db, Config(), worker_id="dev-console")
    assert report.counts == {}
    assert [(row.status, row.last_error.split(":")[0]) for row in rows(db)] == [
        ("retry", "missing credentials"),
        ("retry", "missing credentials"),
    ]
    assert not [line for line in log_lines() if line.startswith("[DEV]")]


def test_a_production_worker_never_sends_development_rows(
    db: Database, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env, log_lines: Lines
) -> None:
    add_booking(ServiceContext(db, "boss"), call_center=True)
    use_env(twilio.env(), smtp.env(), {"FLASK_ENV": "production"})
    assert deliver_due(db, Config(), worker_id="prod").counts == {}
    assert twilio.messages == [] and smtp.messages == []
    assert [row.status for row in rows(db)] == ["queued", "queued"]
    use_env({"FLASK_ENV": "development"})
    assert deliver_due(db, Config(), worker_id="dev").counts == {"logged": 2}
    assert f"[DEV] SMS (not sent) - To: {CUSTOMER_PHONE}, " in "\n".join(log_lines())


def test_outbox_counts_warns_when_rows_wait_that_this_environment_never_delivers(
    db: Database, cli: Cli
) -> None:
    _production_booking(db)
    code, out, err = cli("outbox", "counts")
    assert code == 0 and out.startswith("queued: 2  retry: 0")
    warning = (
        "warning: 2 production notifications waiting, but this workstation is development: "
        "it never delivers them; only a production notifier or console does"
    )
    assert warning in err.splitlines()
    code, out, err = cli("outbox", "counts", "--json")
    assert code == 0 and json.loads(out)["queued"] == 2
    assert warning in err.splitlines()


def test_a_development_notifier_run_says_it_leaves_production_rows_waiting(db: Database, cli: Cli) -> None:
    _production_booking(db)
    code, out, err = cli("notifier", "run", "--once")
    assert code == 0 and "[DEV] delivered: nothing due" in out
    assert "warning: 2 production notifications waiting, but this workstation is development: " in err
    assert [row.status for row in rows(db)] == ["queued", "queued"]


def test_outbox_show_says_which_environment_queued_the_row(db: Database, cli: Cli) -> None:
    _production_booking(db)
    code, out, _err = cli("outbox", "show", "1")
    assert code == 0
    assert "  queued in: production (only a production worker delivers it)" in out.splitlines()


def test_outbox_counts_is_quiet_when_this_environment_delivers_what_waits(db: Database, cli: Cli) -> None:
    add_booking(ServiceContext(db, "boss"), call_center=True)
    code, _out, err = cli("outbox", "counts")
    assert code == 0 and "warning" not in err


# --- (b) production without credentials ------------------------------------------------------


def test_rows_held_for_credentials_are_named_in_the_alerts(db: Database) -> None:
    _production_booking(db)
    deliver_due(db, PRODUCTION, worker_id="prod-console")
    alerts = delivery_health(ServiceContext(db, "boss", PRODUCTION)).alerts
    assert (
        "1 production text waiting for credentials (missing credentials: TWILIO_ACCOUNT_SID, "
        "TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER): set them where a notifier runs "
        "('dispatch-desktop credentials set', or Settings)"
    ) in alerts
    assert any(alert.startswith("1 production email waiting for credentials") for alert in alerts)


def test_a_development_run_never_holds_development_rows_for_credentials(db: Database) -> None:
    add_booking(ServiceContext(db, "boss"), call_center=True)
    deliver_due(db, PRODUCTION, worker_id="prod-console")
    assert [(row.status, row.last_error) for row in rows(db)] == [("queued", None), ("queued", None)]


# --- (c) heartbeats and notifier status --------------------------------------------------------


def test_notifier_run_writes_a_heartbeat_that_notifier_status_lists(
    db: Database, cli: Cli, production: None, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env
) -> None:
    use_env(twilio.env(), smtp.env())
    _production_booking(db)
    code, out, err = cli("notifier", "run", "--once", "--worker", "srv")
    assert code == 0 and "2 sent" in out and "warning" not in err
    code, out, err = cli("notifier", "status", "--json")
    assert code == 0 and "warning" not in err
    [listed] = json.loads(out)
    assert {key: listed[key] for key in ("worker", "kind", "host", "environment", "channels")} == {
        "worker": f"notifier:srv@{HOST}",
        "kind": "notifier",
        "host": HOST,
        "environment": "production",
        "channels": ["sms", "email"],
    }
    assert listed["last_seen"] == listed["last_delivery"]
    with db.read() as session:
        [row] = session.scalars(select(NotifierHeartbeat).where(NotifierHeartbeat.kind == "notifier"))
    assert (row.host, row.environment, row.channels) == (HOST, "production", "sms,email")
    assert row.last_delivery is not None and listed["last_seen"] == row.last_seen.isoformat()
    code, out, _err = cli("notifier", "status")
    header, line = out.splitlines()
    assert header.split() == [
        "KIND",
        "HOST",
        "ENVIRONMENT",
        "CHANNELS",
        "LAST",
        "SEEN",
        "LAST",
        "DELIVERY",
        "WORKER",
    ]
    assert line.split()[:4] == ["notifier", HOST, "production", "sms,email"]


def test_a_notifier_without_credentials_is_listed_with_no_channels_and_raises_the_alert(
    db: Database, cli: Cli, production: None
) -> None:
    _production_booking(db)
    code, _out, err = cli("notifier", "run", "--once")
    assert code == 0
    assert "warning: 1 production text waiting for credentials (missing credentials: " in err
    _code, out, err = cli("notifier", "status", "--json")
    assert [(n["kind"], n["channels"], n["last_delivery"]) for n in json.loads(out)] == [
        ("notifier", [], None)
    ]
    pattern = (
        r"warning: 1 production text due, and nothing able to send SMS has been seen for 2 min "
        rf"\(notifier on {re.escape(HOST)}, \d s ago, has no SMS credentials\): "
        r"start 'dispatch-desktop notifier run' with FLASK_ENV=production and credentials"
    )
    assert [line for line in err.splitlines() if re.fullmatch(pattern, line)]


def test_notifier_status_with_nothing_seen_says_none(db: Database, cli: Cli) -> None:
    code, out, _err = cli("notifier", "status")
    assert code == 0 and out.splitlines()[-1] == "(none)"
    assert json.loads(cli("notifier", "status", "--json")[1]) == []


def test_an_idle_heartbeat_is_renewed_every_30_s_and_at_once_after_a_delivery(db: Database) -> None:
    beat = Heartbeat(db, kind="console", name="dana")
    idle, busy = DeliveryReport("development"), DeliveryReport("development", counts={"logged": 1})
    start = utcnow()

    def last_seen() -> tuple:  # type: ignore[type-arg]
        [view] = notifier_status.list_notifiers(ServiceContext(db, "boss"))
        return view.last_seen, view.last_delivery

    assert beat.beat(idle, start)
    assert not beat.beat(idle, start + timedelta(seconds=29))
    assert last_seen() == (start, None)
    assert beat.beat(busy, start + timedelta(seconds=29))
    assert last_seen() == (start + timedelta(seconds=29), start + timedelta(seconds=29))
    assert beat.beat(idle, start + timedelta(seconds=60))
    assert last_seen() == (start + timedelta(seconds=60), start + timedelta(seconds=29))
    # A run whose every send failed is no delivery.
    assert beat.beat(DeliveryReport("development", counts={"failed": 1}), start + timedelta(seconds=95))
    assert last_seen() == (start + timedelta(seconds=95), start + timedelta(seconds=29))


def test_production_rows_due_and_no_able_notifier_seen_for_two_minutes_is_an_alert(db: Database) -> None:
    _production_booking(db)
    now = utcnow()
    Heartbeat(db, kind="notifier", name="srv").beat(DeliveryReport("production"), now - timedelta(minutes=3))
    ctx = ServiceContext(db, "boss", PRODUCTION)
    health = delivery_health(ctx, now)
    assert (
        "1 production text due, and nothing able to send SMS has been seen for 2 min "
        f"(last: notifier on {HOST}, 3 min ago): start 'dispatch-desktop notifier run' with "
        "FLASK_ENV=production and credentials"
    ) in health.alerts
    assert (health.deliverer, health.deliverer_missing) == (f"notifier on {HOST}, 3 min ago", True)

    Heartbeat(db, kind="notifier", name="srv").beat(DeliveryReport("production"), now - timedelta(seconds=4))
    health = delivery_health(ctx, now)
    assert health.alerts == []
    assert (health.deliverer, health.deliverer_missing) == (f"notifier on {HOST}, 4 s ago", False)
