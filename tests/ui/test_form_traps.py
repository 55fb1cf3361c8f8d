"""The traps of issue 17 in the booking form: one form per booking, Esc asks, edit conflicts merge."""

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from dispatch_desktop.services import agents, bookings, operators
from dispatch_desktop.services.booking_drafts import merge_draft
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.ui.bookings.details_dialog import BookingDetailsDialog
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.bookings.page import BookingsPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")

START = datetime(2030, 3, 14, 9, 0)


def _booking(ctx, name="Sue Park", service="Drain"):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone="+13125550190",
        customer_email=None,
        address="9 Oak St",
        service=service,
        start=START,
        end=START + timedelta(hours=1),
    )


def _ready(qtbot, form: BookingForm) -> BookingForm:
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    return form


def _forms(page) -> list[BookingForm]:
    return [f for f in page.findChildren(BookingForm) if f.isVisible()]


def test_double_click_and_enter_on_a_booking_open_one_form_and_a_second_request_focuses_it(qtbot, desk):
    console = desk()
    view = _booking(console.ctx)
    page = BookingsPage(console)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.loads >= 1 and page.model.rowCount() == 1, timeout=10_000)
    index = page.table.model().index(0, 0)
    page.table.setCurrentIndex(index)
    # A real double-click emits doubleClicked and activated; then Enter asks again.
    page.table.doubleClicked.emit(index)
    page.table.activated.emit(index)
    page.table.activated.emit(index)
    qtbot.waitUntil(lambda: len(_forms(page)) == 1, timeout=10_000)
    page.edit_selected()
    qtbot.wait(200)
    [form] = _forms(page)
    assert form.booking.id == view.id
    assert console.open_windows == {("booking", view.id): form}
    form.reject()
    qtbot.waitUntil(lambda: not _forms(page), timeout=10_000)
    assert console.open_windows == {}


def test_esc_on_an_untouched_form_closes_it_at_once(qtbot, desk):
    console = desk()
    form = _ready(qtbot, BookingForm(console, _booking(console.ctx)))
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert not form.isVisible()
    assert form.discard_question is None


def test_esc_on_a_changed_form_asks_and_keep_editing_is_the_default(qtbot, desk):
    console = desk()
    form = _ready(qtbot, BookingForm(console, _booking(console.ctx)))
    form.notes.setText("Gate code 4411")
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    box = form.discard_question
    assert box is not None and box.isVisible()
    assert box.text() == f"Discard your changes to {form.booking.reference}?"
    assert box.defaultButton().text() == "&Keep editing"
    box.defaultButton().click()  # what Enter does
    assert form.isVisible() and form.notes.text() == "Gate code 4411"

    qtbot.keyClick(form, Qt.Key.Key_Escape)
    box = form.discard_question
    [discard] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
    discard.click()
    assert not form.isVisible()
    assert bookings.get_booking(console.ctx, form.booking.id).notes is None


def test_a_new_booking_form_with_typing_asks_too(qtbot, desk):
    console = desk()
    form = _ready(qtbot, BookingForm(console, None))
    form.reject()
    assert not form.isVisible()
    form = _ready(qtbot, BookingForm(console, None))
    form.name.setText("Half typed")
    form.reject()
    assert form.discard_question.text() == "Discard this new booking?"
    assert form.isVisible()


def test_the_same_field_changed_on_both_workstations_asks_theirs_or_yours_in_words(qtbot, desk, db):
    boss = ServiceContext(db, "boss")
    operators.add_operator(boss, name="Boss Person", username="boss", role="supervisor")
    operators.add_operator(boss, name="Dana Lee", username="dana", role="dispatcher")
    console = desk("boss", "supervisor")
    view = _booking(boss)
    form = _ready(qtbot, BookingForm(console, view))
    dana = ServiceContext(db, "dana")
    bookings.update_booking(dana, view.id, expect_version=view.version, service="Drain and tap", notes="Dog")
    form.service.setText("Drain, two sinks")
    form.address.setText("10 Oak St")
    form.save()
    qtbot.waitUntil(
        lambda: form.conflict_dialog is not None and form.conflict_dialog.isVisible(), timeout=10_000
    )
    dialog = form.conflict_dialog
    when = bookings.get_booking(boss, view.id).updated_at.astimezone(boss.team_settings().zone)
    assert dialog.said.text() == (
        f"Dana Lee changed the service to Drain and tap and the notes to Dog at {when:%H:%M}."
    )
    assert dialog.theirs_buttons["service"].text() == "Theirs: Drain and tap"
    assert [g for g in dialog.groups] == ["service"]
    dialog.theirs_buttons["service"].setChecked(True)
    dialog.use_button.click()
    assert (form.service.text(), form.address.text(), form.notes.text()) == (
        "Drain and tap",
        "10 Oak St",
        "Dog",
    )
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    stored = bookings.get_booking(boss, view.id)
    assert (stored.service, stored.address, stored.notes) == ("Drain and tap", "10 Oak St", "Dog")


def test_merge_keeps_both_sides_and_a_field_changed_alike_is_no_clash(db):
    boss = ServiceContext(db, "boss")
    view = _booking(boss)
    bookings.update_booking(boss, view.id, expect_version=view.version, service="Tap", address="1 Elm St")
    from dispatch_desktop.services.booking_drafts import draft_of

    mine = draft_of(view)
    mine = type(mine)(**{**mine.__dict__, "address": "1 Elm St", "notes": "Ring"})
    merge = merge_draft(boss, view, mine, assign=True)
    assert merge.clashes == ()
    assert (merge.draft.service, merge.draft.address, merge.draft.notes) == ("Tap", "1 Elm St", "Ring")
    assert merge.current.version == view.version + 1


def test_a_call_taker_double_clicking_an_assigned_booking_sees_its_details(qtbot, desk):
    boss = desk()
    tech = agents.add_agent(boss.ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    view = bookings.assign_booking(boss.ctx, _booking(boss.ctx).id, tech.id)
    console = desk("carla", role="call-center")
    page = BookingsPage(console)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.loads >= 1 and page.model.rowCount() == 1, timeout=10_000)
    messages: list[str] = []
    page.status_message.connect(messages.append)
    index = page.table.model().index(0, 0)
    centre = page.table.visualRect(index).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: bool(page.findChildren(BookingDetailsDialog)), timeout=10_000)
    [details] = page.findChildren(BookingDetailsDialog)
    qtbot.waitUntil(lambda: details.loaded, timeout=10_000)
    assert details.isVisible()
    assert "Ana Ruiz" in details.summary.text()
    assert not _forms(page)
    assert messages == [f"{view.reference} is assigned: showing its details, read-only."]
    details.reject()
