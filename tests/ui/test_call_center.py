"""Call-center entry: a whole call with the keyboard only."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from dispatch_desktop.services import bookings, team_settings
from dispatch_desktop.services.booking_notices import booking_notifications
from dispatch_desktop.services.outbox import OutboxView
from dispatch_desktop.ui.call_center.panel import CallCenterPanel, confirmation_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _panel(qtbot, console) -> CallCenterPanel:
    panel = CallCenterPanel(console)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=10_000)
    return panel


def _type_and_enter(qtbot, panel: CallCenterPanel, text: str) -> None:
    widget = QApplication.focusWidget()
    if text:
        qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_a_call_taken_with_the_keyboard_creates_a_pending_call_center_booking(qtbot, desk, db):
    console = desk("carla", "call-center")
    panel = _panel(qtbot, console)
    panel.phone.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.phone)
    for text in ("(312) 555-0142", "Maria Lopez", "maria@example.com", "1200 W Belmont Ave", "No hot water"):
        _type_and_enter(qtbot, panel, text)
    assert QApplication.focusWidget() is panel.start.date_field
    _type_and_enter(qtbot, panel, "")  # keep the suggested date
    assert QApplication.focusWidget() is panel.start.time_field
    _type_and_enter(qtbot, panel, "")  # and time
    assert QApplication.focusWidget() is panel.duration
    _type_and_enter(qtbot, panel, "")
    assert QApplication.focusWidget() is panel.language  # in the walk, not only behind Alt+L
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        _type_and_enter(qtbot, panel, "")  # Enter on the last field saves
    view = saved.args[0]
    stored = bookings.get_booking(console.ctx, view.id)
    assert (stored.status, stored.source, stored.agent_id) == ("pending", "call-center", None)
    assert stored.customer_name == "Maria Lopez" and stored.customer_phone == "+13125550142"
    assert stored.created_by == "carla"
    # The agent reads what happened, and the panel is ready for the next call.
    assert panel.result.text().startswith(f"{view.reference} saved — confirmation")
    assert panel.phone.text() == "" and panel.name.text() == ""
    assert QApplication.focusWidget() is panel.phone


def test_only_the_customer_is_notified(qtbot, desk, db):
    console = desk("carla", "call-center")
    panel = _panel(qtbot, console)
    panel.phone.setText("312 555 0143")
    panel.name.setText("Kim Park")
    panel.email.setText("kim@example.com")
    panel.address.setText("55 E Erie St")
    panel.service.setText("Leaking tap")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.keyClick(panel.service, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    rows = booking_notifications(console.ctx, saved.args[0].id)
    assert rows, "the confirmation must be queued with the booking"
    assert {row.recipient_kind for row in rows} == {"customer"}
    assert {row.channel for row in rows} == {"sms", "email"}


def test_escape_clears_the_panel_for_the_next_call(qtbot, desk, db):
    panel = _panel(qtbot, desk("carla", "call-center"))
    panel.phone.setText("312 555 0145")
    panel.name.setText("Lee Wong")
    panel.service.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.service)
    qtbot.keyClick(panel.service, Qt.Key.Key_Escape)
    # Something was typed: Esc asks first, and Enter (the default) keeps it.
    box = panel.discard_question
    assert box is not None and box.text() == "Clear what you typed for this call?"
    box.defaultButton().click()
    assert panel.name.text() == "Lee Wong"
    qtbot.keyClick(panel.service, Qt.Key.Key_Escape)
    [discard] = [b for b in panel.discard_question.buttons() if b.text() == "&Discard"]
    discard.click()
    assert panel.phone.text() == "" and panel.name.text() == ""
    assert QApplication.focusWidget() is panel.phone
    # An empty panel clears at once.
    panel.discard_question = None
    qtbot.keyClick(panel.phone, Qt.Key.Key_Escape)
    assert panel.discard_question is None


def test_a_known_caller_is_filled_in_from_the_phone_number(qtbot, desk, db):
    console = desk("carla", "call-center")
    panel = _panel(qtbot, console)
    panel.phone.setText("312 555 0144")
    panel.name.setText("Returning Rita")
    panel.email.setText("rita@example.com")
    panel.address.setText("1 Lake Shore Dr")
    panel.service.setText("Furnace check")
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        panel.save()
    panel.phone.setText("+1 312-555-0144")
    panel.phone.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.name.text() == "Returning Rita", timeout=10_000)
    assert panel.email.text() == "rita@example.com"
    assert panel.lookup.text() == "Known customer"
    assert panel.caller_bookings.text().splitlines()[0] == "Returning Rita · (312) 555-0144"


def test_bad_input_stays_in_the_panel_with_the_reason(qtbot, desk, db):
    console = desk("carla", "call-center")
    panel = _panel(qtbot, console)
    panel.phone.setText("555")
    panel.name.setText("Someone")
    panel.save()
    assert panel.messages["phone"].isVisible()
    assert panel.messages["address"].isVisible()
    assert QApplication.focusWidget() is panel.phone
    assert bookings.count_bookings(console.ctx, bookings.BookingQuery()) == 0


def _row(status: str, kind: str = "customer", channel: str = "sms", error: str | None = None) -> OutboxView:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return OutboxView(
        1,
        "booking_created",
        channel,
        "+13125550142",
        "M",
        kind,
        None,
        "body",
        status,
        0,
        error,
        None,
        None,
        None,
        1,
        None,
        None,
        now,
        now,
        now,
        "production",
        None,  # sent_at
        None,  # delivery
        None,  # delivery_error_code
        None,  # delivery_reason
        None,  # hold_reason
        None,  # superseded_by
    )


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["queued"], "confirmation queued for the customer (SMS)"),
        (["logged"], "confirmation logged (DEV, not sent)"),
        (["sent"], "confirmation sent to the customer"),
        (["failed"], "could not be sent"),
        ([], "no confirmation"),
    ],
)
def test_confirmation_text_says_what_happened(statuses, expected):
    text = confirmation_text("BK-000123", [_row(s) for s in statuses], lambda s: s)
    assert text.startswith("BK-000123 saved — ")
    assert expected in text


def test_a_confirmation_held_for_credentials_is_not_called_queued():
    held = _row("retry", error="missing credentials: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN")
    other = _row("retry", error="Twilio HTTP 503 (retry)")
    text = confirmation_text("BK-000123", [held], lambda s: s)
    assert text == "BK-000123 saved — confirmation NOT sent yet: no credentials on any running notifier"
    assert "queued" in confirmation_text("BK-000123", [other], lambda s: s)
    # Held by this workstation, but a running notifier can send texts: it goes out, it is queued.
    assert "queued" in confirmation_text("BK-000123", [held], lambda s: s, frozenset({"sms"}))


def test_the_language_is_the_teams_for_a_new_caller_and_a_returning_callers_own(qtbot, desk, db):
    console = desk("carla", "call-center")
    team_settings.update_team_settings(desk().ctx, language="es")
    panel = _panel(qtbot, console)
    assert [panel.language.itemText(i) for i in range(panel.language.count())] == ["English", "Español"]
    assert panel.language.currentData() == "es"  # the team's
    panel.phone.setText("312 555 0146")
    panel.name.setText("Rosa Díaz")
    panel.address.setText("3300 W 26th St")
    panel.service.setText("Calentador")
    panel.language.setFocus()
    qtbot.waitUntil(panel.language.hasFocus)
    qtbot.keyClick(panel.language, Qt.Key.Key_E)  # typed as a call-taker would: "E" for English
    assert panel.language.currentData() == "en"
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        qtbot.keyClick(panel.language, Qt.Key.Key_Return)  # the last field of the walk: Enter saves
    assert bookings.get_booking(console.ctx, saved.args[0].id).customer_language == "en"
    assert panel.language.currentData() == "es"  # cleared for the next call: the team's again
    panel.phone.setText("312-555-0146")
    panel.phone.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.name.text() == "Rosa Díaz", timeout=10_000)
    assert panel.language.currentData() == "en"  # she chose English on her first call


def test_a_new_callers_phone_reads_in_the_national_format_like_a_known_one(qtbot, desk, db):
    """A call-taker typed 3125550177 for a new caller and it stayed so, while a known caller's number
    turns into (312) 555-0144: one national format everywhere."""
    panel = _panel(qtbot, desk("carla", "call-center"))
    panel.phone.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.phone)
    _type_and_enter(qtbot, panel, "3125550177")
    qtbot.waitUntil(lambda: panel.lookup.text() == "New customer", timeout=10_000)
    assert panel.phone.text() == "(312) 555-0177"
    assert QApplication.focusWidget() is panel.name
    # A number that is no phone number stays as typed, with its message under the field.
    panel.phone.setFocus()
    panel.phone.setText("12")
    panel.phone.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.messages["phone"].isVisible(), timeout=10_000)
    assert panel.phone.text() == "12"
