"""Scrolling a big week: the rows a screen beyond sight are made while the console is idle, so the
scroll step that brings them into sight makes no blocks, and the rows after them follow."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QApplication

from dispatch_desktop.services import agents, bookings, team_settings
from dispatch_desktop.ui.board.page import BoardPage
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE
ZONE = ZoneInfo(TEST_TIMEZONE)
TUESDAY = date(2030, 3, 12)


def at(hour: int) -> datetime:
    return datetime(TUESDAY.year, TUESDAY.month, TUESDAY.day, hour, tzinfo=ZONE).astimezone(UTC)


def _rows_made(page: BoardPage) -> set[str]:
    week, view = page.week.view.week, page.week.view
    return {view.names[week.row_at(block.rect().center().y())] for block in page.week.blocks()}


def test_rows_coming_into_sight_were_made_ahead_so_the_scroll_step_makes_none(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    team_settings.update_team_settings(ctx, sms_per_operator_per_hour=1000)
    for n in range(16):  # eight jobs each on Tuesday: every row is a full cell tall
        agent = agents.add_agent(
            ctx, name=f"Agent {n:02d}", phone=f"+131255503{n:02d}", email=f"a{n}@example.com"
        )
        for job in range(8):
            bookings.create_booking(
                ctx,
                customer_name=f"Customer {n:02d}-{job}",
                customer_phone=f"+13125{n:02d}{job:04d}",
                customer_email=None,
                address="12 Elm St, Springfield",
                service="Boiler service",
                start=at(8 + job),
                end=at(8 + job) + timedelta(minutes=45),
                agent_id=agent.id,
            )
    page = BoardPage(boss_console)
    page.clock = lambda: at(10)
    qtbot.addWidget(page)
    page.resize(1500, 700)
    page.show()
    page.set_day(TUESDAY)
    qtbot.waitUntil(lambda: page.data is not None)
    page.week_button.click()
    qtbot.waitUntil(lambda: page.week.data is not None and page.week.blocks() != [])
    view = page.week.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    week = view.week
    next_screen = view.names[week.row_at(visible.bottom() + visible.height() * 0.9)]
    qtbot.waitUntil(lambda: next_screen in _rows_made(page))  # made while idle, before any scroll
    assert "Agent 15" not in _rows_made(page)
    made = len(page.week.blocks())
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + bar.pageStep())  # one screen down, no event loop turn yet
    assert len(page.week.blocks()) == made  # everything now in sight was made ahead
    assert next_screen in _rows_made(page)
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    assert "Agent 15" in _rows_made(page)  # far rows are still made as they come into sight
