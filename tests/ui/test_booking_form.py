"""The booking form as a dispatcher uses it: lookup, validation, availability, saving, stale edits."""

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from dispatch_desktop.domain.errors import StaleVersionError
from dispatch_desktop.services import agents, bookings, timeoff
from dispatch_desktop.services.booking_notices import booking_notifications
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.bookings.page import BookingsPage
from dispatch_desktop.ui.kit.changes import Change

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

START = datetime(2030, 3, 14, 9, 0)


def _ready(qtbot, form: BookingForm) -> BookingForm:
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    return form


def _fill(
    form: BookingForm,
    *,
    phone="(312) 555-0150",
    name="Nadia Flores",
    email="nadia@example.com",
    start=START,
    minutes=90,
) -> None:
    form.phone.setText(phone)
    form.phone.editingFinished.emit()
    form.name.setText(name)
    form.email.setText(email)
    form.address.setText("2200 N Clark St, Chicago, IL")
    form.service.setText("Boiler annual service")
    form.start.set_value(start)
    form.duration.setValue(minutes)


def _page(qtbot, console) -> BookingsPage:
    page = BookingsPage(console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.model.loads >= 1, timeout=10_000)
    return page


def test_a_booking_saved_in_the_form_appears_in_the_table(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    marcus = agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    page = _page(qtbot, console)
    assert page.model.rowCount() == 0
    form = _ready(qtbot, page.new_booking())
    _fill(form)
    qtbot.waitUntil(lambda: form.availability_loads >= 1 and form.agent.count() == 2, timeout=10_000)
    form.agent.select_agent(marcus.id)
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.keyClick(
            form.service, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )  # Ctrl+Enter saves
    view = saved.args[0]
    assert view.status == "scheduled" and view.agent_name == "Marcus Hill"
    assert view.customer_phone == "+13125550150"
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: page.model.index(0, 0).data() == view.reference, timeout=10_000)
    assert page.model.index(0, 2).data() == "Nadia Flores"
    assert page.model.index(0, 6).data() == "Marcus Hill"
    assert page.model.index(0, 7).data() == "scheduled"
    assert page.selected_id() == view.id


def test_enter_walks_from_notes_to_the_language_and_saves_there_as_in_the_call_center_panel(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    form = _ready(qtbot, BookingForm(console))
    qtbot.addWidget(form)
    form.show()
    _fill(form)
    form.notes.setFocus()
    qtbot.keyClick(form.notes, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.language.hasFocus(), timeout=5_000)
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        qtbot.keyClick(form.language, Qt.Key.Key_Return)
    assert saved.args[0].customer_name == "Nadia Flores"


def test_saving_queues_the_customer_and_agent_notifications(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    marcus = agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    form = BookingForm(console)
    qtbot.addWidget(form)
    _ready(qtbot, form)
    _fill(form)
    qtbot.waitUntil(lambda: form.agent.count() == 2, timeout=10_000)
    form.agent.select_agent(marcus.id)
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        form.save()
    rows = booking_notifications(console.ctx, saved.args[0].id)
    kinds = {(row.recipient_kind, row.channel, row.recipient) for row in rows}
    assert ("customer", "sms", "+13125550150") in kinds
    assert ("customer", "email", "nadia@example.com") in kinds
    assert ("agent", "sms", "+13125550111") in kinds
    assert {row.status for row in rows} == {"queued"}


def test_phone_lookup_fills_a_known_customer(qtbot, desk, db):
    console = desk()
    bookings.create_booking(
        console.ctx,
        customer_name="Olivia Known",
        customer_phone="+13125550170",
        customer_email="olivia@example.com",
        address="1 Elm St",
        service="Tap",
        start=START,
        end=START + timedelta(hours=1),
    )
    form = _ready(qtbot, BookingForm(console))
    qtbot.addWidget(form)
    form.phone.setText("312 555 0170")
    form.phone.editingFinished.emit()
    qtbot.waitUntil(lambda: form.name.text() == "Olivia Known", timeout=10_000)
    assert form.email.text() == "olivia@example.com"
    assert "Known customer" in form.lookup.text()


def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(qtbot, desk, db):
    console = desk()
    form = _ready(qtbot, BookingForm(console))
    qtbot.addWidget(form)
    form.show()
    _fill(form, phone="12", email="not-an-email")
    form.name.clear()
    form.save()
    assert form.messages["phone"].isVisible() and "phone" in form.messages["phone"].text()
    assert form.messages["email"].isVisible() and "email" in form.messages["email"].text()
    assert form.messages["name"].isVisible()
    assert not form.saving
    assert bookings.count_bookings(console.ctx, bookings.BookingQuery()) == 0
    form.phone.setText("(312) 555-0150")
    form.phone.editingFinished.emit()
    assert not form.messages["phone"].isVisible()


def test_agent_picker_shows_free_busy_and_time_off_before_saving(qtbot, desk, db):
    console = desk()
    ctx = console.ctx
    free = agents.add_agent(ctx, name="Free Fran", phone="+13125550181", email="f@example.com")
    busy = agents.add_agent(ctx, name="Busy Bob", phone="+13125550182", email="b@example.com")
    off = agents.add_agent(ctx, name="Off Olga", phone="+13125550183", email="o@example.com")
    bookings.create_booking(
        ctx,
        customer_name="Cy",
        customer_phone="+13125550184",
        customer_email=None,
        address="1 A St",
        service="Tap",
        start=START,
        end=START + timedelta(hours=2),
        agent_id=busy.id,
    )
    leave = timeoff.request_time_off(
        ctx, agent_id=off.id, start=START - timedelta(hours=1), end=START + timedelta(hours=8)
    )
    timeoff.approve_time_off(ctx, leave.id)
    form = _ready(qtbot, BookingForm(console))
    qtbot.addWidget(form)
    _fill(form, start=START + timedelta(minutes=30), minutes=60)
    qtbot.waitUntil(lambda: len(form.agent.agent_states()) == 3, timeout=10_000)
    assert form.agent.agent_states() == {free.id: "free", busy.id: "busy", off.id: "time off"}
    labels = [form.agent.itemText(i) for i in range(form.agent.count())]
    assert labels[0] == "Unassigned (assign later)"  # free agents first, then busy, then off
    assert labels[1].startswith("Free Fran — free")
    assert "Busy Bob — busy: BK-" in labels[2]
    assert "Off Olga — time off" in labels[3]
    form.agent.select_agent(busy.id)
    assert "busy" in form.agent_state.text()
    with qtbot.assertNotEmitted(form.saved, wait=500):
        form.save()
        qtbot.waitUntil(lambda: not form.saving, timeout=10_000)
    assert "already booked" in form.messages["agent"].text()


def test_a_stale_edit_merges_their_change_to_another_field_and_says_it_in_words(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    view = bookings.create_booking(
        console.ctx,
        customer_name="Stale Sue",
        customer_phone="+13125550190",
        customer_email=None,
        address="9 Oak St",
        service="Drain",
        start=START,
        end=START + timedelta(hours=1),
    )
    form = _ready(qtbot, BookingForm(console, view))
    qtbot.addWidget(form)
    form.show()
    # Meanwhile a supervisor on another workstation changes the service.
    other = ServiceContext(db, "boss")
    bookings.update_booking(other, view.id, expect_version=view.version, service="Drain and tap")
    form.address.setText("10 Oak St")
    form.save()
    qtbot.waitUntil(lambda: form.service.text() == "Drain and tap", timeout=10_000)
    assert form.address.text() == "10 Oak St"  # what was typed is kept
    assert form.general.text().startswith("Boss Person changed the service to Drain and tap at ")
    assert "version" not in form.general.text()
    assert bookings.get_booking(other, view.id).address == "9 Oak St"  # nothing overwritten yet
    assert form.booking.version == view.version + 1
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    stored = bookings.get_booking(other, view.id)
    assert (stored.address, stored.service) == ("10 Oak St", "Drain and tap")


def test_an_open_form_notices_a_change_from_another_workstation(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    view = bookings.create_booking(
        console.ctx,
        customer_name="Live Lou",
        customer_phone="+13125550191",
        customer_email=None,
        address="9 Oak St",
        service="Drain",
        start=START,
        end=START + timedelta(hours=1),
    )
    form = _ready(qtbot, BookingForm(console, view))
    qtbot.addWidget(form)
    form.show()
    form.address.setText("11 Oak St")
    bookings.update_booking(ServiceContext(db, "boss"), view.id, notes="Ring twice")
    console.ops.changed.emit(Change.ALL)  # what the revision watcher does within a second
    qtbot.waitUntil(lambda: form.stale_banner.isVisible(), timeout=10_000)
    # The person by name, as the merge message says it, never the login (issue 17).
    assert form.stale_banner.text.text().startswith("Boss Person changed this booking at ")
    form.stale_banner.reload_button.click()
    qtbot.waitUntil(lambda: form.notes.text() == "Ring twice", timeout=10_000)
    assert form.address.text() == "11 Oak St"  # bringing theirs in keeps what was typed
    assert not form.stale_banner.isVisible()


def test_the_service_refuses_a_stale_version_too(db):
    ctx = ServiceContext(db, "boss")
    view = bookings.create_booking(
        ctx,
        customer_name="X Y",
        customer_phone="+13125550192",
        customer_email=None,
        address="1 St",
        service="S",
        start=START,
        end=START + timedelta(hours=1),
    )
    bookings.update_booking(ctx, view.id, notes="first")
    with pytest.raises(StaleVersionError):
        bookings.update_booking(ctx, view.id, expect_version=view.version, notes="second")


def test_the_form_shows_and_changes_the_customers_language(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    view = bookings.create_booking(
        console.ctx,
        customer_name="Lucía Pérez",
        customer_phone="+13125550191",
        customer_email="lucia@example.com",
        address="9 Oak St",
        service="Drain",
        start=START,
        end=START + timedelta(hours=1),
    )
    form = _ready(qtbot, BookingForm(console, view))
    qtbot.addWidget(form)
    form.show()
    assert form.language.currentData() == "en" and not form.is_changed()  # she follows the team
    form.language.setCurrentIndex(form.language.findData("es"))
    assert form.is_changed()
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    stored = bookings.get_booking(console.ctx, view.id)
    assert stored.customer_language == "es"
    reopened = _ready(qtbot, BookingForm(console, stored))
    qtbot.addWidget(reopened)
    assert reopened.language.currentData() == "es"
