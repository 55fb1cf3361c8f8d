"""The console's main window: the panes in tabs by role, the log dock, the banners and the status bar.

Its other jobs each have a module of their own in shell/: the commands (actions.py), the status bar
(status_bar.py), live refresh (live_refresh.py), this workstation's delivery (delivery_timer.py),
the saved layout (layout.py) and the first-run wizard (welcome.py).
"""

import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from dispatch_desktop import __version__
from dispatch_desktop.domain.roles import Permission, Role
from dispatch_desktop.services import operators
from dispatch_desktop.services.workstation import EnvironmentBadge, environment_badge
from dispatch_desktop.ui.board.page import BoardPage
from dispatch_desktop.ui.bookings.page import BookingsPage
from dispatch_desktop.ui.call_center.panel import CallCenterPanel
from dispatch_desktop.ui.inbox.page import InboxPage
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.error_box import show_error
from dispatch_desktop.ui.kit.lifetime import OpenDialogs, run_for
from dispatch_desktop.ui.kit.operations import one_line
from dispatch_desktop.ui.kit.screen import fit_to_screen
from dispatch_desktop.ui.kit.text_dialog import ShortcutsDialog, TextDialog
from dispatch_desktop.ui.notifications.account_alert import AccountAlertBanner
from dispatch_desktop.ui.notifications.delivery_alert import DeliveryAlertBanner
from dispatch_desktop.ui.notifications.email_alert import EmailAlertBanner
from dispatch_desktop.ui.notifications.log_pane import NotificationLogDock
from dispatch_desktop.ui.notifications.sync_alert import SyncAlertBanner
from dispatch_desktop.ui.people.agents import AgentsPage
from dispatch_desktop.ui.people.operators import OperatorsPage
from dispatch_desktop.ui.settings.dialog import SettingsDialog
from dispatch_desktop.ui.shell.actions import WindowActions
from dispatch_desktop.ui.shell.delivery_timer import DeliveryTimer
from dispatch_desktop.ui.shell.layout import WindowLayout
from dispatch_desktop.ui.shell.live_refresh import RevisionWatcher
from dispatch_desktop.ui.shell.status_bar import ConsoleStatusBar
from dispatch_desktop.ui.shell.welcome import WelcomeDialog, os_full_name
from dispatch_desktop.ui.timeoff.page import TimeOffPage

log = logging.getLogger("dispatch_desktop.ui")

FIRST_LOAD_FALLBACK_MS = 500  # the first bookings load when no first paint came by then


class MainWindow(QMainWindow):
    """One operator's console on one database."""

    def __init__(
        self,
        console: ConsoleContext,
        *,
        demo_mode: bool = False,
        live_refresh: bool = True,
        deliver: bool = True,
        first_run_check: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.demo_mode = demo_mode
        self.first_run_check = first_run_check
        self.welcome: WelcomeDialog | None = None
        self.dialogs = OpenDialogs()
        self.setObjectName("mainWindow")
        self.resize(1280, 800)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Emails failing to sign in (Office 365 retired the password) show across the top, above the tabs.
        self.email_alert = EmailAlertBanner(console)
        self.email_alert.status_message.connect(self.show_status)
        # Notifications waiting with nobody able to deliver them, on every workstation.
        self.delivery_alert = DeliveryAlertBanner(console)
        # Twilio refusing every text of the account (unregistered number, wrong credentials, trial).
        self.account_alert = AccountAlertBanner(console)
        # The sync leader not reaching Twilio: receipts and replies go unread, on every workstation.
        self.sync_alert = SyncAlertBanner(console)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banners = (self.email_alert, self.delivery_alert, self.account_alert, self.sync_alert)
        for banner in self.banners:
            column.addWidget(banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, QWidget] = {}
        self._build_pages()
        self.log_dock = self._build_log_dock()
        self.commands = WindowActions(self)
        self.commands.add_menus(self)
        self.toolbar = self.commands.add_toolbar(self)
        self.status_bar = ConsoleStatusBar(console, demo_mode=demo_mode)
        self.setStatusBar(self.status_bar)
        self.update_badge()
        self.update_operator()
        self.delivery_alert.health_changed.connect(self.status_bar.show_health)
        self.update_title()
        self.saved_layout = WindowLayout(console.home)
        self.saved_layout.restore(self, None if console.actor.role == Role.CALL_CENTER else self.show_page)

        self.watcher = RevisionWatcher(console, parent=self)
        self.watcher.unreachable.connect(self.status_bar.database_unreachable)
        self.watcher.reachable.connect(self._database_reachable)
        console.ops.changed.connect(self._data_changed)
        console.ops.failed.connect(self.show_status)
        self.delivery = DeliveryTimer(console, parent=self)
        self.delivery.reported.connect(self.show_status)
        if live_refresh:
            self.watcher.start()
            for banner in self.banners:
                banner.start()
        else:
            for banner in self.banners:
                banner.poll()
        if deliver:
            self.delivery.start()
        self.status_bar.counts.poll()
        self._first_loads_started = False
        self._painted = False
        QTimer.singleShot(0, self._first_loads_unless_painting)

    # --- first loads after the first frame --------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self._start_first_loads)

    def _first_loads_unless_painting(self) -> None:
        # A window that was shown waits for its first paint; one never shown (tests, scripts) loads now.
        if not self.isVisible() or self._painted:
            self._start_first_loads()
        else:  # and one that is never painted (started minimized) still loads, a moment later
            QTimer.singleShot(FIRST_LOAD_FALLBACK_MS, self, self._start_first_loads)

    def _start_first_loads(self) -> None:
        """The Bookings tab's first (possibly big) load, once the window has been painted."""
        if self._first_loads_started:
            return
        self._first_loads_started = True
        self.bookings_page.start_loading()

    # --- pages ----------------------------------------------------------------------------

    def _build_pages(self) -> None:
        console = self.console
        # Its first load starts after the window's first frame (see _start_first_loads).
        self.bookings_page = BookingsPage(console, load_now=False)
        self._add_page("bookings", self.bookings_page, self.tr("Boo&kings"))
        self.call_center = CallCenterPanel(console)
        self._add_page("call_center", self.call_center, self.tr("&Call-center entry"))
        if console.can(Permission.READ):
            self._add_page("board", BoardPage(console), self.tr("B&oard"))
        self.inbox_page = InboxPage(console)
        self._add_page("inbox", self.inbox_page, self.tr("Inbox"))
        self.inbox_page.unread_changed.connect(self._show_unread)
        self.inbox_page.open_booking.connect(self.open_booking)
        if console.can(Permission.MANAGE_TIME_OFF):
            self._add_page("time_off", TimeOffPage(console), self.tr("&Time off"))
        self.agents_page: AgentsPage | None = None
        if console.can(Permission.MANAGE_AGENTS):
            self.agents_page = AgentsPage(console)
            self._add_page("agents", self.agents_page, self.tr("A&gents"))
        if console.can(Permission.MANAGE_OPERATORS):
            self._add_page("operators", OperatorsPage(console), self.tr("Operator&s"))
        if console.actor.role == Role.CALL_CENTER:
            self.tabs.setCurrentWidget(self.call_center)

    def _add_page(self, key: str, page: QWidget, title: str) -> None:
        page.setObjectName(f"page_{key}")
        self.pages[key] = page
        self.tabs.addTab(page, title)
        if hasattr(page, "status_message"):
            page.status_message.connect(self.show_status)

    def _show_unread(self, unread: int) -> None:
        title = self.tr("Inbox (%d)") % unread if unread else self.tr("Inbox")
        self.tabs.setTabText(self.tabs.indexOf(self.inbox_page), title)

    def open_booking(self, booking_id: int) -> None:
        """The Bookings tab with the booking selected and its form open (the inbox's link)."""
        self.show_page("bookings")
        self.bookings_page.select_booking(booking_id)
        self.bookings_page.with_fresh(booking_id, self.bookings_page.edit_booking)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i).replace("&", "") for i in range(self.tabs.count())]

    def show_page(self, key: str) -> bool:
        page = self.pages.get(key)
        if page is None:
            return False
        self.tabs.setCurrentWidget(page)
        return True

    def _build_log_dock(self) -> NotificationLogDock:
        dock = NotificationLogDock(self.console, self)
        dock.setObjectName("notificationLog")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        if self.console.actor.role != Role.SUPERVISOR:
            dock.hide()
        return dock

    # --- what the window shows about itself -------------------------------------------------

    def update_title(self) -> None:
        actor = self.console.actor
        demo_note = self.tr(" [demo]") if self.demo_mode else ""
        # Not the program's name: Qt appends the application's display name to every title.
        self.setWindowTitle(
            self.tr("{0} ({1}) — {2}{3}").format(
                actor.name, actor.role.value, self.console.ctx.db.description, demo_note
            )
        )

    def update_operator(self) -> None:
        self.status_bar.show_operator(self.console.actor)

    def environment(self) -> EnvironmentBadge:
        return environment_badge(self.console.config)

    def update_badge(self) -> None:
        self.status_bar.show_environment(self.environment())

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8_000)

    def _database_reachable(self) -> None:
        self.status_bar.database_reachable()
        self.console.ops.changed.emit(Change.ALL)

    def _data_changed(self, what: Change) -> None:
        if what & Change.OPERATORS:
            ctx = self.console.ctx
            run_for(self, self.console.ops, ctx.actor, self._actor_arrived, lambda _e: None)
        if what & Change.SETTINGS:
            self.update_badge()

    def _actor_arrived(self, actor: Any) -> None:
        if actor != self.console.actor:
            self.console.actor = actor
            self.update_title()
            self.update_operator()

    # --- commands -------------------------------------------------------------------------

    def new_booking(self) -> QDialog:
        self.show_page("bookings")
        return self.bookings_page.new_booking()

    def new_call(self) -> None:
        self.show_page("call_center")
        self.call_center.clear()

    def find_booking(self) -> None:
        self.show_page("bookings")
        self.bookings_page.focus_search()

    def todays_bookings(self) -> None:
        self.show_page("bookings")
        self.bookings_page.show_today()

    def refresh(self) -> None:
        self.console.ops.changed.emit(Change.ALL)
        self.show_status(self.tr("Refreshed"))

    def step_tab(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def go_tab(self, index: int) -> None:
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def send_due_now(self) -> None:
        """The menu command: deliver now, and say in the status bar what the run did."""
        self.delivery.send_due_now()

    def load_demo_data(self) -> None:
        from dispatch_desktop.services import demo  # only when asked: not part of every start-up

        ctx, home = self.console.ctx, self.console.home
        self.show_status(self.tr("Loading demo data…"))
        self.commands.demo_action.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: demo.load_into_demo_home(ctx, home, os_name=os_full_name()),
            lambda summary: self.show_status(
                self.tr("Demo data loaded: {0} agents, {1} bookings").format(summary.agents, summary.bookings)
            ),
            self._demo_refused,
            changes=Change.ALL,
        )

    def _demo_refused(self, error: Exception) -> None:
        self.commands.demo_action.setEnabled(True)
        self.show_status(one_line(error))
        self.dialogs.keep(show_error(self, error))

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.console, self)
        dialog.finished.connect(lambda _result: self.console.ops.changed.emit(Change.SETTINGS))
        return self.dialogs.show(dialog)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """The keyboard shortcuts as the Help list shows them: keys, then what they do."""
        tr = self.tr
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

    def show_shortcuts(self) -> ShortcutsDialog:
        return self.dialogs.show(ShortcutsDialog(self.tr("Keyboard shortcuts"), self.shortcut_rows(), self))

    def show_about(self) -> None:
        text = self.tr("Dispatch Desktop {0}\n\nDatabase: {1}\nHome: {2}\nNotifications: {3}").format(
            __version__, self.console.ctx.db.description, self.console.home, self.environment().description
        )
        self.dialogs.keep(TextDialog(self.tr("About Dispatch Desktop"), text, self)).open()

    # --- first run ------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_to_screen(self)  # a layout saved at another scale factor or on another monitor
        if self.tabs.currentWidget() is self.call_center:  # a call-taker starts typing the number
            QTimer.singleShot(0, self.call_center.phone.setFocus)
        if self.first_run_check:
            self.first_run_check = False
            ctx = self.console.ctx
            run_for(
                self,
                self.console.ops,
                lambda: operators.has_operators(ctx),
                self._maybe_welcome,
                lambda _e: None,
            )

    def _maybe_welcome(self, has_operators: bool) -> None:
        if has_operators:
            return
        self.welcome = WelcomeDialog(self.console, self)
        self.welcome.chosen.connect(self._welcome_chosen)
        self.welcome.finished.connect(self._welcome_finished)
        self.welcome.open()

    def _welcome_finished(self, _result: int) -> None:
        self.update_title()
        self.update_operator()

    def _welcome_chosen(self, choice: str) -> None:
        self.update_title()
        self.update_operator()
        if choice == WelcomeDialog.ADD_AGENTS and self.agents_page is not None:
            self.show_page("agents")
            self.agents_page.add()

    def closeEvent(self, event: QCloseEvent) -> None:
        try:
            self.saved_layout.save(self, self._current_page())
        except OSError as exc:  # a read-only home must not stop the window from closing
            log.warning("could not save the window layout: %s", exc)
        self.watcher.stop()
        for banner in self.banners:
            banner.stop()
        self.delivery.stop()
        self.log_dock.detach()
        super().closeEvent(event)

    def _current_page(self) -> str | None:
        return next((key for key, page in self.pages.items() if page is self.tabs.currentWidget()), None)
