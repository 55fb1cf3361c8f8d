"""Alt+letter means one thing at a time: no window or dialog offers the same &-mnemonic twice."""

import pytest

from dispatch_desktop.ui.bookings.form import BookingForm
from dispatch_desktop.ui.shell.main_window import MainWindow
from dispatch_desktop.ui.shell.welcome import WelcomeDialog
from tests.ui.conftest import drain
from tests.ui.mnemonics import duplicates, mnemonics

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _window(qtbot, console) -> MainWindow:
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.mark.parametrize(
    ("username", "role"), [(None, None), ("dana", "dispatcher"), ("carla", "call-center")]
)
def test_every_tab_of_the_main_window_offers_each_mnemonic_once(qtbot, desk, db, username, role):
    window = _window(qtbot, desk(username, role))
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        assert duplicates(window) == {}, window.tabs.tabText(index)
    # The two clashes of the issue are gone: Alt+A and Alt+V each mean one thing.
    window.tabs.setCurrentWidget(window.call_center)
    letters = dict(mnemonics(window))
    assert letters["v"] == "&View" and letters["a"] == "&Address"


def _dialogs(qtbot, desk):
    console = desk()
    window = _window(qtbot, console)
    window.show_page("agents")
    assert window.agents_page is not None
    yield "Add agent", window.agents_page.add()
    window.show_page("operators")
    yield "Add operator", window.pages["operators"].add()
    form = BookingForm(console, parent=window)
    form.show()
    qtbot.waitUntil(lambda: form.ready, timeout=10_000)
    yield "New booking", form
    yield "Settings", window.open_settings()
    welcome = WelcomeDialog(console, window)
    welcome.show()
    yield "Welcome", welcome
    yield "Shortcuts", window.show_shortcuts()


def test_no_dialog_offers_a_mnemonic_twice(qtbot, desk, db):
    for name, dialog in _dialogs(qtbot, desk):
        dialog.show()
        qtbot.waitExposed(dialog)
        assert duplicates(dialog) == {}, name
        dialog.close()
