"""The main window's commands: actions with their shortcuts, the menus and the toolbar."""

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from dispatch_desktop.domain.roles import Permission

if TYPE_CHECKING:
    from dispatch_desktop.ui.shell.main_window import MainWindow


def _action(
    window: "MainWindow",
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
    slot: Callable[[], Any],
    tip: str | None = None,
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut) if isinstance(shortcut, str) else shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    return action


class WindowActions:
    """Every command of the window, with its shortcut; the menus and the toolbar show them."""

    def __init__(self, window: "MainWindow") -> None:
        can = window.console.can
        self.new_booking_action = _action(
            window,
            window.tr("&New booking…"),
            QKeySequence.StandardKey.New,
            window.new_booking,
            window.tr("Create a booking"),
        )
        self.new_booking_action.setEnabled(can(Permission.CREATE_UNASSIGNED_BOOKING))
        self.call_action = _action(
            window,
            window.tr("New &call"),
            "F2",
            window.new_call,
            window.tr("Take a booking during a phone call"),
        )
        self.find_action = _action(
            window,
            window.tr("&Find booking"),
            QKeySequence.StandardKey.Find,
            window.find_booking,
            window.tr("Search by reference, customer, phone or address"),
        )
        self.refresh_action = _action(
            window,
            window.tr("&Refresh"),
            QKeySequence.StandardKey.Refresh,
            window.refresh,
            window.tr("Reload every pane"),
        )
        self.next_tab_action = _action(window, window.tr("Ne&xt tab"), "Ctrl+Tab", lambda: window.step_tab(1))
        self.previous_tab_action = _action(
            window, window.tr("Pre&vious tab"), "Ctrl+Shift+Tab", lambda: window.step_tab(-1)
        )
        self.today_action = _action(window, window.tr("&Today's bookings"), "Ctrl+T", window.todays_bookings)
        self.demo_action = _action(
            window,
            window.tr("Load &demo data"),
            None,
            window.load_demo_data,
            window.tr("Add sample agents, bookings and time off"),
        )
        self.demo_action.setEnabled(can(Permission.MANAGE_OPERATORS))
        self.settings_action = _action(
            window, window.tr("&Settings…"), QKeySequence.StandardKey.Preferences, window.open_settings
        )
        self.settings_action.setEnabled(can(Permission.MANAGE_SETTINGS))
        self.deliver_action = _action(
            window,
            window.tr("Send due &notifications now"),
            None,
            window.send_due_now,
            window.tr("Deliver what is due now"),
        )
        self.quit_action = _action(window, window.tr("&Quit"), QKeySequence.StandardKey.Quit, window.close)
        self.shortcuts_action = _action(window, window.tr("&Keyboard shortcuts"), "F1", window.show_shortcuts)
        self.about_action = _action(window, window.tr("&About Dispatch Desktop"), None, window.show_about)
        self.page_actions: list[QAction] = []
        for number in range(1, 10):
            action = _action(
                window,
                window.tr("Tab {0}").format(number),
                f"Alt+{number}",
                partial(window.go_tab, number - 1),
            )
            self.page_actions.append(action)

    def add_menus(self, window: "MainWindow") -> None:
        bar = window.menuBar()
        file_menu = bar.addMenu(window.tr("&File"))
        file_menu.addAction(self.new_booking_action)
        file_menu.addAction(self.call_action)
        file_menu.addSeparator()
        file_menu.addAction(self.demo_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        bookings_menu = bar.addMenu(window.tr("&Bookings"))
        bookings_menu.addAction(self.find_action)
        bookings_menu.addAction(self.today_action)
        bookings_menu.addSeparator()
        for action in (
            window.bookings_page.assign_action,
            window.bookings_page.cancel_action,
            window.bookings_page.history_action,
        ):
            bookings_menu.addAction(action)
        window.bookings_page.cancel_action.setEnabled(window.console.can(Permission.EDIT_UNASSIGNED_BOOKING))
        view_menu = bar.addMenu(window.tr("&View"))
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.next_tab_action)
        view_menu.addAction(self.previous_tab_action)
        toggle = window.log_dock.toggleViewAction()
        toggle.setText(window.tr("&Notification log"))
        toggle.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.addAction(toggle)
        view_menu.addSeparator()
        view_menu.addAction(self.deliver_action)
        self.deliver_action.setEnabled(window.console.can(Permission.MANAGE_OUTBOX))
        help_menu = bar.addMenu(window.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def add_toolbar(self, window: "MainWindow") -> QToolBar:
        toolbar = QToolBar(window.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.new_booking_action)
        toolbar.addAction(self.call_action)
        toolbar.addAction(self.find_action)
        toolbar.addAction(self.today_action)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(window.log_dock.toggleViewAction())
        window.addToolBar(toolbar)
        return toolbar


def shortcut_rows(tr: Callable[[str], str]) -> list[tuple[str, str]]:
    """The keyboard shortcuts as the Help list shows them: keys, then what they do."""
    return [
        ("Ctrl+N", tr("New booking")),
        ("F2", tr("New call (call-center entry)")),
        ("Ctrl+F", tr("Find a booking")),
        ("Ctrl+T", tr("Today's bookings")),
        ("F5", tr("Refresh")),
        ("Ctrl+Tab / Ctrl+Shift+Tab", tr("Next / previous tab")),
        ("Alt+1 … Alt+9", tr("Go to tab")),
        ("Alt+underlined letter", tr("Go to that tab, menu, field or button")),
        ("Tab / Shift+Tab", tr("Next / previous field; leaves the bookings table")),
        ("Arrows", tr("Move within the bookings table")),
        ("Ctrl+G", tr("Assign the selected booking")),
        ("Ctrl+H", tr("History of the selected booking")),
        ("Enter (table)", tr("Open the selected booking")),
        ("Enter (form)", tr("Next field; on the last field, save")),
        ("Ctrl+Enter or Ctrl+S", tr("Save the form from any field")),
        ("Esc", tr("Cancel the form; clear the call-center panel")),
        ("t, +1, 2026-12-03", tr("Date field: today, tomorrow, that day")),
        ("10, 10:30, 2p", tr("Time field: 10:00, 10:30, 14:00")),
        ("Ctrl+L", tr("Show or hide the notification log")),
        ("Alt+W (board)", tr("The board's week, or back to the day")),
        ("F1", tr("This list")),
        ("Ctrl+Q", tr("Quit")),
    ]
