# ruff: noqa: F811 - the fixtures imported from tests/ui/_support are pytest arguments
"""The console shows who a booking's messages did not reach: the table's marker, the board's
block, the status bar's count, the details' Notifications section, the log pane's Delivery
column and filter, and the red banner for failures of the whole Twilio account."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from dispatch_desktop.services import agents, bookings
from dispatch_desktop.services.booking_notices import booking_notices
from dispatch_desktop.services.views import BookingView
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.bookings.details_dialog import BookingDetailsDialog
from dispatch_desktop.ui.bookings.model import PLACEHOLDER, BookingsModel
from dispatch_desktop.ui.notifications.account_alert import AccountAlertBanner
from dispatch_desktop.ui.notifications.log_model import DELIVERY_COLUMN, NOT_REACHED_FILTER
from dispatch_desktop.ui.notifications.log_pane import OUTBOX, NotificationLogDock
from dispatch_desktop.ui.shell.status_bar import ConsoleStatusBar
from tests.core.receipts import message_ids, put_failure, put_receipt
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console, notify_env  # noqa: F401
from tests.ui.test_board import DAY, at

pytestmark = [OFFSCREEN_NOISE, pytest.mark.usefixtures("notify_env")]
UNREACHABLE = "30003 phone unreachable (off or out of coverage)"
AGENT_LINE = f"agent Ana Ruiz (SMS): {UNREACHABLE}: phone the agent"


def _book(ctx, agent_id: int | None, hour: int, name: str, phone: str) -> BookingView:
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email=None,
        address="12 Elm St, Springfield",
        service="Boiler service",
        start=at(hour),
        end=at(hour) + timedelta(hours=1),
        agent_id=agent_id,
    )


@pytest.fixture
def missed(boss_console, db) -> tuple[BookingView, BookingView]:
    """Maya's booking: the agent's assignment text undelivered. Raj's: every text arrived."""
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    maya = _book(ctx, ana.id, 9, "Maya Chen", "+13125550111")
    raj = _book(ctx, ana.id, 13, "Raj Patel", "+13125550112")
    put_receipt(db, message_ids(db, maya.id, "agent")[-1], "undelivered", 30003)
    for kind in ("agent", "customer"):
        put_receipt(db, message_ids(db, raj.id, kind)[-1], "delivered")
    return maya, raj


def _cell(model: BookingsModel, booking_id: int, column: str, role=Qt.ItemDataRole.DisplayRole):
    row = model.row_of(booking_id)
    return model.index(row, next(i for i, c in enumerate(model.columns) if c.key == column)).data(role)


def test_the_bookings_table_marks_the_booking_and_names_who_was_not_reached(
    qtbot,
    qtmodeltester,
    boss_console,
    missed,
):
    maya, raj = missed
    model = BookingsModel(boss_console)
    model.reload()
    qtbot.waitUntil(lambda: model.loads >= 1, timeout=10_000)
    for booking in missed:
        _cell(model, booking.id, "status")
    qtbot.waitUntil(lambda: _cell(model, maya.id, "status") != PLACEHOLDER, timeout=10_000)
    assert _cell(model, maya.id, "status") == "scheduled ⚠ not reached"
    assert _cell(model, raj.id, "status") == "scheduled"
    tip = _cell(model, maya.id, "status", Qt.ItemDataRole.ToolTipRole)
    assert "Not reached:" in tip and "Ana Ruiz" in tip and "phone the agent" in tip
    assert _cell(model, raj.id, "status", Qt.ItemDataRole.ToolTipRole) is None
    qtmodeltester.check(model)


def test_the_board_block_says_not_reached(qtbot, boss_console, missed):
    maya, raj = missed
    page = BoardPage(boss_console)
    page.set_day(DAY.date())
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == DAY.date() and len(page.blocks()) == 2)
    blocks = {block.booking.id: block for block in page.blocks()}
    assert [marker.text for marker in blocks[maya.id].markers] == ["⚠ not reached"]
    assert blocks[maya.id].lines[0].startswith("09:00 Ma")  # time and customer first, then its chip
    assert "phone the agent" in blocks[maya.id].toolTip()
    assert blocks[raj.id].markers == []


def test_the_status_bar_counts_bookings_not_reached(qtbot, boss_console, missed, db):
    bar = ConsoleStatusBar(boss_console, demo_mode=False)
    qtbot.addWidget(bar)
    bar.counts.poll()
    qtbot.waitUntil(lambda: bar.not_reached is not None, timeout=10_000)
    assert bar.reach_label.text() == "1 not reached" and not bar.reach_label.isHidden()
    _maya, raj = missed
    put_failure(
        db, message_ids(db, raj.id, "customer")[-1], "Twilio HTTP 400 21211: invalid (invalid number)"
    )
    polls = bar.counts.polls
    bar.counts.poll()
    qtbot.waitUntil(lambda: bar.counts.polls > polls, timeout=10_000)
    assert bar.reach_label.text() == "2 not reached"


def test_the_booking_details_list_its_notifications_with_the_agent_to_phone(
    qtbot,
    boss_console,
    missed,
):
    maya, _raj = missed
    dialog = BookingDetailsDialog(boss_console, maya.id)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    assert dialog.section.title() == "Notifications"
    assert dialog.not_reached.text() == f"Not reached:\n{AGENT_LINE}"
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    expected = [(n.channel, n.recipient_kind) for n in booking_notices(boss_console.ctx, maya.id)]
    assert [(row[2].lower(), row[3].split()[0]) for row in rows] == expected
    agent = next(row for row in rows if row[3].startswith("agent "))
    assert agent[2:] == [
        "SMS",
        "agent Ana Ruiz (312) 555-0101",
        "sent",
        "undelivered",
        f"{UNREACHABLE}: phone the agent",
    ]


def test_the_log_pane_shows_delivery_and_filters_by_it(qtbot, boss_console, missed):
    dock = NotificationLogDock(boss_console)
    qtbot.addWidget(dock)
    qtbot.waitUntil(lambda: dock.poll_count >= 1, timeout=10_000)
    qtbot.waitUntil(lambda: any(e.delivery for e in dock.model.entries()), timeout=10_000)
    header = dock.model.headerData(DELIVERY_COLUMN, Qt.Orientation.Horizontal)
    assert header == "Delivery"
    deliveries = sorted(e.delivery for e in dock.model.entries() if e.source == OUTBOX and e.delivery)
    assert deliveries == ["delivered", "delivered", "undelivered"]
    dock.delivery_filter.setCurrentIndex(dock.delivery_filter.findData(NOT_REACHED_FILTER))
    assert dock.proxy.rowCount() == 1
    shown = dock.proxy.index(0, DELIVERY_COLUMN)
    assert shown.data() == "undelivered"
    assert UNREACHABLE in shown.data(Qt.ItemDataRole.ToolTipRole)
    dock.delivery_filter.setCurrentIndex(dock.delivery_filter.findData("delivered"))
    assert dock.proxy.rowCount() == 2


def test_the_account_banner_says_what_is_wrong_and_what_to_do(qtbot, boss_console, db):
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    banner = AccountAlertBanner(boss_console)
    qtbot.addWidget(banner)
    banner.poll()
    qtbot.waitUntil(lambda: banner.polls >= 1, timeout=10_000)
    assert banner.isHidden()
    first = _book(ctx, ana.id, 9, "Maya Chen", "+13125550111")
    second = _book(ctx, ana.id, 13, "Raj Patel", "+13125550112")
    for booking in (first, second):
        put_receipt(db, message_ids(db, booking.id, "customer")[-1], "undelivered", 30034)
    put_failure(
        db,
        message_ids(db, first.id, "agent")[-1],
        "Twilio HTTP 401 20003: Authenticate (check the Twilio credentials)",
        status="retry",
    )
    banner.poll()
    qtbot.waitUntil(lambda: bool(banner.warnings), timeout=10_000)
    banner.show()  # shown once its parent is; here it has none
    lines = banner.explanation.text().splitlines()
    assert lines == [
        "carriers block every text: 2 texts refused in 24 h (Twilio 30034): register the number for "
        "A2P 10DLC / verify the toll-free number in Twilio",
        "Twilio refused the credentials: 1 text in 24 h (Twilio 20003): check the Twilio account SID "
        "and auth token: dispatch-desktop credentials set twilio",
    ]
