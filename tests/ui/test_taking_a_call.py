"""Taking a call: a returning caller filled in from the phone number, typed time shortcuts, Enter
the same in both forms, and how many key presses a call takes (driven with real key events)."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from dispatch_desktop.services import agents, bookings
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.call_center.panel import CallCenterPanel
from dispatch_desktop.ui.shell.main_window import MainWindow
from tests.ui.conftest import drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

BEFORE_RETURNING = 84  # key presses for a returning caller on main before this work (issue 17)


class Keyboard:
    """Types with real key events into whatever has the focus, and counts every key pressed
    (a character is one press, a modifier held with a key is one more)."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.presses = 0

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(QApplication.focusWidget(), text)
        self.presses += len(text)

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(QApplication.focusWidget(), key, modifier)
        self.presses += 1 + (modifier != Qt.KeyboardModifier.NoModifier)

    def enter(self) -> None:
        self.press(Qt.Key.Key_Return)


def _panel(qtbot, console) -> CallCenterPanel:
    panel = CallCenterPanel(console)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=10_000)
    panel.phone.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.phone)
    return panel


def _focus_is(qtbot, widget: QWidget) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=10_000)


def _tomorrow_at(panel: CallCenterPanel, hour: int) -> datetime:
    assert panel.settings is not None
    zone = panel.settings.zone
    today = datetime.now(zone).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time().replace(hour=hour), zone)


def _ritas_booking(ctx, starts_in: timedelta = timedelta(days=3), **changes) -> BookingView:
    """One of Rita's bookings, made directly as an earlier call would have."""
    start = datetime.now(UTC).replace(second=0, microsecond=0) + starts_in
    fields = {
        "customer_name": "Rita Moreno",
        "customer_phone": "+13125550144",
        "customer_email": "rita@example.com",
        "address": "1 Lake Shore Dr",
        "service": "Furnace check",
        "start": start,
        "end": start + timedelta(hours=1),
    } | changes
    return bookings.create_booking(ctx, **fields)


def test_a_new_caller_takes_80_key_presses(qtbot, desk, db):
    panel = _panel(qtbot, desk("carla", "call-center"))
    keys = Keyboard(qtbot)
    for text in (
        "3125550142",
        "Maria Lopez",
        "maria@example.com",
        "1200 W Belmont Ave",
        "No hot water",
        "+1",
    ):
        keys.type(text)
        keys.enter()
    _focus_is(qtbot, panel.start.time_field)
    keys.type("10")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    stored = bookings.get_booking(panel.console.ctx, saved.args[0].id)
    assert (stored.customer_name, stored.customer_email) == ("Maria Lopez", "maria@example.com")
    assert (stored.address, stored.service) == ("1200 W Belmont Ave", "No hot water")
    assert stored.start == _tomorrow_at(panel, 10)
    assert stored.end - stored.start == timedelta(hours=1)
    assert keys.presses == 80


def test_a_returning_caller_at_the_same_address_takes_at_most_half_the_key_presses(qtbot, desk, db):
    console = desk("carla", "call-center")
    _ritas_booking(console.ctx)
    panel = _panel(qtbot, console)
    keys = Keyboard(qtbot)
    keys.type("3125550144")
    keys.enter()
    _focus_is(qtbot, panel.service)  # the lookup filled in who and where, and moved on
    assert (panel.name.text(), panel.email.text(), panel.address.text()) == (
        "Rita Moreno",
        "rita@example.com",
        "1 Lake Shore Dr",
    )
    keys.type("Furnace check")
    keys.enter()
    keys.type("+1")
    keys.enter()
    keys.type("10")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    stored = bookings.get_booking(console.ctx, saved.args[0].id)
    assert (stored.customer_name, stored.address, stored.service) == (
        "Rita Moreno",
        "1 Lake Shore Dr",
        "Furnace check",
    )
    assert stored.customer_email == "rita@example.com"
    assert stored.start == _tomorrow_at(panel, 10)
    assert keys.presses == 32
    assert keys.presses <= BEFORE_RETURNING // 2


def test_a_returning_caller_sees_their_bookings_with_status_and_can_pick_another_address(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    marcus = agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    older = _ritas_booking(console.ctx, -timedelta(hours=20), address="9 Old Rd", service="Leak")
    coming = _ritas_booking(console.ctx, agent_id=marcus.id)
    bookings.change_status(console.ctx, coming.id, "en_route")
    panel = _panel(qtbot, console)
    qtbot.keyClicks(panel.phone, "(312) 555-0144")
    qtbot.keyClick(panel.phone, Qt.Key.Key_Return)
    _focus_is(qtbot, panel.service)
    assert panel.address.text() == "1 Lake Shore Dr"  # the last one booked
    listed = panel.caller_bookings.text()
    assert panel.caller_bookings.isVisible()
    assert "Rita Moreno · (312) 555-0144" in listed
    assert panel.phone.text() == "(312) 555-0144"  # shown as the team writes numbers
    assert f"{coming.reference} · " in listed and "Furnace check · en route · Marcus Hill" in listed
    assert f"{older.reference} · " in listed and "Leak · pending · no agent yet" in listed
    # The other address is a pick list away (Down in Address opens it).
    assert panel.address.completer().model().stringList() == ["1 Lake Shore Dr", "9 Old Rd"]
    # The next call starts clean (Esc asks first, since the lookup filled the form in).
    qtbot.keyClick(panel.service, Qt.Key.Key_Escape)
    [discard] = [b for b in panel.discard_question.buttons() if b.text() == "&Discard"]
    discard.click()
    assert not panel.caller_bookings.isVisible()
    assert panel.address.completer().model().stringList() == []


def test_a_typed_name_is_kept_and_the_cursor_stays_when_the_caller_typed_on(qtbot, desk, db):
    console = desk("carla", "call-center")
    _ritas_booking(console.ctx)
    panel = _panel(qtbot, console)
    panel.name.setText("Rita M.")
    qtbot.keyClicks(panel.phone, "3125550144")
    qtbot.keyClick(panel.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Known customer" in panel.lookup.text(), timeout=10_000)
    assert panel.name.text() == "Rita M."
    assert QApplication.focusWidget() is panel.name


def test_an_unreadable_time_is_refused_under_the_field(qtbot, desk, db):
    panel = _panel(qtbot, desk("carla", "call-center"))
    for field, text in (
        (panel.phone, "3125550142"),
        (panel.name, "Kim"),
        (panel.address, "1 Main"),
        (panel.service, "Tap"),
    ):
        field.setText(text)
    panel.start.time_field.setText("25")
    panel.save()
    assert panel.messages["start"].text() == "Type a time: 10, 10:30 or 2p"
    assert QApplication.focusWidget() is panel.start.date_field
    assert bookings.count_bookings(panel.console.ctx, bookings.BookingQuery()) == 0


def test_both_forms_suggest_the_same_start(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    panel = _panel(qtbot, console)
    form = BookingForm(console)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    assert form.start.value() == panel.start.value()
    assert form.start.value() is not None and form.start.value().minute % 15 == 0


def test_enter_walks_the_booking_form_and_saves_on_the_last_field(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    form = BookingForm(console)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    _focus_is(qtbot, form.phone)
    keys = Keyboard(qtbot)
    for text, then in (
        ("3125550150", form.name),
        ("Nadia Flores", form.email),
        ("", form.address),
        ("2200 N Clark St", form.service),
        ("Boiler", form.start.date_field),
        ("+1", form.start.time_field),
        ("2:30p", form.duration),
        ("", form.agent),
        ("", form.notes),
        ("", form.language),  # last, as in the call-center panel
    ):
        keys.type(text)
        keys.enter()
        _focus_is(qtbot, then)
        assert form.isVisible(), "Enter in a field must not save"
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        keys.enter()  # on the last field
    zone = form.settings.zone
    start = saved.args[0].start.astimezone(zone)
    assert (start.date(), start.strftime("%H:%M")) == (datetime.now(zone).date() + timedelta(days=1), "14:30")


def test_the_console_opens_for_a_call_taker_with_the_cursor_in_phone(qtbot, desk, db):
    window = MainWindow(
        desk("carla", "call-center"), live_refresh=False, deliver=False, first_run_check=False
    )
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    _focus_is(qtbot, window.call_center.phone)
