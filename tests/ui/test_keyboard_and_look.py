"""Keyboard and look: Tab out of the bookings table, a shortcut list that lines up, dialogs and
panels that never clip, a restored window that fits its screen."""

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QScrollArea, QWidget

from dispatch_desktop.domain.statuses import BookingStatus
from dispatch_desktop.services import bookings
from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.call_center.panel import CallCenterPanel
from dispatch_desktop.ui.kit.reason_dialog import ReasonDialog
from dispatch_desktop.ui.shell.layout import LAYOUT_FILE
from dispatch_desktop.ui.shell.main_window import MainWindow
from dispatch_desktop.ui.shell.welcome import os_full_name
from tests.ui.conftest import drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _window(qtbot, console) -> MainWindow:
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def test_tab_leaves_the_bookings_table(qtbot, desk, db):
    window = _window(qtbot, desk("dana", "dispatcher"))
    table = window.bookings_page.table
    assert not table.tabKeyNavigation()
    table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table


def test_the_shortcut_list_lines_up_in_two_columns_without_clipping(qtbot, desk, db):
    window = _window(qtbot, desk())
    dialog = window.show_shortcuts()
    qtbot.waitExposed(dialog)
    table = dialog.table
    rows = window.shortcut_rows()
    assert table.rowCount() == len(rows) and table.columnCount() == 2
    assert [table.item(row, 0).text() for row in range(table.rowCount())] == [keys for keys, _ in rows]
    assert "Ctrl+Enter or Ctrl+S" in [keys for keys, _ in rows]
    # Every key text fits its column: nothing is cut off with an ellipsis.
    metrics = table.fontMetrics()
    assert all(metrics.horizontalAdvance(keys) <= table.columnWidth(0) for keys, _ in rows)
    assert table.horizontalScrollBar().maximum() == 0


def test_the_call_center_panel_scrolls_in_a_short_window_instead_of_squeezing(qtbot, desk, db):
    window = _window(qtbot, desk("carla", "call-center"))
    panel = window.call_center
    window.resize(1000, 790)
    qtbot.waitUntil(lambda: window.height() >= 700)
    tall = [field.height() for field in panel.fields()]
    window.resize(1000, 360)
    qtbot.waitUntil(lambda: window.height() <= 400)
    scroll = panel.findChild(QScrollArea)
    assert scroll is not None
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    assert [field.height() for field in panel.fields()] == tall


def test_the_add_agent_dialog_is_never_smaller_than_its_fields(qtbot, desk, db):
    window = _window(qtbot, desk())
    window.show_page("agents")
    assert window.agents_page is not None
    dialog = window.agents_page.add()
    qtbot.waitExposed(dialog)
    dialog.resize(50, 50)
    QApplication.processEvents()
    hint = dialog.layout().minimumSize()
    assert dialog.width() >= hint.width() and dialog.height() >= hint.height()


def test_a_window_saved_on_a_bigger_screen_opens_inside_this_one(qtbot, desk, db, home):
    console = desk()
    big = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(big, before_close_func=lambda _w: drain())
    screen = big.screen().availableGeometry()
    big.setGeometry(screen.right() + 900, screen.bottom() + 200, screen.width() * 2, screen.height() * 2)
    stored = QSettings(str(home / LAYOUT_FILE), QSettings.Format.IniFormat)
    geometry = big.saveGeometry()
    assert isinstance(geometry, QByteArray)
    stored.setValue("geometry", geometry)
    stored.sync()
    window = _window(qtbot, console)
    frame = window.frameGeometry()
    smallest = window.minimumSizeHint()
    assert frame.left() >= screen.left() and frame.top() >= screen.top(), frame
    assert window.width() <= max(screen.width(), smallest.width()), frame
    assert window.height() <= max(screen.height(), smallest.height()), frame


def test_the_cancel_dialog_offers_common_reasons_and_says_what_its_buttons_do(qtbot, desk, db):
    console = desk("dana", "dispatcher")
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    view = bookings.create_booking(
        console.ctx,
        customer_name="Nadia Flores",
        customer_phone="+13125550150",
        customer_email=None,
        address="2200 N Clark St",
        service="Boiler",
        start=start,
        end=start + timedelta(hours=1),
    )
    window = _window(qtbot, console)
    dialog = window.bookings_page.change_status(view, BookingStatus.CANCELLED)
    assert isinstance(dialog, ReasonDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    keep = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert (ok.text(), keep.text()) == ("Cancel booking", "Keep booking")
    offered = [dialog.common.itemText(i) for i in range(1, dialog.common.count())]
    assert "Customer cancelled" in offered and len(offered) >= 4
    dialog.common.setCurrentIndex(1)
    dialog.common.activated.emit(1)
    assert dialog.reason.text() == offered[0] and ok.isEnabled()
    ok.click()
    qtbot.waitUntil(lambda: bookings.get_booking(console.ctx, view.id).status == "cancelled", timeout=10_000)
    assert bookings.get_booking(console.ctx, view.id).cancel_reason == "Customer cancelled"


@pytest.mark.parametrize(
    ("login", "gecos", "expected"),
    [("dana", "Dana Whitfield,,,", "Dana Whitfield"), ("root", "root", ""), ("sam", "", "")],
)
def test_the_first_run_name_is_the_os_full_name_never_the_login(monkeypatch, login, gecos, expected):
    import pwd
    from types import SimpleNamespace

    monkeypatch.setattr("getpass.getuser", lambda: login)
    monkeypatch.setattr(pwd, "getpwnam", lambda _name: SimpleNamespace(pw_gecos=gecos))
    assert os_full_name() == expected


def _alt_letters_reach_their_fields(qtbot, window: QWidget) -> dict[str, str]:
    """Press each row label's Alt+letter; where the cursor went, by label (empty: nowhere useful)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=10_000)
    reached = {}
    for label in window.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is None or not label.isVisible() or "&" not in label.text():
            continue
        letter = label.text()[label.text().index("&") + 1]
        window.setFocus()
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)
        focused = QApplication.focusWidget()
        inside = focused is not None and (focused is buddy or buddy.isAncestorOf(focused))
        reached[label.text()] = type(focused).__name__ if inside and focused is not None else ""
    return reached


def test_each_alt_letter_of_the_booking_form_puts_the_cursor_in_its_field(qtbot, desk, db):
    """A dispatcher saw Alt+O (N&otes) do nothing: the labels' buddies were the boxes around the fields."""
    form = BookingForm(desk())
    qtbot.addWidget(form)
    form.show()
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    reached = _alt_letters_reach_their_fields(qtbot, form)
    assert {"&Phone", "N&otes", "&Duration", "&Start"} <= set(reached)
    assert [text for text, widget in reached.items() if not widget] == []


def test_each_alt_letter_of_the_call_center_panel_puts_the_cursor_in_its_field(qtbot, desk, db):
    panel = CallCenterPanel(desk("carla", "call-center"))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=10_000)
    reached = _alt_letters_reach_their_fields(qtbot, panel)
    assert {"&Phone", "Serv&ice", "&When (date, time)", "&Duration"} <= set(reached)
    assert [text for text, widget in reached.items() if not widget] == []
