"""The week's days: it starts on the team's week start (Settings, Monday or Sunday), and a booking
shows in every day it covers, "cont." on the days after its start."""

from datetime import date, timedelta

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragMoveEvent, QDropEvent

from dispatch_desktop.services import agents, bookings, team_settings
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.board.scene import booking_mime
from dispatch_desktop.ui.settings.dialog import SettingsDialog
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures
from tests.ui.week_support import TUESDAY, at, open_week

pytestmark = OFFSCREEN_NOISE
MONDAY, SUNDAY_BEFORE = TUESDAY - timedelta(days=1), TUESDAY - timedelta(days=2)


def _book(ctx, agent_id, start, end, name, phone):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email="maya@example.com",
        address="12 Elm St, Springfield",
        service="Boiler service",
        start=start,
        end=end,
        agent_id=agent_id,
    )


def _lines_by_day(page: BoardPage, booking_id: int) -> dict[date, str]:
    week = page.week.view.week
    found = {}
    for block in page.week.blocks():
        if block.booking.id == booking_id:
            found[week.days[week.column_at(block.rect().center().x())]] = block.lines[0]
    return found


def test_a_supervisor_sets_the_week_to_start_sunday_and_the_week_view_follows(qtbot, boss_console):  # noqa: F811
    page = open_week(qtbot, boss_console)
    assert page.week.data.days[0] == MONDAY
    dialog = SettingsDialog(boss_console)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.load_count >= 1)
    assert dialog.team_page.week_start.currentText() == "Monday"
    dialog.team_page.week_start.setCurrentText("Sunday")
    before = page.week.load_count
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    assert team_settings.get_team_settings(boss_console.ctx).week_start == "sun"
    qtbot.waitUntil(lambda: page.week.load_count > before)  # the saved settings reach the board
    days = page.week.data.days
    assert (days[0], days[-1]) == (SUNDAY_BEFORE, SUNDAY_BEFORE + timedelta(days=6))
    assert page.title.text().startswith("Sun 10 Mar – Sat 16 Mar 2030")


def test_an_overnight_booking_shows_on_both_days_and_one_begun_before_the_week_only_where_it_overlaps(
    qtbot,
    boss_console,  # noqa: F811
):
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    night = _book(
        ctx, ana.id, at(TUESDAY, 22), at(TUESDAY + timedelta(days=1), 2), "Maya Chen", "+13125550111"
    )
    early = _book(ctx, ana.id, at(SUNDAY_BEFORE, 20), at(MONDAY, 3), "Raj Patel", "+13125550112")
    ben = agents.add_agent(ctx, name="Ben Okafor", phone="+13125550102", email="ben@example.com")
    at_midnight = _book(
        ctx, ben.id, at(TUESDAY, 18), at(TUESDAY + timedelta(days=1), 0), "Liam Okafor", "+13125550113"
    )
    page = open_week(qtbot, boss_console)
    wednesday = TUESDAY + timedelta(days=1)
    assert _lines_by_day(page, night.id) == {TUESDAY: "22:00 Maya Chen", wednesday: "cont.–02:00 Maya Chen"}
    assert _lines_by_day(page, early.id) == {MONDAY: "cont.–03:00 Raj Patel"}  # not as if it began Monday
    assert _lines_by_day(page, at_midnight.id) == {TUESDAY: "18:00 Liam Okafor"}  # over at midnight


def test_dragging_the_cont_piece_a_day_on_moves_the_booking_a_day_later(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    ana = agents.add_agent(ctx, name="Ana Ruiz", phone="+13125550101", email="ana@example.com")
    wednesday, thursday = TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=2)
    night = _book(ctx, ana.id, at(TUESDAY, 22), at(wednesday, 2), "Maya Chen", "+13125550111")
    page = open_week(qtbot, boss_console)
    view = page.week.view
    week = view.week
    left, top, width, height = week.cell(1, week.days.index(thursday))
    point = view.mapFromScene(QPointF(left + width / 2, top + height / 2))
    mime = booking_mime(night.id, None, wednesday)  # the "cont." piece in Wednesday's cell
    buttons, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    view.dragMoveEvent(QDragMoveEvent(point, Qt.DropAction.MoveAction, mime, buttons, none))
    assert view.preview == "Ana Ruiz · Wed 13 Mar 22:00–02:00"
    with qtbot.waitSignal(page.moved, timeout=5000):
        view.dropEvent(QDropEvent(QPointF(point), Qt.DropAction.MoveAction, mime, buttons, none))
    stored = bookings.get_booking(ctx, night.id)
    assert (stored.start, stored.end) == (at(wednesday, 22), at(thursday, 2))
