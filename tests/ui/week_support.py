"""What the week board's tests share: their Tuesday, its wall-clock times, and the board opened on it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dispatch_desktop.ui.board.page import BoardPage
from tests.conftest import TEST_TIMEZONE

ZONE = ZoneInfo(TEST_TIMEZONE)
TUESDAY = date(2030, 3, 12)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def open_week(qtbot, console, day: date = TUESDAY) -> BoardPage:
    """The board on `day`, its clock at Tuesday 10:30, switched to the week and loaded."""
    page = BoardPage(console)
    page.clock = lambda: at(TUESDAY, 10, 30)
    qtbot.addWidget(page)
    page.resize(1500, 700)
    page.show()
    page.set_day(day)
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == day)
    before = page.week.load_count
    page.week_button.click()
    qtbot.waitUntil(lambda: page.week.load_count > before)
    return page
