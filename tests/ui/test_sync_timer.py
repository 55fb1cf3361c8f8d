"""The console runs the provider sync on the notifier thread every sync interval, as the sync leader."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import outbox, provider_sync
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.kit.changes import Change
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
