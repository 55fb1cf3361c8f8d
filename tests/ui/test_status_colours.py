"""One colour per status, in the table, on the board and in the legend, readable in both themes."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from dispatch_desktop.domain.statuses import BookingStatus
from dispatch_desktop.services import agents, bookings
from dispatch_desktop.ui.board.block import BookingBlock
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.kit.style import READABLE_CONTRAST, contrast, status_colour, status_fill, text_on

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _palette(window: str, base: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    return palette


LIGHT = _palette("#efefef", "#ffffff")
DARK = _palette("#2b2b2b", "#1e1e1e")


def _hue_gap(first: QColor, second: QColor) -> int:
    gap = abs(first.hslHue() - second.hslHue())
    return min(gap, 360 - gap)


def test_every_status_has_its_own_colour(qapp):
    fills = [status_fill(status).name() for status in BookingStatus]
    assert len(set(fills)) == len(fills)


def test_en_route_and_in_progress_are_clearly_apart(qapp):
    assert _hue_gap(status_fill(BookingStatus.EN_ROUTE), status_fill(BookingStatus.IN_PROGRESS)) >= 90


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("status", list(BookingStatus))
def test_the_table_status_text_reads_on_either_theme_and_keeps_its_hue(qapp, palette, status):
    text = status_colour(status, palette)
    assert contrast(text, palette.color(QPalette.ColorRole.Base)) >= READABLE_CONTRAST
    if status != BookingStatus.CANCELLED:  # grey has no hue
        assert _hue_gap(text, status_fill(status)) <= 12


@pytest.mark.parametrize("status", list(BookingStatus))
def test_block_and_legend_text_reads_on_the_fill(qapp, status):
    fill = status_fill(status)
    assert contrast(text_on(fill), fill) >= READABLE_CONTRAST


def test_the_board_and_its_legend_use_the_tables_colours(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    marcus = agents.add_agent(console.ctx, name="Marcus Hill", phone="+13125550111", email="m@example.com")
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=1)
    view = bookings.create_booking(
        console.ctx,
        customer_name="Nadia Flores",
        customer_phone="+13125550150",
        customer_email=None,
        address="2200 N Clark St",
        service="Boiler",
        start=start,
        end=start + timedelta(hours=1),
        agent_id=marcus.id,
    )
    page = BoardPage(console)
    qtbot.addWidget(page)
    page.show()
    chips = {label.text(): label.styleSheet() for label in page.findChildren(QLabel)}
    assert f"background:{status_fill('en_route').name()}" in chips["en route"]
    assert f"background:{status_fill('in_progress').name()}" in chips["in progress"]
    qtbot.waitUntil(
        lambda: any(isinstance(item, BookingBlock) for item in page.view.scene().items()), timeout=10_000
    )
    block = next(item for item in page.view.scene().items() if isinstance(item, BookingBlock))
    assert block.booking.id == view.id
    assert block.brush().color() == status_fill(view.status)
