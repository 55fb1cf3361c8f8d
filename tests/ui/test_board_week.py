"""The board's week: agents by days, each day's bookings in its cell; drops move the day keeping the
time, clashes are refused, Ctrl+Z undoes, and switching between day and week keeps the date."""

from datetime import date, datetime, timedelta

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragMoveEvent, QDropEvent

from dispatch_desktop.services import agents, bookings
from dispatch_desktop.services.board import load_board_week
from dispatch_desktop.services.booking_notices import booking_notifications
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.board.scene import booking_mime
from dispatch_desktop.ui.board.week_view import MoreLine, WeekView
from dispatch_desktop.ui.kit.changes import Change
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures
from tests.ui.week_support import TUESDAY, ZONE, at, open_week

pytestmark = OFFSCREEN_NOISE
MONDAY, THURSDAY = TUESDAY - timedelta(days=1), TUESDAY + timedelta(days=2)


def _book(ctx, agent_id, start, minutes=60, name="Maya Chen", phone="+13125550111", service="Boiler service"):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email="maya@example.com",
        address="12 Elm St, Springfield",
        service=service,
        start=start,
        end=start + timedelta(minutes=minutes),
        agent_id=agent_id,
    )


def _team(ctx):
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    return ana, ben


def _cells(page: BoardPage) -> dict[tuple[str, str], list[str]]:
    """(row name, day header): the first line of each block in that cell, top to bottom."""
    view = page.week.view
    week = view.week
    found: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for block in page.week.blocks():
        centre = block.rect().center()
        row, column = week.row_at(centre.y()), week.column_at(centre.x())
        key = (view.names[row], _header(week.days[column]))
        found.setdefault(key, []).append((centre.y(), block.lines[0]))
    return {key: [line for _y, line in sorted(lines)] for key, lines in found.items()}


def _header(day: date) -> str:
    return day.strftime("%a %-d %b")


def _drag(view: WeekView, booking_id: int, row: int, day: date, shift: bool = False) -> QDropEvent:
    """Moves a dragged booking over (row, day) as a real drag does, and returns the drop to let go."""
    week = view.week
    left, top, width, height = week.cell(row, week.days.index(day))
    scene_point = QPointF(left + width / 2, top + height / 2)
    view.ensureVisible(scene_point.x(), scene_point.y(), 1, 1)
    point = view.mapFromScene(scene_point)
    mime = booking_mime(booking_id)
    modifiers = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    move = QDragMoveEvent(point, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, modifiers)
    view.dragMoveEvent(move)
    assert move.isAccepted()
    drop = QDropEvent(QPointF(point), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, modifiers)
    drop.mime = mime  # the event does not own its mime data
    return drop


def test_the_week_is_loaded_in_one_range_from_monday(boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ben = _team(ctx)
    sunday = _book(ctx, ana.id, at(MONDAY + timedelta(days=6), 22))
    _book(ctx, ana.id, at(MONDAY + timedelta(days=7), 8))  # the next Monday: another week
    week = load_board_week(ctx, THURSDAY)
    assert week.days == tuple(MONDAY + timedelta(days=n) for n in range(7))
    assert (week.start, week.end) == (at(MONDAY, 0), at(MONDAY + timedelta(days=7), 0))
    assert [b.id for b in week.bookings] == [sunday.id]


def test_the_week_shows_each_days_bookings_in_their_agents_cell(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, ben = _team(ctx)
    _book(ctx, ana.id, at(TUESDAY, 9))
    _book(ctx, ana.id, at(TUESDAY, 7, 30), name="Raj Patel", phone="+13125550112")
    _book(ctx, ana.id, at(THURSDAY, 14), name="Lena Vogel", phone="+13125550113")
    _book(ctx, ben.id, at(TUESDAY, 10), name="Tom Berg", phone="+13125550114")
    _book(ctx, None, at(TUESDAY + timedelta(days=1), 13), name="Ivy Stone", phone="+13125550115")
    _book(ctx, ana.id, at(MONDAY + timedelta(days=7), 9), name="Next Week", phone="+13125550116")

    page = open_week(qtbot, boss_console)
    view = page.week.view
    assert [_header(d) for d in view.week.days] == [
        "Mon 11 Mar",
        "Tue 12 Mar",
        "Wed 13 Mar",
        "Thu 14 Mar",
        "Fri 15 Mar",
        "Sat 16 Mar",
        "Sun 17 Mar",
    ]
    assert view.names == ["Unassigned", "Ana Ruiz", "Ben Okafor"]
    assert _cells(page) == {
        ("Ana Ruiz", "Tue 12 Mar"): ["07:30 Raj Patel", "09:00 Maya Chen"],
        ("Ana Ruiz", "Thu 14 Mar"): ["14:00 Lena Vogel"],
        ("Ben Okafor", "Tue 12 Mar"): ["10:00 Tom Berg"],
        ("Unassigned", "Wed 13 Mar"): ["13:00 Ivy Stone"],
    }
    [lena] = [b for b in page.week.blocks() if b.booking.customer_name == "Lena Vogel"]
    # Time and customer first, then the service, cut to the cell; the tooltip has all of it.
    assert lena.lines[0] == "14:00 Lena Vogel" and lena.lines[1].startswith("Boiler")
    assert "Lena Vogel · (312) 555-0113" in lena.toolTip() and "Boiler service" in lena.toolTip()
    assert page.title.text() == "Mon 11 Mar – Sun 17 Mar 2030  ·  America/Chicago"
    assert not page.zoom_in_button.isEnabled()


def test_a_full_day_ends_in_plus_n_more_naming_the_rest(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ben = _team(ctx)
    for n in range(11):
        _book(
            ctx,
            ana.id,
            at(TUESDAY, 7, 0) + timedelta(minutes=45 * n),
            minutes=30,
            name=f"Customer {n:02d}",
            phone=f"+131255502{n:02d}",
        )
    page = open_week(qtbot, boss_console)
    assert _cells(page)[("Ana Ruiz", "Tue 12 Mar")] == [
        f"{(datetime(2030, 1, 1, 7) + timedelta(minutes=45 * n)):%H:%M} Customer {n:02d}" for n in range(7)
    ]
    [more] = [item for item in page.week.view.scene().items() if isinstance(item, MoreLine)]
    assert more.day == TUESDAY
    [label] = more.childItems()
    assert label.text() == "+4 more"
    tip = more.toolTip()
    assert "4 more on this day (double-click: the day)" in tip
    assert "12:15 Customer 07 · Boiler service" in tip and "14:30 Customer 10" in tip


def test_a_drag_from_tuesday_to_thursday_keeps_the_time_tells_people_and_ctrl_z_restores(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ben = _team(ctx)
    booked = _book(ctx, ana.id, at(TUESDAY, 9, 30), minutes=90)
    before = {n.id for n in booking_notifications(ctx, booked.id)}
    page = open_week(qtbot, boss_console)
    view = page.week.view

    drop = _drag(view, booked.id, 1, THURSDAY)
    # The preview names the exact new day, start, end and agent before the button is let go.
    assert view.preview == "Ana Ruiz · Thu 14 Mar 09:30–11:00"
    assert view.drop_hint is not None
    with qtbot.waitSignal(page.moved, timeout=5000):
        view.dropEvent(drop)
    stored = bookings.get_booking(ctx, booked.id)
    assert (stored.agent_id, stored.start, stored.end) == (ana.id, at(THURSDAY, 9, 30), at(THURSDAY, 11))
    queued = [n for n in booking_notifications(ctx, booked.id) if n.id not in before]
    assert {(n.recipient_kind, n.event) for n in queued} >= {
        ("customer", "booking_rescheduled"),
        ("agent", "booking_rescheduled"),
    }
    assert (
        page.message.text() == f"{booked.reference} moved to Ana Ruiz at Thu 14 Mar 09:30. Ctrl+Z undoes it."
    )
    qtbot.waitUntil(lambda: _cells(page) == {("Ana Ruiz", "Thu 14 Mar"): ["09:30 Maya Chen"]})

    page.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    with qtbot.waitSignal(page.moved, timeout=5000):
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    stored = bookings.get_booking(ctx, booked.id)
    assert (stored.agent_id, stored.start, stored.end) == (ana.id, at(TUESDAY, 9, 30), at(TUESDAY, 11))
    assert page.message.text() == f"Undone: {booked.reference} is back with Ana Ruiz at Tue 12 Mar 09:30."
    qtbot.waitUntil(lambda: _cells(page) == {("Ana Ruiz", "Tue 12 Mar"): ["09:30 Maya Chen"]})


def test_a_shift_drop_on_another_agent_moves_day_and_agent_silently(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, ben = _team(ctx)
    booked = _book(ctx, ana.id, at(TUESDAY, 9))
    before = {n.id for n in booking_notifications(ctx, booked.id)}
    page = open_week(qtbot, boss_console)
    view = page.week.view
    drop = _drag(view, booked.id, 2, THURSDAY, shift=True)
    assert view.preview == "Ben Okafor · Thu 14 Mar 09:00–10:00"
    with qtbot.waitSignal(page.moved, timeout=5000):
        view.dropEvent(drop)
    stored = bookings.get_booking(ctx, booked.id)
    assert (stored.agent_id, stored.start) == (ben.id, at(THURSDAY, 9))
    queued = [n for n in booking_notifications(ctx, booked.id) if n.id not in before]
    assert queued and all(n.recipient_kind != "customer" for n in queued)
    assert page.message.text() == (
        f"{booked.reference} moved to Ben Okafor at Thu 14 Mar 09:00. Ctrl+Z undoes it."
        " The customer was not notified (Shift held)."
    )


def test_a_clashing_drop_is_refused_with_the_reason_and_changes_nothing(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, ben = _team(ctx)
    anas = _book(ctx, ana.id, at(TUESDAY, 9))
    bens = _book(ctx, ben.id, at(THURSDAY, 9, 30), name="Raj Patel", phone="+13125550112")
    before = [n.id for n in booking_notifications(ctx, anas.id)]
    page = open_week(qtbot, boss_console)
    view = page.week.view
    drop = _drag(view, anas.id, 2, THURSDAY)
    assert view.preview == "Ben Okafor · Thu 14 Mar 09:00–10:00"
    with qtbot.waitSignal(page.refused, timeout=5000) as refused:
        view.dropEvent(drop)
    assert refused.args[0] == (
        f"Ben Okafor is already booked: {bens.reference} (2030-03-14 09:30–10:30, Raj Patel)"
    )
    assert page.message.is_error
    stored = bookings.get_booking(ctx, anas.id)
    assert (stored.agent_id, stored.start, stored.version) == (ana.id, at(TUESDAY, 9), anas.version)
    assert [n.id for n in booking_notifications(ctx, anas.id)] == before
    qtbot.waitUntil(
        lambda: (
            _cells(page)
            == {
                ("Ana Ruiz", "Tue 12 Mar"): ["09:00 Maya Chen"],
                ("Ben Okafor", "Thu 14 Mar"): ["09:30 Raj Patel"],
            }
        )
    )


def test_switching_views_keeps_the_date_and_a_day_header_opens_that_day(qtbot, boss_console):  # noqa: F811
    _team(boss_console.ctx)
    page = open_week(qtbot, boss_console, THURSDAY)
    assert page.week.data.days[0] == MONDAY
    assert page.date_edit.date().toPython() == THURSDAY
    assert "Previous week (Alt+Left)" in page.previous_button.toolTip()
    before = page.week.load_count
    page.next_button.click()
    qtbot.waitUntil(lambda: page.week.load_count > before)
    assert page.week.data.days[0] == MONDAY + timedelta(days=7)
    assert page.title.text().startswith("Mon 18 Mar – Sun 24 Mar 2030")

    before = page.load_count
    page.week_button.click()  # back to the day: the same weekday of the week shown
    qtbot.waitUntil(lambda: page.load_count > before)
    assert page.data.day == THURSDAY + timedelta(days=7)
    assert page.stack.currentWidget() is page.day_board

    before = page.week.load_count
    page.week_button.click()
    qtbot.waitUntil(lambda: page.week.load_count > before)
    view = page.week.view
    left, _top, width, _height = view.week.cell(0, 2)  # Wednesday's column
    header = view.mapFromScene(QPointF(left + width / 2, 0))
    header.setY(8)
    before = page.load_count
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=header)
    qtbot.waitUntil(lambda: page.load_count > before)
    assert not page.week_mode and page.data.day == MONDAY + timedelta(days=9)


def test_double_clicking_a_week_block_opens_one_form_for_the_booking(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ben = _team(ctx)
    booked = _book(ctx, ana.id, at(TUESDAY, 9))
    page = open_week(qtbot, boss_console)
    view = page.week.view
    [block] = page.week.blocks()
    point = view.mapFromScene(block.rect().center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    form = page.form
    assert form is not None and form.isVisible() and form.booking.id == booked.id
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert page.form is form
    form.reject()


def test_the_week_follows_changes_made_elsewhere(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, _ben = _team(ctx)
    page = open_week(qtbot, boss_console)
    assert _cells(page) == {}
    _book(ctx, ana.id, at(THURSDAY, 8))  # as another workstation would; live refresh then says BOOKINGS
    before = page.week.load_count
    boss_console.ops.changed.emit(Change.BOOKINGS)
    qtbot.waitUntil(lambda: page.week.load_count > before)
    assert _cells(page) == {("Ana Ruiz", "Thu 14 Mar"): ["08:00 Maya Chen"]}


def test_a_big_week_makes_the_blocks_in_sight_and_the_rest_as_they_scroll_in(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    team = [
        agents.add_agent(ctx, name=f"Agent {n:02d}", phone=f"+131255503{n:02d}", email=f"a{n}@example.com")
        for n in range(12)
    ]
    for n, agent in enumerate(team):  # eight jobs each on Tuesday: every row is a full cell tall
        for job in range(8):
            name, phone = f"Customer {n:02d}-{job}", f"+13125{n:02d}{job:04d}"
            _book(ctx, agent.id, at(TUESDAY, 8 + job), name=name, phone=phone)
    page = open_week(qtbot, boss_console)
    in_sight = {b.booking.customer_name for b in page.week.blocks()}
    assert "Customer 00-0" in in_sight and "Customer 11-0" not in in_sight
    bar = page.week.view.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert _cells(page)[("Agent 11", "Tue 12 Mar")][0] == "08:00 Customer 11-0"


def test_the_unassigned_row_takes_and_gives_bookings_on_any_day(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana, ben = _team(ctx)
    booked = _book(ctx, ana.id, at(TUESDAY, 9))
    waiting = _book(ctx, None, at(MONDAY, 15), name="Ivy Stone", phone="+13125550115")
    page = open_week(qtbot, boss_console)
    view = page.week.view

    drop = _drag(view, booked.id, 0, THURSDAY)
    assert view.preview == "Unassigned · Thu 14 Mar 09:00–10:00"
    with qtbot.waitSignal(page.moved, timeout=5000):
        view.dropEvent(drop)
    stored = bookings.get_booking(ctx, booked.id)
    assert (stored.agent_id, stored.status, stored.start) == (None, "pending", at(THURSDAY, 9))

    qtbot.waitUntil(lambda: waiting.id in view.bookings)
    drop = _drag(view, waiting.id, 2, TUESDAY)
    assert view.preview == "Ben Okafor · Tue 12 Mar 15:00–16:00"
    with qtbot.waitSignal(page.moved, timeout=5000):
        view.dropEvent(drop)
    stored = bookings.get_booking(ctx, waiting.id)
    assert (stored.agent_id, stored.status, stored.start) == (ben.id, "scheduled", at(TUESDAY, 15))

    # The block menu, the keyboard's twin of dragging, offers the week's agents too.
    qtbot.waitUntil(
        lambda: page.booking(waiting.id) is not None and page.booking(waiting.id).agent_id == ben.id
    )
    menu = page.assignment_menu(waiting.id)
    assign = menu.actions()[2].menu()
    assert [a.text() for a in assign.actions()] == ["Ana Ruiz"]
    menu.deleteLater()


def test_a_move_across_the_clock_change_keeps_the_wall_clock_time(boss_console):  # noqa: F811
    from dispatch_desktop.ui.board.week_scene import moved_start

    ctx = boss_console.ctx
    ana, _ben = _team(ctx)
    saturday = date(2030, 3, 9)  # Chicago moves its clocks forward on Sunday 10 March 2030
    booked = _book(ctx, ana.id, at(saturday, 9))
    sunday = moved_start(booked, saturday + timedelta(days=1), ZONE)
    assert sunday is not None and sunday.astimezone(ZONE).hour == 9
    assert (sunday - booked.start) == timedelta(hours=23)
    assert moved_start(booked, saturday, ZONE) is None
