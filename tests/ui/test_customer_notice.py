"""Don't notify the customer: the booking form's checkbox and a Shift-drop on the board (issue 14)."""

from datetime import UTC, timedelta

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent

from dispatch_desktop.services import agents, bookings
from dispatch_desktop.services.booking_notices import booking_notifications
from dispatch_desktop.ui.board.scene import booking_mime
from dispatch_desktop.ui.bookings.form import BookingForm
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures
from tests.ui.test_board import _board, _book, at
from tests.ui.test_booking_form import START

pytestmark = [OFFSCREEN_NOISE, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def _told(ctx, booking_id):  # type: ignore[no-untyped-def]
    return [(row.event, row.recipient_kind, row.channel) for row in booking_notifications(ctx, booking_id)]


def test_the_form_saves_a_new_time_without_telling_the_customer_when_notify_is_off(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    marcus = agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    view = bookings.create_booking(
        console.ctx,
        customer_name="Nadia Flores",
        customer_phone="+13125550150",
        customer_email="nadia@example.com",
        address="2200 N Clark St",
        service="Boiler annual service",
        start=START,
        end=START + timedelta(hours=1),
        agent_id=marcus.id,
    )
    form = BookingForm(console, view)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    assert form.notify_customer.isChecked()  # on by default
    form.notify_customer.setChecked(False)
    form.start.set_value(START + timedelta(hours=2))
    qtbot.waitUntil(lambda: form.availability_loads >= 1 and form.agent.count() == 2, timeout=10_000)
    form.agent.select_agent(marcus.id)
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    moved = [told for told in _told(console.ctx, view.id) if told[0] == "booking_rescheduled"]
    assert moved == [("booking_rescheduled", "agent", "sms"), ("booking_rescheduled", "agent", "email")]
    history = bookings.booking_history(console.ctx, view.id)
    assert [(e.actor, e.new_value) for e in history if e.field == "customer notice"] == [("dana", "off")]


def test_a_shift_drop_on_the_board_tells_the_agent_not_the_customer_and_says_so(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    pending = _book(ctx, None, at(9))
    page = _board(qtbot, boss_console)
    page.show()
    view = page.view
    scene_point = QPointF(view.geometry_.x_of(at(11).astimezone(UTC)) + 2, view.geometry_.y_of_row(0) + 10)
    view.ensureVisible(scene_point.x(), scene_point.y(), 1, 1)
    point = QPointF(view.mapFromScene(scene_point))
    mime = booking_mime(pending.id, 0.0)  # kept: the event does not own it
    drop = QDropEvent(
        point,
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
    )
    with qtbot.waitSignal(page.moved, timeout=5000):
        view.dropEvent(drop)
    stored = bookings.get_booking(ctx, pending.id)
    assert (stored.agent_id, stored.start) == (ana.id, at(11).astimezone(UTC))
    assert page.message.text() == (
        f"{pending.reference} moved to Ana Ruiz at 11:00. Ctrl+Z undoes it. The customer was not notified (Shift held)."
    )
    after_creation = {told for told in _told(ctx, pending.id) if told[0] != "booking_created"}
    assert {kind for _event, kind, _channel in after_creation} == {"agent"}
    assert ("booking_assigned", "agent", "sms") in after_creation


def test_the_call_center_panel_asks_ok_to_text_and_a_no_means_email_only(qtbot, desk, db):
    from tests.ui.test_call_center import _panel

    console = desk("carla", "call-center")
    panel = _panel(qtbot, console)
    assert panel.sms_consent.currentText() == "Not asked"
    panel.phone.setText("312 555 0143")
    panel.name.setText("Kim Park")
    panel.email.setText("kim@example.com")
    panel.address.setText("55 E Erie St")
    panel.service.setText("Leaking tap")
    panel.sms_consent.setCurrentIndex(panel.sms_consent.findData("no"))
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        panel.save()
    rows = booking_notifications(console.ctx, saved.args[0].id)
    assert {(row.channel, row.status, row.last_error) for row in rows} == {
        ("sms", "skipped", "customer declined texts"),
        ("email", "queued", None),
    }
    assert panel.sms_consent.currentText() == "Not asked"  # ready for the next caller
