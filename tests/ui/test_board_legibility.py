"""The day board reads at real scale: a block scrolled partly off still shows its start, and 300
half-hour jobs show their time and customer's first name at the default zoom."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dispatch_desktop.services import agents, bookings, team_settings
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.board.scene import NAME_WIDTH
from tests.conftest import TEST_TIMEZONE
from tests.ui._support import OFFSCREEN_NOISE, boss_console, make_console  # noqa: F401 - fixtures

pytestmark = OFFSCREEN_NOISE
ZONE = ZoneInfo(TEST_TIMEZONE)
DAY = datetime(2030, 3, 12, tzinfo=ZONE)
FIRST_NAMES = ("Michael", "Jasmine", "Raj", "Ola", "Beatriz", "Kenji", "Amara", "Diego", "Nina", "Tomasz")


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def _book(ctx, agent_id, start, minutes, name, n=0):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=f"+1773555{n:04d}",
        customer_email=None,
        address=f"{100 + n} N Clark St",
        service="Radiator bleed and pressure check",
        start=start,
        end=start + timedelta(minutes=minutes),
        agent_id=agent_id,
    )


def _shown_board(qtbot, console, size: tuple[int, int]) -> BoardPage:
    page = BoardPage(console)
    page.clock = lambda: at(7).astimezone(UTC)
    page.set_day(DAY.date())
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitUntil(lambda: page.data is not None and page.data.day == DAY.date() and page.blocks() != [])
    page.working_hours()
    return page


def test_a_block_scrolled_partly_off_reads_from_the_visible_edge(qtbot, boss_console):  # noqa: F811
    ctx = boss_console.ctx
    jamal = agents.add_agent(ctx, name="Jamal Carter", phone="+13125550101", email="jamal@example.com")
    logan = _book(ctx, jamal.id, at(7), 150, "Logan White")
    page = _shown_board(qtbot, boss_console, (1200, 500))
    [block] = page.blocks()
    assert block.booking.id == logan.id
    view = page.view
    # Scrolled so that the hour header starts at 08:00: the block began an hour before the edge.
    view.horizontalScrollBar().setValue(int(view.geometry_.x_of(at(8).astimezone(UTC)) - NAME_WIDTH))
    edge = view.mapToScene(0, 0).x() + NAME_WIDTH
    assert block.rect().left() < edge - 100
    assert block.text_left() == edge + 3
    assert block.lines[0] == "07:00 Logan White"  # not its tail, "White", under the agents' names
    assert block.lines[1].startswith("Radiator bleed")
    # Scrolled back, the lines start at the block's own left again.
    view.horizontalScrollBar().setValue(0)
    assert block.text_left() == block.rect().left() + 3


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_300_half_hour_jobs_show_time_and_first_name_at_the_default_zoom(qtbot, boss_console, size):  # noqa: F811
    ctx = boss_console.ctx
    team_settings.update_team_settings(ctx, sms_per_operator_per_hour=100_000, sms_per_recipient_per_day=1000)
    team = [
        agents.add_agent(
            ctx, name=f"Agent {n:02d}", phone=f"+1312555{2000 + n:04d}", email=f"a{n}@example.com"
        )
        for n in range(25)
    ]
    made = 0
    for slot in range(12):  # 07:00 to 19:00, one job an hour each, every other half hour in turn
        for row, agent in enumerate(team):
            start = at(7 + slot) + timedelta(minutes=30 * ((slot + row) % 2))
            name = f"{FIRST_NAMES[made % 10]} {('Chen', 'Okonkwo-Baptiste', 'Li')[made % 3]}"
            _book(ctx, agent.id, start, 30, name, made)
            made += 1
    assert made == 300
    page = _shown_board(qtbot, boss_console, size)
    qtbot.waitUntil(lambda: len(page.blocks()) == 300)
    for block in page.blocks():
        booking = block.booking
        first_name = booking.customer_name.split()[0]
        time = booking.start.astimezone(ZONE).strftime("%H:%M")
        assert block.lines[0].startswith(f"{time} {first_name}"), block.lines
        assert block.rect().width() >= 100
