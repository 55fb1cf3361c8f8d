"""Time off over bookings, issue 17's trap: the safe default, "2 bookings affected", and the red
marker and needs-reassignment filter for a clash left behind."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from dispatch_desktop.services import agents, bookings, timeoff
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.ui.board.block import CLASH_RED
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.bookings.filters import NEEDS_REASSIGNMENT
from dispatch_desktop.ui.bookings.page import BookingsPage
from dispatch_desktop.ui.timeoff.page import TimeOffPage
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE
ZONE = ZoneInfo(TEST_TIMEZONE)
DAY = datetime(2030, 3, 12, tzinfo=ZONE)


def at(hour: int) -> datetime:
    return DAY.replace(hour=hour)


def _book(ctx, agent_id, start, name="Maya Chen", phone="+13125550111"):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email=None,
        address="12 Elm St",
        service="Boiler service",
        start=start,
        end=start + timedelta(hours=1),
        agent_id=agent_id,
    )


def _setup(ctx):
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    first = _book(ctx, ana.id, at(9))
    second = _book(ctx, ana.id, at(14), name="Raj Patel", phone="+13125550112")
    request = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(8), end=at(18), reason="dentist")
    return ana, ben, first, second, request


def _default_button(dialog) -> QPushButton:
    [default] = [b for b in dialog.findChildren(QPushButton) if b.isDefault()]
    return default


def test_the_list_says_how_many_bookings_are_affected_before_opening(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    _ana, _ben, _first, _second, request = _setup(ctx)
    page = TimeOffPage(boss_console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.loaded >= 1)
    model = page.table.model()
    bookings_column = next(
        c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "Bookings"
    )
    assert model.index(0, bookings_column).data() == "2 bookings affected"
    assert timeoff.list_time_off(ctx)[0].id == request.id


def test_enter_in_the_approve_dialog_reassigns_and_the_layout_stays(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    _ana, ben, first, second, request = _setup(ctx)
    page = TimeOffPage(boss_console)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.loaded >= 1)
    page.select_request(request.id)
    dialog = page.approve_selected()
    qtbot.waitUntil(lambda: dialog.loaded >= 1)
    qtbot.waitUntil(lambda: dialog.reassign_to.currentData() == ben.id)
    # Enter means the safe action: reassign, never "approve anyway".
    assert _default_button(dialog) is dialog.reassign_button
    assert not dialog.force_button.autoDefault() and not dialog.force_button.isDefault()
    shown = [w for w in (dialog.table, dialog.force_button, dialog.reassign_button) if w.isVisibleTo(dialog)]
    with qtbot.waitSignal(dialog.conflictsLoaded, timeout=5000):
        qtbot.keyClick(dialog.reassign_to, Qt.Key.Key_Return)
    assert bookings.get_booking(ctx, first.id).agent_id == ben.id
    # Ben is free at 14:00 too: the second goes to him as well.
    qtbot.waitUntil(lambda: dialog.reassign_to.currentData() == ben.id)
    with qtbot.waitSignal(dialog.conflictsLoaded, timeout=5000):
        dialog.reassign_button.click()
    assert bookings.get_booking(ctx, second.id).agent_id == ben.id
    # Nothing left to clash: Approve becomes the default, and nothing jumped out of place.
    assert [
        w for w in (dialog.table, dialog.force_button, dialog.reassign_button) if w.isVisibleTo(dialog)
    ] == shown
    assert dialog.approve_button.isEnabled() and dialog.approve_button.isDefault()
    assert not dialog.force_button.isEnabled()


def test_a_clash_left_by_approving_anyway_is_marked_red_and_found(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    _ana, _ben, first, second, request = _setup(ctx)
    _book(ctx, None, at(11), name="Ola Nowak", phone="+13125550114")
    timeoff.approve_time_off(ctx, request.id, force=True)

    found = bookings.list_bookings(ctx, BookingQuery(needs_reassignment=True))
    assert [b.id for b in found] == [first.id, second.id]
    assert all(b.needs_reassignment for b in found)
    assert not any(b.needs_reassignment for b in bookings.list_bookings(ctx, BookingQuery(unassigned=True)))
    assert [t.affected for t in timeoff.list_time_off(ctx)] == [2]

    board = BoardPage(boss_console)
    board.clock = lambda: at(8).astimezone(UTC)
    board.set_day(DAY.date())
    qtbot.addWidget(board)
    qtbot.waitUntil(lambda: board.data is not None and board.data.day == DAY.date())
    blocks = {b.booking.id: b for b in board.blocks()}
    assert [m.text for m in blocks[first.id].markers] == ["⚠ off"]
    assert blocks[first.id].pen().color() == CLASH_RED
    assert "Ana Ruiz has approved time off then" in blocks[first.id].toolTip()

    table = BookingsPage(boss_console)
    qtbot.addWidget(table)
    qtbot.waitUntil(lambda: table.model.loads >= 1)
    table.filters.date_filter.setChecked(False)
    agent_filter = table.filters.agent_filter
    agent_filter.setCurrentIndex(agent_filter.findData(NEEDS_REASSIGNMENT))
    qtbot.waitUntil(lambda: table.model.rowCount() == 2, timeout=10_000)
    agent_column = next(i for i, c in enumerate(table.model.columns) if c.key == "agent")
    cell = table.model.index(0, agent_column)
    qtbot.waitUntil(lambda: cell.data() != "…" and "⚠" in (cell.data() or ""), timeout=10_000)
    assert cell.data() == "Ana Ruiz ⚠ off: reassign"
    assert cell.data(Qt.ItemDataRole.ForegroundRole) == CLASH_RED


def test_a_half_hour_clash_keeps_its_time_and_customer_first_beside_the_marker(qtbot, boss_console):  # noqa: F811
    """At 300 bookings a dispatcher saw "14:0… ⚠ off" on each clashing 30-minute block: the marker
    took the room of the time and the customer. It sits on the service line now."""
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    short = bookings.create_booking(
        ctx,
        customer_name="Tom Walsh",
        customer_phone="+13125550111",
        customer_email=None,
        address="12 Elm St",
        service="Outlet repair",
        start=at(14),
        end=at(14) + timedelta(minutes=30),
        agent_id=ana.id,
    )
    request = timeoff.request_time_off(ctx, agent_id=ana.id, start=at(13), end=at(16), reason="dentist")
    timeoff.approve_time_off(ctx, request.id, force=True)
    board = BoardPage(boss_console)
    board.clock = lambda: at(8).astimezone(UTC)
    board.set_day(DAY.date())
    qtbot.addWidget(board)
    board.resize(1200, 500)
    qtbot.waitUntil(lambda: board.data is not None and board.data.day == DAY.date())
    board.working_hours()
    [block] = [b for b in board.blocks() if b.booking.id == short.id]
    assert [m.text for m in block.markers] == ["⚠ off"]
    assert block.lines[0].startswith("14:00 Tom"), block.lines
