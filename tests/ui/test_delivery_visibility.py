"""What every workstation shows when notifications stall: red banners, who delivers, honest texts.

Runs on SQLite and, with DISPATCH_TEST_DATABASE_URL, on PostgreSQL (the `db` fixture).
"""

import socket
from datetime import datetime, timedelta

import pytest

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import DeliveryReport
from dispatch_desktop.services import bookings, outbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.notifier_status import Heartbeat
from dispatch_desktop.storage.types import utcnow
from dispatch_desktop.ui.settings.dialog import SettingsDialog
from dispatch_desktop.ui.shell.main_window import MainWindow
from tests.ui.conftest import drain

pytestmark = [
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.usefixtures("clean_notify_env", "headless_keyring"),
]

START = datetime(2030, 3, 14, 9, 0)
HOST = socket.gethostname()
HELD_SMS = "missing credentials: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER"
HELD_EMAIL = "missing credentials: SMTP_HOST, EMAIL_FROM"


def _window(qtbot, console) -> MainWindow:
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    qtbot.waitUntil(lambda: window.delivery_alert.polls >= 1, timeout=10_000)
    return window


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


def _banner_lines(window: MainWindow) -> list[str]:
    return window.delivery_alert.explanation.text().splitlines()


def test_a_development_console_seeing_production_rows_says_so_in_red_and_leaves_them(qtbot, desk, db):
    _booking(ServiceContext(db, "boss", Config(environment="production")))
    window = _window(qtbot, desk("dana", "dispatcher"))
    banner = window.delivery_alert
    assert not banner.isHidden()
    assert banner.title.text() == "Notifications are not going out"
    assert "QFrame#deliveryAlertBanner { background: #" in banner.styleSheet()
    # Painted red, not only styled: the banner's pixels are the alert red.
    colour = banner.grab().toImage().pixelColor(banner.width() // 2, banner.height() - 4)
    assert colour.red() > 120 and colour.green() < 60 and colour.blue() < 60, colour.name()
    assert (
        "2 production notifications waiting, but this workstation is development: it never delivers "
        "them; only a production notifier or console does"
    ) in _banner_lines(window)
    window.commands.deliver_action.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=10_000)
    assert window.statusBar().currentMessage() == "[DEV] delivered: nothing due"
    assert [v.status for v in outbox.list_outbox(ServiceContext(db, "boss"))] == ["queued", "queued"]


def test_a_development_console_with_its_own_rows_shows_no_banner(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    _booking(console.ctx)
    window = _window(qtbot, console)
    assert window.delivery_alert.isHidden()


def test_send_due_now_without_credentials_holds_the_rows_and_every_workstation_sees_it(
    qtbot, desk, db, monkeypatch
):
    monkeypatch.setenv("FLASK_ENV", "production")
    console = desk("dana", "dispatcher")
    _booking(console.ctx)
    window = _window(qtbot, console)
    window.commands.deliver_action.trigger()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=10_000)
    assert window.statusBar().currentMessage() == "[PROD] delivered: 2 waiting for credentials"
    views = outbox.list_outbox(console.ctx)
    assert sorted((v.channel, v.status, v.last_error) for v in views) == [
        ("email", "retry", HELD_EMAIL),
        ("sms", "retry", HELD_SMS),
    ]
    qtbot.waitUntil(lambda: any("waiting for credentials" in line for line in _banner_lines(window)))
    # Another workstation (the call center's) sees the same red banner.
    other = _window(qtbot, desk("carla", "call-center"))
    assert not other.delivery_alert.isHidden()
    assert (
        f"1 production text waiting for credentials ({HELD_SMS}): set them where a notifier runs "
        "('dispatch-desktop credentials set', or Settings)"
    ) in _banner_lines(other)
    assert (
        f"1 production email waiting for credentials ({HELD_EMAIL})"
        in other.delivery_alert.explanation.text()
    )


def test_the_status_bar_says_who_delivers_and_a_stale_notifier_raises_the_banner(
    qtbot, desk, db, monkeypatch
):
    monkeypatch.setenv("FLASK_ENV", "production")
    console = desk("dana", "dispatcher")
    _booking(console.ctx)
    Heartbeat(db, kind="notifier", name="srv").beat(
        DeliveryReport("production"), utcnow() - timedelta(seconds=4)
    )
    window = _window(qtbot, console)
    assert window.status_bar.deliverer_label.text() in (f"notifier on {HOST}, {s} s ago" for s in (4, 5, 6))
    assert window.delivery_alert.isHidden()

    # The same notifier, seen three minutes ago and not since.
    Heartbeat(db, kind="notifier", name="srv").beat(
        DeliveryReport("production"), utcnow() - timedelta(minutes=3)
    )
    window.delivery_alert.poll()
    qtbot.waitUntil(lambda: not window.delivery_alert.isHidden(), timeout=10_000)
    assert window.status_bar.deliverer_label.text() == f"notifier on {HOST}, 3 min ago"
    assert "#c62828" in window.status_bar.deliverer_label.styleSheet()
    assert (
        f"1 production text due, and nothing able to send SMS has been seen for 2 min (last: notifier on "
        f"{HOST}, 3 min ago): start 'dispatch-desktop notifier run' with FLASK_ENV=production and credentials"
    ) in _banner_lines(window)


def test_a_call_center_confirmation_held_for_credentials_is_not_called_queued(qtbot, desk, db, monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    console = desk("carla", "call-center")
    window = _window(qtbot, console)
    panel = window.call_center
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=10_000)
    panel.phone.setText("312 555 0143")
    panel.name.setText("Kim Park")
    panel.email.setText("kim@example.com")
    panel.address.setText("1200 W Belmont Ave")
    panel.service.setText("No hot water")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        panel.save()
    reference = saved.args[0].reference
    assert panel.result.text() == f"{reference} saved — confirmation queued for the customer (SMS, email)"
    window.delivery.deliver_now()
    qtbot.waitUntil(lambda: "NOT sent" in panel.result.text(), timeout=10_000)
    assert panel.result.text() == (
        f"{reference} saved — confirmation NOT sent yet: no credentials on any running notifier"
    )


def test_a_held_confirmation_a_running_notifier_can_send_is_still_called_queued(qtbot, desk, db, monkeypatch):
    monkeypatch.setenv("FLASK_ENV", "production")
    Heartbeat(db, kind="notifier", name="srv").beat(DeliveryReport("production"))
    console = desk("carla", "call-center")
    window = _window(qtbot, console)
    panel = window.call_center
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=10_000)
    panel.phone.setText("312 555 0143")
    panel.name.setText("Kim Park")
    panel.address.setText("1200 W Belmont Ave")
    panel.service.setText("No hot water")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        panel.save()
    window.delivery.deliver_now()  # this console has no credentials: it holds the text for the notifier
    qtbot.waitUntil(
        lambda: any(v.waiting_for_credentials for v in outbox.list_outbox(console.ctx)), timeout=10_000
    )
    panel.confirmation.timer.timeout.emit()  # the next tick of the confirmation poll
    drain()
    reference = saved.args[0].reference
    assert panel.result.text().startswith(f"{reference} saved — confirmation queued for the customer")


def test_settings_in_production_without_credentials_does_not_claim_this_workstation_sends(
    qtbot, desk, db, monkeypatch
):
    monkeypatch.setenv("FLASK_ENV", "production")
    dialog = SettingsDialog(desk())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.load_count >= 1, timeout=10_000)
    assert not dialog.environment_page.production_warning.isHidden()
    text = dialog.environment_page.production_warning.text()
    assert "sends real SMS and email" not in text
    assert text == (
        "Production, but this workstation cannot send: missing credentials (SMS: TWILIO_ACCOUNT_SID, "
        "TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER; email: SMTP_HOST, EMAIL_FROM). Its notifications wait "
        "as 'retry' (missing credentials) until a notifier that has them sends them."
    )
