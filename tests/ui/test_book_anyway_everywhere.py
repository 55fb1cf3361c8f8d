"""Issue 17's "Book anyway?" wherever an agent is given a booking outside their hours or skills:
the time-off dialog's Reassign and the board's Ctrl+Z ask as a drop does; the booking form's agent
list follows the service as it is typed, and the call-center panel (no agent) books as before."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from dispatch_desktop.services import agents, audit, availability, bookings, timeoff
from dispatch_desktop.services.bookings import ENTITY
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.call_center.panel import CallCenterPanel
from dispatch_desktop.ui.timeoff.page import TimeOffPage
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE
ZONE = ZoneInfo(TEST_TIMEZONE)
SATURDAY = datetime(2030, 3, 16, 10, 0, tzinfo=ZONE)


def _book(ctx, agent_id: int | None, *, override: bool = False):
    return bookings.create_booking(
        ctx,
        customer_name="Maya Chen",
        customer_phone="+13125550111",
        customer_email=None,
        address="12 Elm St",
        service="Boiler service",
        start=SATURDAY,
        end=SATURDAY + timedelta(hours=1),
        agent_id=agent_id,
        override=override,
    )


def _weekday_agent(ctx):
    return agents.add_agent(
        ctx, name="Ann Field", phone="+13125550101", email="a@example.com", hours="mon-fri 08:00-17:00"
    )


def _answer(box: QMessageBox | None, text: str) -> None:
    assert box is not None
    [button] = [b for b in box.buttons() if b.text() == text]
    button.click()


def _audit(ctx, booking_id: int) -> list[tuple[str, str | None, str | None, str]]:
    return [(e.action, e.field, e.new_value, e.actor) for e in audit.history(ctx, ENTITY, booking_id)]


def test_reassigning_in_the_time_off_dialog_asks_book_anyway_and_yes_is_audited(qtbot, make_console):  # noqa: F811
    console = make_console("dispatcher")
    ctx, who = console.ctx, console.actor.username
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550102", email="ana@example.com")
    ann = _weekday_agent(ctx)
    booking = _book(ctx, ana.id)
    request = timeoff.request_time_off(
        ctx, agent_id=ana.id, start=SATURDAY.replace(hour=8), end=SATURDAY.replace(hour=18), reason="wedding"
    )
    page = TimeOffPage(console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.loaded >= 1)
    page.select_request(request.id)
    dialog = page.approve_selected()
    qtbot.waitUntil(lambda: dialog.reassign_to.currentData() == ann.id)
    assert dialog.reassign_to.currentText() == "Ann Field — free · off Sat"

    dialog.reassign_button.click()
    qtbot.waitUntil(lambda: dialog.book_anyway_question is not None, timeout=10_000)
    box = dialog.book_anyway_question
    assert (
        box.text()
        == "Ann Field does not work Saturdays\n\nBook anyway? The audit trail records the override."
    )
    assert box.defaultButton().text() == "&Go back"
    _answer(box, "&Go back")
    assert bookings.get_booking(ctx, booking.id).agent_id == ana.id
    assert not any(action == "override" for action, *_ in _audit(ctx, booking.id))

    dialog.book_anyway_question = None
    qtbot.waitUntil(lambda: dialog.reassign_button.isEnabled())
    dialog.reassign_button.click()
    qtbot.waitUntil(lambda: dialog.book_anyway_question is not None, timeout=10_000)
    with qtbot.waitSignal(dialog.conflictsLoaded, timeout=10_000):
        _answer(dialog.book_anyway_question, "&Book anyway")
    assert bookings.get_booking(ctx, booking.id).agent_id == ann.id
    rows = _audit(ctx, booking.id)
    assert ("override", "booked", "outside Ann Field's hours", who) in rows
    assert ("assigned", "agent", "Ann Field", who) in rows
    assert dialog.message.text() == f"{booking.reference} is now with Ann Field."
    assert dialog.model.rowCount() == 0 and dialog.approve_button.isDefault()


def test_ctrl_z_back_to_an_agent_off_that_day_asks_and_go_back_keeps_the_undo(qtbot, make_console):  # noqa: F811
    console = make_console("dispatcher")
    ctx, who = console.ctx, console.actor.username
    ann = _weekday_agent(ctx)
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550103", email="ben@example.com")
    booking = _book(ctx, ann.id, override=True)  # booked with Ann on her day off, knowingly
    page = BoardPage(console)
    page.set_day(SATURDAY.date())
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == SATURDAY.date())
    with qtbot.waitSignal(page.moved, timeout=10_000):
        page.drop_booking(booking.id, ben.id, None)
    assert bookings.get_booking(ctx, booking.id).agent_id == ben.id

    page.activateWindow()
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus)
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.book_anyway_question is not None, timeout=10_000)
    box = page.book_anyway_question
    assert box.text().startswith("Ann Field does not work Saturdays\n")
    assert not page.message.is_error  # a question, not a refusal
    _answer(box, "&Go back")
    assert bookings.get_booking(ctx, booking.id).agent_id == ben.id
    assert page.last_drop is not None  # Ctrl+Z may still take it back

    page.book_anyway_question = None
    page.undo_last_drop()
    qtbot.waitUntil(lambda: page.book_anyway_question is not None, timeout=10_000)
    with qtbot.waitSignal(page.moved, timeout=10_000):
        _answer(page.book_anyway_question, "&Book anyway")
    stored = bookings.get_booking(ctx, booking.id)
    assert (stored.agent_id, stored.start) == (ann.id, booking.start)
    assert page.message.text() == f"Undone: {booking.reference} is back with Ann Field at 10:00."
    assert page.last_drop is None
    overrides = [row for row in _audit(ctx, booking.id) if row[0] == "override"]
    assert (
        overrides == [("override", "booked", "outside Ann Field's hours", who)] * 2
    )  # the booking, the undo


def test_the_forms_agent_list_follows_the_service_as_it_is_typed(qtbot, make_console):  # noqa: F811
    console = make_console("dispatcher")
    ctx = console.ctx
    availability.set_service_skill(ctx, "Boiler service", "boiler")
    agents.add_agent(ctx, name="Bo Jones", phone="+13125550102", email="b@example.com", skills="gas")
    agents.add_agent(ctx, name="Cy Young", phone="+13125550103", email="c@example.com", skills="boiler")
    form = BookingForm(console)
    qtbot.addWidget(form)
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    form.start.set_value(SATURDAY.replace(tzinfo=None))
    form.duration.setValue(60)

    def labels() -> list[str]:
        return [form.agent.itemText(i) for i in range(1, form.agent.count())]

    qtbot.waitUntil(lambda: labels() == ["Bo Jones — free", "Cy Young — free"], timeout=10_000)
    loads = form.availability_loads
    qtbot.keyClicks(form.service, "Boiler service")  # nothing else changes: the service alone re-sorts
    qtbot.waitUntil(lambda: form.availability_loads > loads, timeout=10_000)
    qtbot.waitUntil(
        lambda: labels() == ["Cy Young — free", "Bo Jones — free · no boiler skill"], timeout=10_000
    )


def test_the_call_center_panel_books_a_skilled_service_unassigned_without_asking(qtbot, make_console):  # noqa: F811
    ctx = make_console().ctx  # the supervisor sets the skill and the agent up
    console = make_console("call-center")
    availability.set_service_skill(ctx, "Boiler service", "boiler")
    agents.add_agent(ctx, name="Bo Jones", phone="+13125550102", email="b@example.com", skills="gas")
    panel = CallCenterPanel(console)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=10_000)
    panel.phone.setText("312 555 0143")
    panel.name.setText("Kim Park")
    panel.address.setText("55 E Erie St")
    panel.service.setText("Boiler service")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.keyClick(panel.service, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    stored = bookings.get_booking(ctx, saved.args[0].id)
    assert (stored.service, stored.agent_id, stored.status) == ("Boiler service", None, "pending")
    assert not any(action == "override" for action, *_ in _audit(ctx, stored.id))
    assert not [b for b in panel.findChildren(QPushButton) if b.text() == "&Book anyway"]
