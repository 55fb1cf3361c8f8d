"""The console runs the provider sync on the notifier thread every sync interval, as the sync leader."""

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.notify.twilio_reader import ProviderUnavailableError
from dispatch_desktop.services import outbox, provider_sync
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.types import utcnow
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.notifications.sync_alert import SyncAlertBanner
from dispatch_desktop.ui.shell.delivery_timer import DeliveryTimer
from tests.servers.twilio_fake import FakeTwilio

pytestmark = pytest.mark.usefixtures("clean_notify_env", "headless_keyring")
OFF = "+13125550112"


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        for key, value in fake.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("FLASK_ENV", "production")
        yield fake


def test_the_console_syncs_receipts_on_the_notifier_thread_every_sync_interval(
    qtbot, desk, db: Database, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox.queue_test(ServiceContext(db, "boss"), sms=OFF)
    deliver_due(db, Config(), worker_id="sender")
    twilio.outcome_for(OFF, "undelivered", 30003)
    twilio.settle()
    threads: list[str] = []
    real = provider_sync.run_sync_pass

    def recording(*args: Any, **kwargs: Any) -> provider_sync.SyncReport:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(provider_sync, "run_sync_pass", recording)
    console = desk(config=Config(sync_interval_seconds=45))
    timer = DeliveryTimer(console)
    assert timer.sync.timer.interval() == 45_000
    changes: list[object] = []
    console.ops.changed.connect(changes.append)
    timer.sync.poll()
    qtbot.waitUntil(lambda: timer.sync.polls == 1, timeout=10_000)
    assert threads and threads[0].startswith("dispatch-notify")
    (row,) = outbox.list_outbox(ServiceContext(db, "boss"), delivery="undelivered")
    assert row.recipient == OFF and row.delivery_reason == "30003 phone unreachable (off or out of coverage)"
    assert Change.OUTBOX in changes
    timer.stop()


def test_a_console_that_does_not_lead_shows_the_red_line_when_twilio_stops_answering_the_leader(
    qtbot, desk, db: Database, twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    interval = timedelta(seconds=Config().sync_interval_seconds)
    answered = utcnow() - 4 * interval
    assert provider_sync.run_sync_pass(db, Config(), holder="notifier@server", now=answered).leader
    twilio.stop()  # the leader's next passes find nothing listening
    for passes in (1, 2, 3):
        with pytest.raises(ProviderUnavailableError):
            provider_sync.run_sync_pass(
                db, Config(), holder="notifier@server", now=answered + passes * interval
            )
    console = desk()
    window = QWidget()  # a banner shows as part of its window
    qtbot.addWidget(window)
    banner = SyncAlertBanner(console, parent=window)
    banner.poll()
    qtbot.waitUntil(lambda: banner.polls == 1, timeout=10_000)
    assert not banner.isHidden()
    since = answered.astimezone(console.ctx.team_settings().zone)
    assert banner.explanation.text() == (
        f"Twilio has not answered the delivery check since {since:%H:%M}: receipts and replies are not being read"
    )
    assert banner.title.text() == "Twilio is not answering"
