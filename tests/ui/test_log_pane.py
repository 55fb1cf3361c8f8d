"""The notification log dock: live [DEV]/[PROD] lines and every workstation's outbox rows."""

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from dispatch_desktop.config import Config
from dispatch_desktop.notify.delivery import deliver_due
from dispatch_desktop.services import bookings, outbox
from dispatch_desktop.services.console_notify import outbox_line
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.notifications.log_model import LINE_COLUMN
from dispatch_desktop.ui.notifications.log_pane import LIVE, OUTBOX, NotificationLogDock, NotificationLogModel
from tests.servers.twilio_fake import FakeTwilio, Reply
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console, notify_env  # noqa: F401

pytestmark = [OFFSCREEN_NOISE, pytest.mark.usefixtures("notify_env")]
PHONE, EMAIL = "+13125550111", "maya@example.com"


def _book(ctx: ServiceContext):
    return bookings.create_booking(
        ctx,
        customer_name="Maya Chen",
        customer_phone=PHONE,
        customer_email=EMAIL,
        address="12 Elm St, Springfield",
        service="Boiler service",
        start="2030-03-12 09:00",
        end="2030-03-12 10:00",
        call_center=True,
    )


def _dock(qtbot, console) -> NotificationLogDock:
    dock = NotificationLogDock(console)
    qtbot.addWidget(dock)
    dock.resize(1000, 300)
    qtbot.waitUntil(lambda: dock.poll_count >= 1)
    return dock


def _poll(qtbot, dock: NotificationLogDock) -> None:
    """A poll that starts now (a timer poll already in flight may have started before the change)."""
    qtbot.waitUntil(lambda: not dock.polling)
    count = dock.poll_count
    dock.poll()
    qtbot.waitUntil(lambda: dock.poll_count > count)


def test_dev_lines_appear_live_and_from_the_outbox(qtbot, qtmodeltester, boss_console, home):  # noqa: F811
    ctx = boss_console.ctx
    dock = _dock(qtbot, boss_console)
    booking = _book(ctx)
    _poll(qtbot, dock)
    queued = [e for e in dock.model.entries() if e.source == OUTBOX]
    assert [(e.channel, e.status, e.environment) for e in queued] == [
        ("sms", "queued", ""),
        ("email", "queued", ""),
    ]

    report = deliver_due(ctx.db, Config(), worker_id="another-workstation")
    assert report.counts == {"logged": 2}
    sms_body = outbox.list_outbox(ctx, channel="sms")[0].body
    assert sms_body.startswith("We have your request for Boiler service")
    sms_line = f"[DEV] SMS (not sent) - To: {PHONE}, Message: {sms_body}".replace("\n", "\\n")
    email_line = (
        f"[DEV] EMAIL (not sent) - To: {EMAIL}, Subject: Booking Request Received: {booking.reference}"
    )

    # This workstation's own log lines arrive through the logging handler...
    qtbot.waitUntil(
        lambda: [e.line for e in dock.model.entries() if e.source == LIVE] == [sms_line, email_line]
    )
    # ...and the shared outbox rows update in place on the next poll, with the same words.
    _poll(qtbot, dock)
    outbox_rows = [e for e in dock.model.entries() if e.source == OUTBOX]
    assert [(e.line, e.status, e.environment) for e in outbox_rows] == [
        (sms_line, "logged", "DEV"),
        (email_line, "logged", "DEV"),
    ]
    assert dock.visible_lines()[-2:] == [sms_line, email_line]
    qtmodeltester.check(dock.model)
    qtmodeltester.check(dock.proxy)

    dock.channel_filter.setCurrentIndex(dock.channel_filter.findData("email"))
    assert dock.visible_lines() == [email_line, email_line]
    dock.channel_filter.setCurrentIndex(0)
    dock.source_filter.setCurrentIndex(dock.source_filter.findData(LIVE))
    dock.text_filter.setText("booking request received")
    assert dock.visible_lines() == [email_line]
    assert dock.count_label.text() == "1 shown of 4"


def test_failed_sms_is_coloured_and_can_be_retried_or_dismissed(qtbot, boss_console, home, monkeypatch):  # noqa: F811
    ctx = boss_console.ctx
    dock = _dock(qtbot, boss_console)
    with FakeTwilio() as twilio:
        for name, value in twilio.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("FLASK_ENV", "production")
        twilio.reply_for(PHONE, Reply.invalid_number(), always=True)
        _book(ctx)
        deliver_due(ctx.db, Config(), worker_id="desk-2")
    [failed] = outbox.list_outbox(ctx, status="failed")
    expected = f"[PROD] SMS failed - To: {PHONE}, Error: {failed.last_error} (permanent)"
    assert "21211" in failed.last_error
    qtbot.waitUntil(lambda: expected in [e.line for e in dock.model.entries() if e.source == LIVE])
    _poll(qtbot, dock)
    assert outbox_line(failed) == expected
    row = dock.model.entries().index(
        next(e for e in dock.model.entries() if e.message and e.message.id == failed.id)
    )
    assert dock.model.index(row, 1).data() == "PROD"
    assert dock.model.index(row, 3).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#e53935"
    assert dock.model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "need attention" in dock.count_label.text()

    dock.status_filter.setCurrentIndex(dock.status_filter.findData("attention"))
    assert [line for line in dock.visible_lines() if "(permanent)" in line] == [expected, expected]
    dock.source_filter.setCurrentIndex(dock.source_filter.findData(OUTBOX))
    dock.select_outbox(failed.id)
    details = dock.show_details()
    text = details.text.toPlainText()
    assert f"<{PHONE}>" in text and failed.last_error in text and failed.body in text
    assert details.retry_button is not None and details.dismiss_button is not None
    with qtbot.waitSignal(dock.console.ops.changed, timeout=5000):
        details.retry_button.click()
    assert outbox.get_message(ctx, failed.id).status == "queued"

    dock.status_filter.setCurrentIndex(0)
    dock.select_outbox(failed.id)
    assert dock.dismiss_button.isEnabled()
    with qtbot.waitSignal(dock.console.ops.changed, timeout=5000):
        dock.dismiss_button.click()
    assert outbox.get_message(ctx, failed.id).status == "dismissed"
    entry = next(e for e in dock.model.entries() if e.message and e.message.id == failed.id)
    assert entry.status == "dismissed"


def test_outbox_rows_read_like_the_live_lines_for_skips(qtbot, boss_console, home):  # noqa: F811
    ctx = boss_console.ctx
    dock = _dock(qtbot, boss_console)
    bookings.create_booking(
        ctx,
        customer_name="Raj Patel",
        customer_phone="+13125550112",
        customer_email=None,
        address="4 Oak Ave",
        service="AC repair",
        start="2030-03-12 14:00",
        end="2030-03-12 15:00",
        call_center=True,
    )
    deliver_due(ctx.db, Config(), worker_id="desk-3")
    skip = "[DEV] EMAIL skipped - To: Raj Patel (customer), Reason: no email address on file"
    qtbot.waitUntil(lambda: skip in [e.line for e in dock.model.entries() if e.source == LIVE])
    _poll(qtbot, dock)
    assert skip in [e.line for e in dock.model.entries() if e.source == OUTBOX]


def test_call_center_sees_the_log_without_retry_or_dismiss(qtbot, make_console):  # noqa: F811
    console = make_console("call-center")
    dock = _dock(qtbot, console)
    dock.show()
    assert not dock.retry_button.isVisible()
    assert not dock.dismiss_button.isVisible()


def test_memory_stays_bounded(qtbot, qtmodeltester):
    model = NotificationLogModel(max_rows=50)
    at = datetime(2030, 1, 1, tzinfo=UTC)
    for n in range(500):
        model.add_line(f"[DEV] SMS (not sent) - To: +1312555{n:04d}, Message: hi", at)
    assert model.rowCount() == 50
    assert model.entry(0).line.startswith("[DEV] SMS (not sent) - To: +13125550450")
    assert model.entry(49).line.startswith("[DEV] SMS (not sent) - To: +13125550499")
    qtmodeltester.check(model)


def test_an_older_poll_result_never_rolls_a_row_back(boss_console, qtmodeltester):  # noqa: F811
    from dataclasses import replace
    from datetime import timedelta

    _book(boss_console.ctx)
    [view] = outbox.list_outbox(boss_console.ctx, channel="sms")
    model = NotificationLogModel()
    newer = replace(view, status="dismissed", updated_at=view.updated_at + timedelta(seconds=5))
    model.upsert_outbox([view])
    model.upsert_outbox([newer])
    model.upsert_outbox([view])
    assert [e.status for e in model.entries()] == ["dismissed"]
    qtmodeltester.check(model)


def test_a_day_of_log_lines_stays_bounded_and_never_aborts(qtbot, boss_console):  # noqa: F811
    """Thousands of lines through the handler: the pane keeps the newest 5 000 and the process lives."""
    import logging

    from dispatch_desktop.services.console_notify import LOGGER_NAME

    dock = _dock(qtbot, boss_console)
    logger = logging.getLogger(LOGGER_NAME)
    for n in range(12_000):
        logger.info("[DEV] SMS (not sent) - To: +1312555%04d, Message: line %d", n % 10_000, n)
    qtbot.waitUntil(
        lambda: dock.model.rowCount() > 0 and dock.model.entries()[-1].line.endswith("line 11999"),
        timeout=20_000,
    )
    assert dock.model.rowCount() == 5000
    assert len(dock.tail.snapshot()) == 5000
    assert dock.model.entries()[0].line.endswith("line 7000")


def test_outbox_lines_follow_the_notifier_format_for_every_outcome(boss_console):  # noqa: F811
    from dataclasses import replace

    booking = _book(boss_console.ctx)
    sms = outbox.list_outbox(boss_console.ctx, channel="sms")[0]
    email = outbox.list_outbox(boss_console.ctx, channel="email")[0]
    prod = {"environment": "production"}
    assert outbox_line(replace(sms, status="sent", provider_id="SM123", **prod)) == (
        f"[PROD] SMS sent - To: {PHONE}, SID: SM123"
    )
    assert outbox_line(replace(email, status="sent", **prod)) == (
        f"[PROD] EMAIL sent - To: {EMAIL}, Subject: Booking Request Received: {booking.reference}"
    )
    assert outbox_line(replace(sms, status="retry", last_error="Twilio HTTP 500", **prod)) == (
        f"[PROD] SMS failed - To: {PHONE}, Error: Twilio HTTP 500 (retry)"
    )
    assert outbox_line(replace(sms, status="sent", provider_id="SM9", sent_to="+15005550009", **prod)) == (
        f"[PROD] SMS sent - To: +15005550009 (redirected from {PHONE}), SID: SM9"
    )
    assert outbox_line(sms) == f"SMS queued - To: {PHONE}"
    due = datetime(2030, 3, 12, 13, 0, tzinfo=UTC)
    when = f"{due.astimezone():%Y-%m-%d %H:%M:%S}"  # this workstation's time, as the pane shows times
    assert outbox_line(replace(sms, status="held", hold_reason="quiet hours", due_at=due)) == (
        f"SMS held - To: {PHONE}, Until: {when} (quiet hours)"
    )
    assert outbox_line(replace(sms, status="held", hold_reason="coalescing", due_at=due)) == (
        f"SMS held - To: {PHONE}, Until: {when} (coalescing)"
    )
    assert (
        outbox_line(replace(sms, status="scheduled", due_at=due))
        == f"SMS scheduled - To: {PHONE}, Due: {when}"
    )
    assert outbox_line(replace(sms, status="superseded", superseded_by=7)) == f"SMS superseded - To: {PHONE}"


def test_pause_keeps_the_rows_being_read_in_place(qtbot, boss_console):  # noqa: F811
    dock = NotificationLogDock(boss_console, max_rows=60)
    qtbot.addWidget(dock)
    dock.resize(900, 300)
    dock.show()
    at = datetime(2030, 1, 1, tzinfo=UTC)
    for n in range(60):
        dock.model.add_line(f"[DEV] SMS (not sent) - To: +1, Message: line {n}", at)
    dock.pause_button.setChecked(True)
    dock.table.verticalScrollBar().setValue(20)
    qtbot.waitUntil(lambda: dock.table.rowAt(0) == 20)
    reading = dock.proxy.index(dock.table.rowAt(0), LINE_COLUMN).data()
    for n in range(60, 65):
        dock.model.add_line(f"[DEV] SMS (not sent) - To: +1, Message: line {n}", at)
    assert dock.model.rowCount() == 60
    assert dock.proxy.index(dock.table.rowAt(0), LINE_COLUMN).data() == reading
    dock.pause_button.setChecked(False)
    dock.model.add_line("[DEV] SMS (not sent) - To: +1, Message: line 65", at)
    qtbot.waitUntil(lambda: dock.table.rowAt(dock.table.viewport().height() - 2) == 59)


def test_bulk_retry_of_failed_rows_shows_progress(qtbot, boss_console, home, monkeypatch):  # noqa: F811
    ctx = boss_console.ctx
    dock = _dock(qtbot, boss_console)
    with FakeTwilio() as twilio:
        for name, value in twilio.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("FLASK_ENV", "production")
        for n in range(3):
            phone = f"+1312555012{n}"
            twilio.reply_for(phone, Reply.invalid_number(), always=True)
            bookings.create_booking(
                ctx,
                customer_name=f"Customer {n}",
                customer_phone=phone,
                customer_email=None,
                address="1 Main St",
                service="Leak check",
                start=f"2030-03-1{n} 09:00",
                end=f"2030-03-1{n} 10:00",
                call_center=True,
            )
        deliver_due(ctx.db, Config(), worker_id="desk-4")
    failed = [v.id for v in outbox.list_outbox(ctx, status="failed")]
    assert len(failed) == 3
    _poll(qtbot, dock)
    assert sorted(dock.failed_shown()) == sorted(failed)
    steps = []
    dock.progress.valueChanged.connect(steps.append)
    with qtbot.waitSignal(dock.console.ops.changed, timeout=5000):
        dock.retry_all_button.click()
    assert steps[-1] == 3
    assert dock.message.text() == "3 notifications queued again."
    assert [outbox.get_message(ctx, i).status for i in failed] == ["queued"] * 3
    assert dock.failed_shown() == []


def test_a_hidden_dock_does_not_poll_and_catches_up_when_shown(qtbot, boss_console):  # noqa: F811
    dock = _dock(qtbot, boss_console)
    assert not dock.isVisible()
    count = dock.poll_count
    _book(boss_console.ctx)
    boss_console.ops.changed.emit(Change.BOOKINGS)
    dock.poller.timer.timeout.emit()
    qtbot.wait(50)
    assert dock.poll_count == count and not dock.polling
    dock.show()
    qtbot.waitUntil(lambda: dock.poll_count > count)
    assert [e.status for e in dock.model.entries() if e.source == OUTBOX] == ["queued", "queued"]


def test_live_lines_carry_the_status_a_supervisor_acts_on() -> None:
    """The fields come from the notice on each log record; a line without one is not parsed."""
    import logging

    from dispatch_desktop.notify.notifier import Outcome, SendResult, send_email, send_sms
    from dispatch_desktop.services.console_notify import LOGGER_NAME
    from dispatch_desktop.ui.notifications.log_model import LogEntry, attach_tail_handler, detach_tail_handler

    class Refusing:
        def send(self, to: str, body: str) -> SendResult:
            return SendResult(Outcome.FAILED, error="Twilio HTTP 400 21211: invalid number")

    tail = attach_tail_handler()
    try:
        send_sms("+13125550117", "Your booking", production=True, missing=["TWILIO_AUTH_TOKEN"])
        send_sms("+13125550117", "Your booking", production=True, sender=Refusing())
        send_email("carla@example.com", "Booking Confirmation", "body", production=False)
        logging.getLogger(LOGGER_NAME).warning("[PROD] SMS failed - To: +1, Error: typed by hand (retry)")
    finally:
        detach_tail_handler(tail)
    entries = [LogEntry.of_line(*logged) for logged in tail.snapshot()]
    assert [(e.line, e.environment, e.channel, e.status) for e in entries] == [
        (
            "[PROD] SMS failed - To: +13125550117, Error: missing credentials: TWILIO_AUTH_TOKEN (retry)",
            "PROD",
            "sms",
            "retry",
        ),
        (
            "[PROD] SMS failed - To: +13125550117, Error: Twilio HTTP 400 21211: invalid number (permanent)",
            "PROD",
            "sms",
            "failed",
        ),
        (
            "[DEV] EMAIL (not sent) - To: carla@example.com, Subject: Booking Confirmation",
            "DEV",
            "email",
            "logged",
        ),
        ("[PROD] SMS failed - To: +1, Error: typed by hand (retry)", "", "", ""),
    ]


def test_lines_logged_together_reach_the_pane_in_one_insert_in_their_order(qtbot, boss_console):  # noqa: F811
    import logging

    from dispatch_desktop.services.console_notify import LOGGER_NAME

    dock = _dock(qtbot, boss_console)
    inserts: list[int] = []
    dock.model.rowsInserted.connect(lambda _parent, first, last: inserts.append(last - first + 1))
    lines = [f"[DEV] SMS (not sent) - To: +1312555{n:04d}, Message: batch {n}" for n in range(4)]
    for line in lines:
        logging.getLogger(LOGGER_NAME).info(line)
    qtbot.waitUntil(lambda: dock.model.lines()[-4:] == lines)
    assert inserts == [4]
    shown = dock.table.model().index(dock.table.model().rowCount() - 1, LINE_COLUMN)
    assert shown.data() == lines[-1]
