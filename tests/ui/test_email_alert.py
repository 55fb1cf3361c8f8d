"""The red banner in the main window when Office 365 refuses the SMTP password (issue 7).

The failed rows come from the real delivery path: a production send to the local FakeSmtp,
which answers the password login with `535 5.7.139 ... basic authentication is disabled`.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch_desktop.config import Config
from dispatch_desktop.notify import credentials
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.style import ALERT_BANNER, ALERT_BANNER_DARK, alert_banner_style
from dispatch_desktop.ui.notifications.email_alert import EmailAlertBanner
from dispatch_desktop.ui.shell.main_window import MainWindow
from tests.notify.helpers import add_agent, add_booking, rows
from tests.servers.smtp_fake import FROM, PASSWORD, USER, FakeSmtp, make_cert
from tests.ui._support import OFFSCREEN_NOISE, memory_keyring, notify_env  # noqa: F401 - fixtures
from tests.ui.conftest import drain

pytestmark = [OFFSCREEN_NOISE, pytest.mark.usefixtures("memory_keyring")]
BASIC_OFF = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
OFFICE365_ENV = ("SMTP_AUTH", "O365_TENANT_ID", "O365_CLIENT_ID", "O365_CLIENT_SECRET", "O365_AUTHORITY")


@pytest.fixture(autouse=True)
def no_office365_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OFFICE365_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSmtp]:
    """Like smtp.office365.com after MC786329: STARTTLS and AUTH required, every password refused."""
    cert = make_cert(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.cert_file))
    with FakeSmtp(tls=True, cert=cert) as smtp:
        smtp.refuse_logins = BASIC_OFF
        yield smtp


class Office:
    """Bookings whose emails go out through the refusing server, in production."""

    def __init__(self, db: Database, home: Path, smtp: FakeSmtp) -> None:
        self.db, self.smtp = db, smtp
        self.ctx = ServiceContext(db, "boss")
        self.config = credentials.set_smtp(
            home, Config(), host=smtp.host, port=smtp.port, user=USER, from_address=FROM, starttls=True,
            password=PASSWORD,
        )  # fmt: skip
        self.agent = None

    def book_and_deliver(self, start: str = "09:00", end: str = "10:00") -> None:
        if self.agent is None:
            self.agent = add_agent(self.ctx)
        add_booking(self.ctx, agent_id=self.agent.id, start=start, end=end)
        deliver_due(self.db, self.config, worker_id="prod")

    def emails(self) -> list:
        return rows(self.db, channel="email")


@pytest.fixture
def failing(db: Database, home: Path, office: FakeSmtp, monkeypatch: pytest.MonkeyPatch) -> Office:
    monkeypatch.setenv("FLASK_ENV", "production")
    return Office(db, home, office)


def _window(qtbot, console) -> MainWindow:
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    return window


def test_banner_explains_the_refusal_and_resend_requeues_the_emails(qtbot, desk, failing):
    console = desk("dana", "dispatcher")
    failing.book_and_deliver()
    emails = failing.emails()
    assert len(emails) == 2 and {row.status for row in emails} == {"failed"}

    window = _window(qtbot, console)
    banner = window.email_alert
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=10_000)
    text = banner.explanation.text()
    assert text.startswith("2 emails could not be sent")
    assert "535 5.7.139" in text and "MC786329" in text and "--auth oauth2" in text
    assert PASSWORD not in text
    assert banner.title.text() == "Emails are not being sent: the mail server refused to sign in"
    # At the top of the window, above the tabs, in the console's alert red.
    assert window.centralWidget().layout().itemAt(0).widget() is banner
    assert banner.styleSheet() in (ALERT_BANNER, ALERT_BANNER_DARK)
    assert not banner.resend_button.isHidden()

    with qtbot.waitSignal(banner.resent, timeout=10_000) as resent:
        banner.resend_button.click()
    assert resent.args == [2]
    assert banner.result.text() == "Requeued 2 emails; they go out with the next delivery."
    assert {row.status for row in failing.emails()} == {"queued"}
    assert all(row.attempts == 0 for row in failing.emails())
    # Nothing failed any more, so the banner goes away by itself.
    qtbot.waitUntil(lambda: banner.isHidden() and banner.alert_text is None, timeout=10_000)
    assert window.statusBar().currentMessage() == "Requeued 2 emails; they go out with the next delivery."


def test_call_center_operator_sees_the_banner_without_the_resend_button(qtbot, desk, failing):
    console = desk("cleo", "call-center")
    failing.book_and_deliver()
    window = _window(qtbot, console)
    banner = window.email_alert
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=10_000)
    assert "MC786329" in banner.explanation.text()
    assert banner.resend_button.isHidden()
    assert not banner.hide_button.isHidden()


def test_hidden_banner_comes_back_when_another_email_fails(qtbot, desk, failing):
    console = desk("dana", "dispatcher")
    failing.book_and_deliver()
    window = _window(qtbot, console)
    banner = window.email_alert
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=10_000)
    first = banner.alert_text

    banner.hide_button.click()
    assert banner.isHidden()
    polls = banner.polls
    console.ops.changed.emit(Change.OUTBOX)  # nothing new: it stays hidden
    qtbot.waitUntil(lambda: banner.polls > polls, timeout=10_000)
    assert banner.isHidden() and banner.alert_text == first

    failing.book_and_deliver("13:00", "14:00")
    with qtbot.waitSignal(banner.alert_changed, timeout=10_000):
        console.ops.changed.emit(Change.OUTBOX)
    assert not banner.isHidden()
    assert banner.explanation.text().startswith("4 emails could not be sent")


def test_the_banner_asks_again_when_the_email_sign_in_is_saved_and_not_for_other_news(qtbot, desk):
    console = desk("boss", "supervisor")
    banner = EmailAlertBanner(console)
    qtbot.addWidget(banner)
    banner.poll()
    qtbot.waitUntil(lambda: banner.polls == 1, timeout=10_000)
    console.ops.changed.emit(Change.AGENTS | Change.BOOKINGS)  # nothing the banner shows
    console.ops.changed.emit(Change.SETTINGS | Change.SIGN_IN)  # what the settings dialog's Save says
    qtbot.waitUntil(lambda: banner.polls == 2, timeout=10_000)
    drain()
    assert banner.polls == 2


def test_no_banner_while_emails_sign_in_fine(qtbot, desk):
    console = desk("dana", "dispatcher")
    window = _window(qtbot, console)
    qtbot.waitUntil(lambda: window.email_alert.polls >= 1, timeout=10_000)
    assert window.email_alert.isHidden() and window.email_alert.alert_text is None


def test_the_banner_is_polled_every_minute_with_live_refresh(qtbot, desk):
    window = MainWindow(desk(), deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    # From the window's first loads on (at once for a window never shown).
    qtbot.waitUntil(window.email_alert.poller.timer.isActive, timeout=10_000)
    assert window.email_alert.poller.timer.interval() == 60_000
    window.close()
    assert not window.email_alert.poller.timer.isActive()


def test_banner_red_is_readable_in_both_themes():
    from PySide6.QtGui import QColor, QPalette

    dark, light = QPalette(), QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    light.setColor(QPalette.ColorRole.Window, QColor("#f5f5f5"))
    assert alert_banner_style(dark) == ALERT_BANNER_DARK
    assert alert_banner_style(light) == ALERT_BANNER


def test_a_wrong_password_raises_the_banner_after_the_first_refusal(qtbot, desk, db, home, office):
    office.refuse_logins = None  # a plain server: only the password is wrong
    console = desk("dana", "dispatcher")
    refused = Office(db, home, office)
    refused.config = credentials.set_smtp(
        home, Config(), host=office.host, port=office.port, user=USER, from_address=FROM, starttls=True,
        password="not-the-password-1",
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FLASK_ENV", "production")
        refused.book_and_deliver()
    assert {(row.status, row.attempts) for row in refused.emails()} == {("retry", 1)}

    window = _window(qtbot, console)
    banner = window.email_alert
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=10_000)
    text = banner.explanation.text()
    assert text.startswith("2 emails could not be sent") and "535 5.7.8" in text
    assert f"login to 127.0.0.1:{office.port} as {USER} refused" in text
    assert "not-the-password-1" not in text
