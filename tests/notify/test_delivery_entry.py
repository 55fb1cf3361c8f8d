"""Every delivery goes through send_notifications_async, and credentials are read once."""

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch_desktop.cli import main
from dispatch_desktop.config import Config
from dispatch_desktop.notify.notifier import LOGGER_NAME
from dispatch_desktop.services import console_notify, email_auth
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.workstation import deliver_outbox
from tests.notify.helpers import CUSTOMER_PHONE, add_booking
from tests.servers.memory_keyring import MemoryKeyring

NOTIFIER_THREAD = "dispatch-notify"


class Threads(logging.Handler):
    """The notifier's lines with the thread that logged each."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.threadName, record.getMessage()))

    def names(self, containing: str) -> set[str]:
        return {thread.rsplit("_", 1)[0] for thread, line in self.seen if containing in line}


@pytest.fixture
def threads() -> Iterator[Threads]:
    handler = Threads()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)


def test_the_console_and_the_command_line_deliver_on_the_one_notifier_thread(
    ctx: ServiceContext, home: Path, threads: Threads, capsys: pytest.CaptureFixture[str]
) -> None:
    add_booking(ctx, call_center=True)
    deliver_outbox(ctx, Config())  # the console's tick
    assert threads.names(CUSTOMER_PHONE) == {NOTIFIER_THREAD}

    console_notify.send_test(ctx, Config(), sms="+13125550181")  # the settings dialog's test send
    assert threads.names("+13125550181") == {NOTIFIER_THREAD}

    cli = ["--home", str(home)]
    assert main([*cli, "notify", "test", "--sms", "+13125550182"]) == 0
    assert main([*cli, "notifier", "run", "--once"]) == 0
    booking = ["booking", "add", "--customer-name", "Dora Desk", "--customer-phone", "+13125550183"]
    when = ["--start", "2026-12-01 09:00", "--end", "2026-12-01 10:00", "--call-center"]
    assert main([*cli, *booking, "--address", "1 Main St", "--service", "Leak check", *when]) == 0
    err = capsys.readouterr().err
    assert "[DEV] SMS (not sent) - To: +13125550182" in err and "To: +13125550183" in err
    assert threads.names("+13125550182") == {NOTIFIER_THREAD}
    assert threads.names("+13125550183") == {NOTIFIER_THREAD}


class CountingKeyring(MemoryKeyring):
    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[str] = Counter()

    def get_password(self, service: str, username: str) -> str | None:
        self.reads[username] += 1
        return super().get_password(service, username)


def test_the_settings_dialog_reads_each_secret_once(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    counting = CountingKeyring()
    keyring.set_keyring(counting)
    console_notify.load_credentials_state(Config())
    assert counting.reads["TWILIO_AUTH_TOKEN"] == 1 and counting.reads["SMTP_PASSWORD"] == 1
    counting.reads.clear()
    email_auth.load_email_auth_state(Config())
    assert counting.reads["SMTP_PASSWORD"] == 1
