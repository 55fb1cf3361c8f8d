"""The Inbox tab: unread count in its title, conversations, segment counting, reply, mark read, the booking link."""

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from dispatch_desktop.domain.inbound import InboundSms
from dispatch_desktop.domain.sms_segments import segments
from dispatch_desktop.services import bookings, inbound, inbox
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.ui.inbox.page import InboxPage, segment_note
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.plain import plain_tip
from dispatch_desktop.ui.shell.main_window import MainWindow
from tests.ui.conftest import drain

NOW = datetime.now(UTC) - timedelta(hours=1)  # received before any reply a test sends


def _booking(ctx: ServiceContext) -> bookings.BookingView:
    return bookings.create_booking(
        ctx,
        customer_name="Nadia Flores",
        customer_phone="+13125550150",
        customer_email=None,
        address="4 Pine Road",
        service="Leak check",
        start="2030-03-12 15:00",
        end="2030-03-12 16:00",
    )


def _text(ctx: ServiceContext, sender: str, body: str, minutes: int = 0) -> None:
    at = NOW + timedelta(minutes=minutes)
    inbound.apply_inbound(ctx, InboundSms(f"SM{sender}{minutes}", sender, "+15005550006", body, at), at)


def _page(qtbot, console) -> InboxPage:
    page = InboxPage(console)
    qtbot.addWidget(page, before_close_func=lambda _w: drain())
    page.resize(1000, 600)
    return page


def test_the_segment_note_says_why_a_reply_costs_more() -> None:
    assert segment_note(segments("On our way")) == "10 characters · 1 segment (GSM-7)"
    assert segment_note(segments("a" * 161)) == "161 characters · 2 segments (GSM-7)"
    assert segment_note(segments("{}" * 80)) == "320 characters · 3 segments (GSM-7)"  # escaped: 2 each
    assert (
        segment_note(segments("Grüß dich ł"))
        == "11 UCS-2 units · 1 segment (UCS-2); 'ł' is not in the GSM alphabet"
    )


def test_a_conversation_interleaves_their_texts_with_ours_and_a_reply_goes_through_the_outbox(
    qtbot, desk, db
) -> None:
    console = desk()
    booking = _booking(console.ctx)
    _text(console.ctx, "+13125550150", "Is 3 pm still on?")
    _text(console.ctx, "+13125550177", "Wrong number?", minutes=5)
    page = _page(qtbot, console)
    qtbot.waitUntil(lambda: page.threads.count() == 2 and page.current is not None, timeout=10_000)
    assert page.unread == 2
    assert page.threads.item(0).text().startswith("(312) 555-0177 (unknown)\n20")  # the number once
    assert page.threads.item(1).text().startswith("Nadia Flores (customer)\n(312) 555-0150 · ")
    page.threads.setCurrentRow(1)
    qtbot.waitUntil(lambda: page.current is not None and page.current.phone == "+13125550150", timeout=10_000)
    assert page.header.text() == f"Nadia Flores (customer) · (312) 555-0150 · {booking.reference}"
    lines = [page.entries.item(i).text() for i in range(page.entries.count())]
    # Theirs (sent an hour ago) first, then the outbox's "we have your request" (no agent yet).
    assert lines[0].startswith("← ") and lines[0].endswith("Is 3 pm still on?  [unread]")
    assert lines[1].startswith("→ ") and "We have your request for" in lines[1]

    page.reply_box.setPlainText("Yes, see you at 3 — Ana")
    assert page.counter.text() == "23 UCS-2 units · 1 segment (UCS-2); '—' is not in the GSM alphabet"
    assert page.send_button.isEnabled()
    page.send_button.click()
    qtbot.waitUntil(lambda: page.reply_box.toPlainText() == "", timeout=10_000)
    qtbot.waitUntil(lambda: page.entries.count() == len(lines) + 1, timeout=10_000)
    assert page.entries.item(page.entries.count() - 1).text().endswith("Yes, see you at 3 — Ana  [queued]")
    assert page.unread == 1  # the answered text counts as read


def test_mark_read_and_the_unread_count_in_the_tab_title(qtbot, desk, db) -> None:
    console = desk()
    _text(console.ctx, "+13125550177", "hello")
    _text(console.ctx, "+13125550177", "anyone?", minutes=1)
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    title = lambda: window.tabs.tabText(window.tabs.indexOf(window.inbox_page))  # noqa: E731
    qtbot.waitUntil(lambda: title() == "Inbox (2)", timeout=10_000)
    page = window.inbox_page
    qtbot.waitUntil(lambda: page.current is not None and page.read_button.isEnabled(), timeout=10_000)
    page.read_button.click()
    qtbot.waitUntil(lambda: title() == "Inbox", timeout=10_000)
    assert inbox.unread_count(console.ctx) == 0
    # A text from another workstation shows on the next refresh (live refresh says Change.ALL).
    _text(ServiceContext(db, "boss"), "+13125550188", "STOP please")
    _text(ServiceContext(db, "boss"), "+13125550188", "really", minutes=2)
    console.ops.changed.emit(Change.ALL)
    qtbot.waitUntil(lambda: title() == "Inbox (1)", timeout=10_000)


def test_open_booking_shows_the_linked_booking_with_the_reschedule_request(qtbot, desk, db) -> None:
    console = desk()
    booking = _booking(console.ctx)
    from dispatch_desktop.services.team_settings import update_team_settings

    update_team_settings(console.ctx, two_way_sms=True)
    _text(console.ctx, "+13125550150", "R")
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    qtbot.waitUntil(lambda: window.bookings_page.model.loads >= 1, timeout=10_000)
    page = window.inbox_page
    qtbot.waitUntil(lambda: page.current is not None and page.booking_button.isEnabled(), timeout=10_000)
    assert page.header.text().endswith(f"{booking.reference} ↻ (customer asks to reschedule)")
    page.booking_button.click()
    qtbot.waitUntil(lambda: window.bookings_page.selected_id() == booking.id, timeout=10_000)
    assert window.tabs.currentWidget() is window.bookings_page
    model = window.bookings_page.model
    status_column = [column.key for column in model.columns].index("status")
    cell = model.index(model.row_of(booking.id), status_column)
    qtbot.waitUntil(lambda: model.data(cell) == "pending ↻", timeout=10_000)
    assert model.data(cell, Qt.ItemDataRole.ToolTipRole) == plain_tip("↻ customer asks to reschedule")
