"""The supervisors' Templates page: edit a kind's texts, see the preview and its SMS cost, save, revert."""

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from dispatch_desktop.domain.sms_segments import segments
from dispatch_desktop.services import agents, booking_notices, bookings, templates
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.models import MessageTemplate
from dispatch_desktop.ui.kit.sms_meter import SmsMeter, meter_note
from dispatch_desktop.ui.kit.style import FIELD_ERROR
from dispatch_desktop.ui.settings.dialog import SettingsDialog
from dispatch_desktop.ui.settings.template_editor import HtmlPreview
from dispatch_desktop.ui.settings.templates_page import TemplatesPage
from dispatch_desktop.ui.shell.live_refresh import RevisionWatcher
from tests.ui.conftest import drain
from tests.ui.mnemonics import duplicates

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_the_meter_names_the_segments_and_the_character_that_forces_ucs2(qtbot) -> None:
    assert meter_note(segments("On our way")) == "10 characters · 1 segment · GSM-7"
    assert meter_note(segments("Su cita está confirmada")) == (
        "23 UCS-2 units · 1 segment · UCS-2 because of 'á'"
    )
    meter = SmsMeter()
    qtbot.addWidget(meter)
    meter.show_count(segments("á" + "a" * 100))  # é is GSM-7, á is not
    assert meter.text() == "101 UCS-2 units · 2 segments · UCS-2 because of 'á'"
    assert not meter.refused and FIELD_ERROR not in meter.styleSheet()
    meter.show_refused("Hi {{ ref }")
    assert meter.text() == "Not counted: this SMS does not render as typed"
    assert meter.refused and FIELD_ERROR in meter.styleSheet()
    meter.show_refused("Reparación {{ ref }")
    assert meter.text().endswith("as typed; 'ó' makes it UCS-2")
    meter.show_refused("", segments("ó" * 150))
    assert meter.text() == "150 UCS-2 units · 3 segments · UCS-2 because of 'ó' · refused: at most 2 segments"
    assert meter.refused and FIELD_ERROR in meter.styleSheet()


def test_the_html_preview_reads_no_file_a_template_names(qtbot) -> None:
    view = HtmlPreview()
    qtbot.addWidget(view)
    view.setHtml('<p>Hello</p><img src="file:///etc/hostname">')
    assert view.toPlainText().startswith("Hello")
    image = QTextDocument.ResourceType.ImageResource
    assert view.document().resource(image, QUrl("file:///etc/hostname")) is None


# --- the page in the settings dialog ----------------------------------------------------------

CONFIRMATION = "customer_confirmation"
LONG_SMS = (
    "Booked: {{ ref }}, {{ service }} on {{ when }} at {{ address }}. " + "Thank you for choosing us! " * 4
)


def _templates(qtbot, console) -> tuple[SettingsDialog, TemplatesPage]:
    dialog = SettingsDialog(console)
    qtbot.addWidget(dialog, before_close_func=lambda _w: drain())
    dialog.show()
    page = dialog.show_templates()
    assert page is not None
    qtbot.waitUntil(lambda: page.shown is not None and page.last_preview is not None, timeout=10_000)
    return dialog, page


def _choose(qtbot, page: TemplatesPage, kind: str) -> None:
    page.kinds.setCurrentRow(page.kinds.kinds().index(kind))
    qtbot.waitUntil(lambda: page.shown is not None and page.shown.detail.kind == kind, timeout=10_000)


def _type(qtbot, page: TemplatesPage, part: str, text: str) -> None:
    """Replace a part's text as a person would, and wait for the preview of what was typed."""
    page.parts.show_part(part)
    editor = page.parts.editors[part]
    editor.selectAll()
    with qtbot.waitSignal(page.previewed, timeout=10_000):
        editor.insertPlainText(text[:-1])
        qtbot.keyClicks(editor, text[-1])


def _save(qtbot, page: TemplatesPage):
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        page.save_button.click()
    return saved.args[0]


def _sms_to(ctx, booking_id: int) -> str:
    rows = booking_notices.booking_notifications(ctx, booking_id)
    [sms] = [row for row in rows if row.channel == "sms" and row.recipient_kind == "customer"]
    return sms.body


def _book(ctx):
    """A booking with an agent: its customer is sent the confirmation."""
    agent = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550182", email="ana@example.com")
    return bookings.create_booking(
        ctx,
        agent_id=agent.id,
        customer_name="Nadia Flores",
        customer_phone="+13125550150",
        customer_email=None,
        address="4 Pine Road",
        service="Leak check",
        start="2030-03-12 15:00",
        end="2030-03-12 16:00",
    )


def test_a_supervisor_edits_the_confirmation_sms_and_the_next_booking_gets_it(qtbot, desk, db) -> None:
    console = desk()
    _dialog, page = _templates(qtbot, console)
    assert page.shown.detail.kind == CONFIRMATION  # the first kind opens
    assert page.preview.meter.text().endswith("1 segment · GSM-7")
    assert page.changed.text() == "Shipped default"
    assert not page.save_button.isEnabled()

    _type(qtbot, page, "sms", LONG_SMS)
    assert page.preview.text_view.toPlainText().startswith("Booked: BK-")
    assert " 2 segments · GSM-7" in page.preview.meter.text()
    assert page.save_button.isEnabled()
    # A variable clicked goes in at the cursor.
    editor = page.parts.editors["sms"]
    cursor = editor.textCursor()
    cursor.setPosition(len("Booked: "))
    editor.setTextCursor(cursor)
    names = [page.variables.item(row).text() for row in range(page.variables.count())]
    item = page.variables.item(names.index("{{ agent_name }}"))
    qtbot.mouseClick(
        page.variables.viewport(), Qt.MouseButton.LeftButton, pos=page.variables.visualItemRect(item).center()
    )
    assert editor.toPlainText().startswith("Booked: {{ agent_name }}{{ ref }}")
    _type(qtbot, page, "sms", LONG_SMS)
    page.parts.show_part("html")  # the HTML part may also name the subject
    assert "{{ subject }}" in [page.variables.item(row).text() for row in range(page.variables.count())]
    page.parts.show_part("sms")
    assert "{{ subject }}" not in [page.variables.item(row).text() for row in range(page.variables.count())]

    outcome = _save(qtbot, page)
    assert outcome.saved == ("sms",) and outcome.error is None
    assert page.message.text() == "Saved. Every workstation uses it from now on."
    qtbot.waitUntil(lambda: page.changed.text().startswith("Changed by "), timeout=10_000)
    assert not page.save_button.isEnabled() and page.revert_button.isEnabled()
    assert " boss changed the confirmation SMS (en)" in page.changed.toolTip()  # the history

    booking = _book(console.ctx)
    assert f"Booked: {booking.reference}, Leak check on " in _sms_to(console.ctx, booking.id)


def test_a_dispatcher_sees_no_templates_page(qtbot, desk, db) -> None:
    dialog = SettingsDialog(desk("dana", "dispatcher"))
    qtbot.addWidget(dialog, before_close_func=lambda _w: drain())
    assert dialog.templates_page is None and dialog.tabs is None
    assert dialog.findChildren(TemplatesPage) == []


def test_a_refused_draft_shows_its_one_line_stays_in_the_editor_and_saves_nothing(qtbot, desk, db) -> None:
    console = desk()
    _dialog, page = _templates(qtbot, console)
    hostile = "Hi {{ ''.__class__ }}"
    _type(qtbot, page, "sms", hostile)
    assert page.problem.is_error and "\n" not in page.problem.text()

    outcome = _save(qtbot, page)
    assert outcome.saved == () and outcome.refused == "sms"
    assert page.problem.is_error and page.problem.text().startswith("SMS: line 1: ")
    assert "\n" not in page.problem.text()
    assert page.message.text() == "Not saved: the SMS as typed is refused."
    assert page.parts.editors["sms"].toPlainText() == hostile and page.save_button.isEnabled()
    stored = templates.show_template(console.ctx, CONFIRMATION, "en").part("sms")
    assert not stored.is_override and stored.text == stored.shipped_text


def test_revert_asks_first_and_restores_the_shipped_text(qtbot, desk, db) -> None:
    console = desk()
    templates.set_part(console.ctx, CONFIRMATION, "sms", "en", "Yours: {{ ref }}")
    shipped = templates.show_template(console.ctx, CONFIRMATION, "en").part("sms").shipped_text
    _dialog, page = _templates(qtbot, console)
    assert page.parts.editors["sms"].toPlainText() == "Yours: {{ ref }}"
    assert page.changed.text().startswith("Changed by ")

    page.revert_button.click()
    box = page.question
    assert box is not None and box.isVisible() and box.defaultButton().text() == "&Keep it"
    assert box.text().startswith("The SMS of the confirmation (en) goes back to the text shipped")
    [revert] = [button for button in box.buttons() if button.text() == "&Revert"]
    revert.click()
    qtbot.waitUntil(lambda: page.parts.editors["sms"].toPlainText() == shipped, timeout=10_000)
    assert page.changed.text().startswith("Shipped default (reset by boss ")
    assert not page.revert_button.isEnabled()
    assert not templates.show_template(console.ctx, CONFIRMATION, "en").part("sms").is_override


def test_the_character_that_forces_ucs2_is_named_as_you_type(qtbot, desk, db) -> None:
    _dialog, page = _templates(qtbot, desk())
    _type(qtbot, page, "sms", "Su cita {{ ref }} está confirmada")
    assert page.preview.meter.text().endswith("1 segment · UCS-2 because of 'á'")
    assert not page.preview.meter.refused and not page.problem.is_error


def test_an_sms_over_two_segments_is_refused_in_red_with_its_count(qtbot, desk, db) -> None:
    _dialog, page = _templates(qtbot, desk())
    _type(qtbot, page, "sms", "{{ ref }} " + "Gracias por elegirnos, reparación. " * 3 + "{{ when }}")
    meter = page.preview.meter
    assert meter.refused and FIELD_ERROR in meter.styleSheet()
    assert " · 3 segments · UCS-2 because of 'ó' · refused: at most 2 segments" in meter.text()
    assert page.problem.is_error and page.problem.text().startswith(
        "SMS: the SMS for the sample booking is 3 segments"
    )
    assert page.problem.text().endswith("which would cut off {{ when }}: put it earlier or shorten the text")
    _type(qtbot, page, "sms", "{{ when }} " + "Gracias por elegirnos, reparación. " * 3)  # the day first
    assert not meter.refused and meter.text().endswith(" · 2 segments · UCS-2 because of 'ó'")
    assert page.preview.text_view.toPlainText().endswith("... Reply STOP to opt out.")


def test_another_workstations_save_reloads_the_kind_but_keeps_what_is_typed(qtbot, desk, db) -> None:
    console = desk()
    dialog, page = _templates(qtbot, console)
    watcher = RevisionWatcher(console, interval_ms=100, parent=dialog)  # the console's live refresh
    watcher.start()
    qtbot.waitUntil(lambda: watcher.last is not None, timeout=10_000)
    other = ServiceContext(db, "boss")  # another workstation of the same team
    templates.set_part(other, CONFIRMATION, "subject", "en", "Booked: {{ ref }}")
    subject = page.parts.editors["subject"]
    qtbot.waitUntil(lambda: subject.toPlainText() == "Booked: {{ ref }}", timeout=10_000)

    _type(qtbot, page, "sms", "Mine: {{ ref }}")
    templates.set_part(other, CONFIRMATION, "sms", "en", "Theirs: {{ ref }}")
    templates.set_part(other, CONFIRMATION, "subject", "en", "Confirmed: {{ ref }}")
    qtbot.waitUntil(lambda: subject.toPlainText() == "Confirmed: {{ ref }}", timeout=10_000)
    assert page.parts.editors["sms"].toPlainText() == "Mine: {{ ref }}" and page.edited()
    watcher.stop()


def test_leaving_a_changed_kind_asks_and_keeps_editing_unless_told(qtbot, desk, db) -> None:
    _dialog, page = _templates(qtbot, desk())
    _type(qtbot, page, "sms", "Draft {{ ref }}")
    page.kinds.setCurrentRow(1)
    box = page.question
    assert box is not None and box.isVisible() and box.defaultButton().text() == "&Keep editing"
    box.defaultButton().click()
    assert page.kinds.kinds()[page.kinds.currentRow()] == CONFIRMATION
    assert page.parts.editors["sms"].toPlainText() == "Draft {{ ref }}"

    page.kinds.setCurrentRow(1)
    [discard] = [button for button in page.question.buttons() if button.text() == "&Discard"]
    discard.click()
    qtbot.waitUntil(lambda: page.shown.detail.kind != CONFIRMATION, timeout=10_000)
    assert not page.edited() and page.kinds.currentRow() == 1

    # The same for the language: asked, and Discard moves on to it.
    _type(qtbot, page, "sms", "Borrador {{ ref }}")
    page.language.setCurrentIndex(page.language.findData("es"))
    assert page.current_language() == "en" and page.question.isVisible()
    [discard] = [button for button in page.question.buttons() if button.text() == "&Discard"]
    discard.click()
    qtbot.waitUntil(lambda: page.shown.detail.language == "es", timeout=10_000)
    assert page.current_language() == "es" and not page.edited()


def test_the_templates_tab_fits_1024x700_offers_each_mnemonic_once_and_is_keyboard_reachable(
    qtbot, desk, db
) -> None:
    dialog, page = _templates(qtbot, desk())
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 660, hint  # a title bar above, within 700
    dialog.resize(1024, 660)
    qtbot.wait(50)
    for widget in (page.save_button, page.revert_button, page.language, page.parts.tabBar()):
        assert widget.width() >= widget.sizeHint().width(), widget
    assert duplicates(dialog) == {}

    dialog.activateWindow()
    page.kinds.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.kinds)
    reached = []
    for _step in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    for widget in (page.language, page.booking, page.parts.editors["sms"], page.variables):
        assert widget in reached, type(widget).__name__


def test_the_preview_renders_a_real_booking_picked_by_its_reference(qtbot, desk, db) -> None:
    console = desk()
    booking = _book(console.ctx)
    _dialog, page = _templates(qtbot, console)
    page.booking.setText(booking.reference.lower())  # as typed: bk-000001
    with qtbot.waitSignal(page.previewed, timeout=10_000):
        page.booking.editingFinished.emit()
    assert page.preview.title.text() == f"Preview of the SMS, {booking.reference}"
    assert "Leak check" in page.preview.text_view.toPlainText()
    assert "4 Pine Road" in page.preview.text_view.toPlainText()

    page.booking.setText("next tuesday")
    page.booking.editingFinished.emit()
    qtbot.waitUntil(lambda: page.problem.is_error, timeout=10_000)
    assert page.problem.text() == "'next tuesday' is not a booking reference (type one such as BK-000123)"
    page.booking.setText("BK-999999")
    page.booking.editingFinished.emit()
    qtbot.waitUntil(lambda: page.problem.text() == "no booking with id 999999", timeout=10_000)


def test_closing_the_dialog_with_a_changed_template_asks_first(qtbot, desk, db) -> None:
    dialog, page = _templates(qtbot, desk())
    _type(qtbot, page, "subject", "Booked: {{ ref }}")
    dialog.reject()  # Esc or Close
    assert dialog.isVisible() and page.question is not None and page.question.isVisible()
    [discard] = [button for button in page.question.buttons() if button.text() == "&Discard"]
    discard.click()
    assert not dialog.isVisible()
    stored = templates.show_template(desk().ctx, CONFIRMATION, "en").part("subject")
    assert not stored.is_override


def test_a_spanish_override_is_saved_for_spanish_only(qtbot, desk, db) -> None:
    console = desk()
    _dialog, page = _templates(qtbot, console)
    assert [page.language.itemText(i) for i in range(page.language.count())] == [
        "English (en)",
        "Spanish (es)",
    ]
    page.language.setCurrentIndex(page.language.findData("es"))
    qtbot.waitUntil(lambda: page.shown is not None and page.shown.detail.language == "es", timeout=10_000)
    _type(qtbot, page, "sms", "Cita {{ ref }} confirmada: {{ when }}.")
    assert _save(qtbot, page).saved == ("sms",)
    qtbot.waitUntil(lambda: page.kinds.item(0).text() == "Confirmation · changed (es)", timeout=10_000)
    assert templates.show_template(console.ctx, CONFIRMATION, "es").part("sms").is_override
    assert not templates.show_template(console.ctx, CONFIRMATION, "en").part("sms").is_override


def test_ctrl_s_saves_the_template_typed(qtbot, desk, db) -> None:
    console = desk()
    _dialog, page = _templates(qtbot, console)
    _type(qtbot, page, "sms", "Booked {{ ref }} for {{ when }}.")
    editor = page.parts.editors["sms"]
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=5_000)
    with qtbot.waitSignal(page.saved, timeout=10_000) as saved:
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args[0].saved == ("sms",)
    assert editor.toPlainText() == "Booked {{ ref }} for {{ when }}."  # Ctrl+S typed no letter
    assert templates.show_template(console.ctx, CONFIRMATION, "en").part("sms").text == (
        "Booked {{ ref }} for {{ when }}."
    )


def test_a_language_customers_cannot_choose_is_refused_at_save(qtbot, desk, db) -> None:
    """A French override stored before languages were checked shows, but takes no new text."""
    with db.write() as session:
        session.add(
            MessageTemplate(
                kind=CONFIRMATION, part="sms", language="fr", body="Réservé {{ ref }}", updated_by="boss"
            )
        )
    console = desk()
    _dialog, page = _templates(qtbot, console)
    page.language.setCurrentIndex(page.language.findData("fr"))
    qtbot.waitUntil(lambda: page.shown is not None and page.shown.detail.language == "fr", timeout=10_000)
    _type(qtbot, page, "sms", "Réservé {{ ref }} le {{ when }}.")
    outcome = _save(qtbot, page)
    assert outcome.saved == () and outcome.refused == "sms"
    assert page.problem.text() == (
        "SMS: template language must be one of en, es (the languages with messages), not 'fr'"
    )
    assert templates.show_template(console.ctx, CONFIRMATION, "fr").part("sms").text == "Réservé {{ ref }}"


def test_an_emails_preview_names_the_calendar_invite_it_carries(qtbot, desk, db) -> None:
    _dialog, page = _templates(qtbot, desk())
    assert page.preview.invite.isHidden()  # the SMS carries none
    page.parts.show_part("text")
    assert not page.preview.invite.isHidden()
    assert page.preview.invite.text().startswith("Calendar invite: REQUEST ")
    assert page.preview.invite.text().endswith(" (America/Chicago)")
    _choose(qtbot, page, "request_received")
    qtbot.waitUntil(lambda: page.last_preview is not None and page.last_preview.kind == "request_received")
    assert page.preview.invite.isHidden()
