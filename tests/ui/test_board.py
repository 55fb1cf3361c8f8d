"""The dispatch board: a day of agents and bookings; drops assign, reschedule, or are refused."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, Qt

from dispatch_desktop.services import agents, bookings, timeoff
from dispatch_desktop.services.booking_notices import booking_notifications
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.board.scene import NAME_WIDTH, DragPayload, booking_mime, read_booking_mime
from dispatch_desktop.ui.kit.changes import Change
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE
ZONE = ZoneInfo(TEST_TIMEZONE)
DAY = datetime(2030, 3, 12, tzinfo=ZONE)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def _book(ctx, agent_id, start, hours=1, name="Maya Chen", phone="+13125550111"):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email="maya@example.com",
        address="12 Elm St, Springfield",
        service="Boiler service",
        start=start,
        end=start + timedelta(hours=hours),
        agent_id=agent_id,
    )


def _board(qtbot, console) -> BoardPage:
    page = BoardPage(console)
    page.clock = lambda: at(10, 30).astimezone(UTC)
    page.set_day(DAY.date())
    qtbot.addWidget(page)
    page.resize(1200, 500)
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == DAY.date())
    return page


def _loads_after(page: BoardPage, count: int):
    return lambda: page.load_count > count


def test_board_shows_agents_blocks_time_off_and_the_tray(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    booked = _book(ctx, ana.id, at(9))
    pending = _book(ctx, None, at(13), name="Raj Patel", phone="+13125550112")
    off = timeoff.request_time_off(ctx, agent_id=ben.id, start=at(12), end=at(17), reason="dentist")
    timeoff.approve_time_off(ctx, off.id)

    page = _board(qtbot, boss_console)
    assert page.view.names == ["Ana Ruiz", "Ben Okafor"]
    [block] = page.blocks()
    assert block.booking.id == booked.id
    assert block.rect().left() == page.view.geometry_.x_of(at(9).astimezone(UTC)) + 1
    assert page.tray.count() == 1
    assert "Raj Patel" in page.tray.item(0).text()
    assert page.tray_title.text() == "Unassigned (1)"
    assert [t.agent_id for t in page.data.time_off] == [ben.id]
    assert pending.id in {b.id for b in page.data.unassigned}
    assert page.title.text().startswith("Tuesday 12 March 2030")

    before = page.load_count
    page.next_button.click()
    qtbot.waitUntil(_loads_after(page, before))
    assert page.data.day == DAY.date() + timedelta(days=1)
    assert page.blocks() == []


def test_a_tray_drop_onto_an_agent_keeps_the_booked_time_and_ctrl_z_puts_it_back(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    pending = _book(ctx, None, at(10), hours=2)
    page = _board(qtbot, boss_console)

    # Wherever along Ana's row a booking from the tray is let go, its time stays 10:00.
    geometry = page.view.geometry_
    for hour in (8, 10, 15):
        point = QPointF(geometry.x_of(at(hour, 5).astimezone(UTC)), geometry.y_of_row(0) + 5)
        assert page.view.target_of(point, DragPayload(pending.id)) == (ana.id, None)

    with qtbot.waitSignal(page.moved, timeout=5000) as moved:
        page.drop_booking(pending.id, ana.id, None)
    assert moved.args[0].agent_id == ana.id
    stored = bookings.get_booking(ctx, pending.id)
    assert (stored.agent_id, stored.status, stored.start, stored.end) == (
        ana.id,
        "scheduled",
        at(10).astimezone(UTC),
        at(12).astimezone(UTC),
    )
    # Ana is told of her new job; the customer is not told of a "move" (nothing moved for them).
    kinds = {(n.recipient_kind, n.event) for n in booking_notifications(ctx, pending.id)}
    assert ("agent", "booking_assigned") in kinds
    assert not any(event == "booking_rescheduled" for _kind, event in kinds)
    qtbot.waitUntil(lambda: [b.booking.id for b in page.blocks()] == [pending.id])
    assert page.tray.count() == 0
    assert page.message.text() == f"{pending.reference} moved to Ana Ruiz at 10:00. Ctrl+Z undoes it."

    page.show()
    page.activateWindow()
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus)
    with qtbot.waitSignal(page.moved, timeout=5000):
        qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    stored = bookings.get_booking(ctx, pending.id)
    assert (stored.agent_id, stored.status, stored.start) == (None, "pending", at(10).astimezone(UTC))
    assert page.message.text() == f"Undone: {pending.reference} is back with the unassigned tray at 10:00."
    qtbot.waitUntil(lambda: page.tray.count() == 1)
    assert page.last_drop is None


def test_a_sideways_move_reschedules_and_ctrl_z_moves_it_back(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    booked = _book(ctx, ana.id, at(9))
    page = _board(qtbot, boss_console)
    geometry = page.view.geometry_
    # Grabbed at the block's left edge; a few minutes sideways is still the same grid step: no move.
    point = QPointF(geometry.x_of(at(9, 5).astimezone(UTC)), geometry.y_of_row(0) + 5)
    assert page.view.target_of(point, DragPayload(booked.id, 0.0)) == (ana.id, None)
    point = QPointF(geometry.x_of(at(15, 5).astimezone(UTC)), geometry.y_of_row(0) + 5)
    agent_id, start = page.view.target_of(point, DragPayload(booked.id, 0.0))
    assert (agent_id, start) == (ana.id, at(15).astimezone(UTC))
    with qtbot.waitSignal(page.moved, timeout=5000):
        page.drop_booking(booked.id, agent_id, start)
    assert bookings.get_booking(ctx, booked.id).start == at(15).astimezone(UTC)
    qtbot.waitUntil(lambda: page.booking(booked.id).start == at(15).astimezone(UTC))
    with qtbot.waitSignal(page.moved, timeout=5000):
        page.undo_last_drop()
    stored = bookings.get_booking(ctx, booked.id)
    assert (stored.agent_id, stored.start, stored.end) == (
        ana.id,
        at(9).astimezone(UTC),
        at(10).astimezone(UTC),
    )
    events = [n.event for n in booking_notifications(ctx, booked.id)]
    assert events.count("booking_rescheduled") >= 2  # the move and its undo each told the customer


def test_a_conflicting_drop_is_refused_with_the_reason_and_snaps_back(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    anas = _book(ctx, ana.id, at(9))
    bens = _book(ctx, ben.id, at(9), name="Raj Patel", phone="+13125550112")
    page = _board(qtbot, boss_console)

    with qtbot.waitSignal(page.refused, timeout=5000) as refused:
        page.drop_booking(bens.id, ana.id, None)
    assert refused.args[0] == (
        f"Ana Ruiz is already booked: {anas.reference} (2030-03-12 09:00–10:00, Maya Chen)"
    )
    assert page.message.is_error
    assert bookings.get_booking(ctx, bens.id).agent_id == ben.id
    qtbot.waitUntil(
        lambda: (
            {b.booking.id: b.booking.agent_id for b in page.blocks()} == {anas.id: ana.id, bens.id: ben.id}
        )
    )


def test_dropping_on_the_tray_unassigns(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    booked = _book(ctx, ana.id, at(9))
    page = _board(qtbot, boss_console)
    with qtbot.waitSignal(page.moved, timeout=5000):
        page.tray.unassignRequested.emit(booked.id)
    assert bookings.get_booking(ctx, booked.id).status == "pending"
    qtbot.waitUntil(lambda: page.tray.count() == 1)


def test_booking_mime_round_trips():
    assert read_booking_mime(booking_mime(42, 900.0)) == DragPayload(42, 900.0)
    assert read_booking_mime(booking_mime(42)).keeps_time


def test_call_center_board_is_read_only(qtbot, make_console):  # noqa: F811
    console = make_console("call-center")
    page = _board(qtbot, console)
    assert not page.tray.dragEnabled()
    with qtbot.waitSignal(page.refused, timeout=1000) as refused:
        page.drop_booking(1, 1, None)
    assert refused.args[0] == "Your role may not assign or reschedule bookings."


def test_now_line_and_board_render(qtbot, boss_console, tmp_path):  # noqa: F811
    agents.add_agent(boss_console.ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    page = _board(qtbot, boss_console)
    page.show()
    assert page.view.now == at(10, 30).astimezone(UTC)
    assert page.view.geometry_.x_of(page.view.now) == NAME_WIDTH + 10.5 * page.view.geometry_.hour_width
    assert not page.grab().isNull()


def test_the_block_menu_assigns_without_dragging(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    booked = _book(ctx, ana.id, at(9))
    page = _board(qtbot, boss_console)
    menu = page.assignment_menu(booked.id)
    titles = [a.text() for a in menu.actions()]
    assert titles == ["Open booking", "", "Assign to", "Unassign (back to the tray)"]
    assign = menu.actions()[2].menu()
    assert [a.text() for a in assign.actions()] == ["Ben Okafor"]
    statuses = []
    page.status_message.connect(statuses.append)
    with qtbot.waitSignal(page.moved, timeout=5000):
        assign.actions()[0].trigger()
    assert bookings.get_booking(ctx, booked.id).agent_name == "Ben Okafor"
    assert statuses[-1] == f"{booked.reference} moved to Ben Okafor at 09:00. Ctrl+Z undoes it."
    menu.deleteLater()


def test_a_real_drop_event_on_the_view_reschedules(qtbot, boss_console):  # noqa: F811
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragMoveEvent, QDropEvent

    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    booked = _book(ctx, ana.id, at(9))
    page = _board(qtbot, boss_console)
    page.show()
    view = page.view
    geometry = view.geometry_
    # Grabbed 30 minutes into the block, released over Ben's row at 14:40: starts 14:15 after snapping.
    grab = 1800.0
    scene_point = QPointF(geometry.x_of(at(14, 40).astimezone(UTC)), geometry.y_of_row(1) + 10)
    view.ensureVisible(scene_point.x(), scene_point.y(), 1, 1)
    qtbot.waitUntil(lambda: view.mapFromScene(scene_point).x() > NAME_WIDTH)
    point = view.mapFromScene(scene_point)  # QDragMoveEvent takes a QPoint up to PySide6 6.11
    mime = booking_mime(booked.id, grab)
    move = QDragMoveEvent(
        point,
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dragMoveEvent(move)
    assert move.isAccepted() and view.drop_hint is not None
    drop = QDropEvent(
        QPointF(point),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # The preview is where it lands: the exact new start and end on the grid, drawn at that time.
    assert view.preview == "Ben Okafor · 14:15–15:15"
    assert view.drop_hint.left() == geometry.x_of(at(14, 15).astimezone(UTC))
    with qtbot.waitSignal(page.moved, timeout=5000):
        view.dropEvent(drop)
    stored = bookings.get_booking(ctx, booked.id)
    assert (stored.agent_id, stored.start) == (ben.id, at(14, 15).astimezone(UTC))


def test_double_click_opens_the_booking_form_when_the_role_may_edit(qtbot, make_console):  # noqa: F811
    dispatcher = make_console("dispatcher")
    ctx = dispatcher.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    booked = _book(ctx, ana.id, at(9))
    pending = _book(ctx, None, at(13), name="Raj Patel", phone="+13125550112")
    page = _board(qtbot, dispatcher)
    form = page.open_booking(booked.id)
    assert form is not None and form.isVisible() and form.booking.id == booked.id
    form.reject()

    call_center = make_console("call-center")
    read_only = _board(qtbot, call_center)
    assert read_only.open_booking(booked.id) is None
    assert read_only.message.text() == f"{booked.reference} is assigned: showing its details, read-only."
    assert read_only.details is not None and read_only.details.isVisible()  # where is my technician?
    read_only.details.reject()
    form = read_only.open_booking(pending.id)
    assert form is not None and form.booking.id == pending.id
    form.reject()


def test_zoom_fills_the_window_with_the_working_day_and_ctrl_wheel_zooms(qtbot, boss_console):  # noqa: F811
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    from dispatch_desktop.services import team_settings
    from dispatch_desktop.ui.board.block import legible_hour_width

    ctx = boss_console.ctx
    team_settings.update_team_settings(ctx, day_start_hour=8, day_end_hour=12)
    agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    page = _board(qtbot, boss_console)
    page.resize(1400, 500)
    page.show()
    qtbot.waitUntil(lambda: page.view.viewport().width() > 1000)
    page.working_hours()
    room = page.view.viewport().width() - NAME_WIDTH
    # 08:00-12:00 across the window: four hours fill it, scrolled so that now (10:30) is in sight.
    geometry = page.view.geometry_
    assert abs(geometry.hour_width - room / 4) < 1
    left = page.view.horizontalScrollBar().value() + NAME_WIDTH
    assert geometry.x_of(at(8).astimezone(UTC)) <= left < geometry.x_of(page.view.now) < left + room
    fitted = page.view.geometry_.hour_width
    page.zoom_in_button.click()
    assert abs(page.view.geometry_.hour_width - fitted * 1.25) < 1
    wheel = QWheelEvent(
        QPointF(300, 100),
        QPointF(300, 100),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    page.view.wheelEvent(wheel)
    assert abs(page.view.geometry_.hour_width - fitted) < 1
    # A long working day never squeezes hours below legible at zoom 1.
    team_settings.update_team_settings(ctx, day_start_hour=0, day_end_hour=24)
    before = page.load_count
    boss_console.ops.changed.emit(Change.SETTINGS)
    qtbot.waitUntil(_loads_after(page, before))
    page.working_hours()
    assert page.view.geometry_.hour_width == legible_hour_width()


def test_the_tray_searches_sorts_shows_age_and_marks_overdue_red(qtbot, boss_console):  # noqa: F811
    from dispatch_desktop.ui.board.tray import BY_START, OVERDUE_RED

    ctx = boss_console.ctx
    late = _book(ctx, None, at(9), name="Early Erin", phone="+13125550121")
    later = _book(ctx, None, at(8), name="Kowalski Kim", phone="+13125550122")
    page = _board(qtbot, boss_console)  # the clock says 10:30
    panel = page.tray_panel
    assert panel.title.text() == "Unassigned (2)"
    first = page.tray.item(0)
    assert int(first.data(Qt.ItemDataRole.UserRole)) == late.id  # waiting longest first
    assert "waiting " in first.text() and "OVERDUE" in first.text()
    assert first.foreground().color() == OVERDUE_RED
    panel.sort.setCurrentIndex(panel.sort.findData(BY_START))
    assert int(page.tray.item(0).data(Qt.ItemDataRole.UserRole)) == later.id
    panel.search.setText("kowal")
    assert page.tray.count() == 1 and panel.title.text() == "Unassigned (1 of 2)"


def test_age_reads_like_a_dispatcher_says_it():
    from dispatch_desktop.ui.board.tray import age_text

    start = at(9).astimezone(UTC)
    assert [age_text(start, start + timedelta(minutes=m)) for m in (5, 60, 130, 60 * 50)] == [
        "5 min",
        "1 h",
        "2 h 10 min",
        "2 d",
    ]


def test_the_message_after_a_drop_does_not_push_the_board_down(qtbot, boss_console):  # noqa: F811
    """A dispatcher's next double-click after a drop hit the row below: the message line appeared
    above the board and moved every block down by a line."""
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    pending = _book(ctx, None, at(10))
    page = _board(qtbot, boss_console)
    page.show()
    qtbot.waitExposed(page)
    before = page.view.mapTo(page, page.view.rect().topLeft())
    with qtbot.waitSignal(page.moved, timeout=5000):
        page.drop_booking(pending.id, ana.id, None)
    qtbot.waitUntil(lambda: page.message.isVisible())
    qtbot.wait(50)  # the layout settles
    assert page.view.mapTo(page, page.view.rect().topLeft()) == before
