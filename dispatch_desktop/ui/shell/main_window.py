"""The console's main window: the panes in tabs by role, the log dock, the banners and the status bar.

Its other jobs each have a module of their own in shell/: the commands (actions.py), the status bar
(status_bar.py), live refresh (live_refresh.py), this workstation's delivery (delivery_timer.py),
the saved layout (layout.py) and the first-run wizard (welcome.py).
"""

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QVBoxLayout, QWidget

from dispatch_desktop import __version__
from dispatch_desktop.domain.roles import Permission, Role
from dispatch_desktop.services import operators
from dispatch_desktop.services.workstation import EnvironmentBadge, environment_badge
from dispatch_desktop.ui.bookings.page import BookingsPage
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
from dispatch_desktop.ui.settings.dialog import SettingsDialog
from dispatch_desktop.ui.shell import tabs
from dispatch_desktop.ui.shell.actions import WindowActions, shortcut_rows
from dispatch_desktop.ui.shell.delivery_timer import DeliveryTimer
from dispatch_desktop.ui.shell.layout import WindowLayout
from dispatch_desktop.ui.shell.lazy_tab import LazyTab
from dispatch_desktop.ui.shell.live_refresh import RevisionWatcher
from dispatch_desktop.ui.shell.status_bar import ConsoleStatusBar
from dispatch_desktop.ui.shell.tabs import PageTabs
from dispatch_desktop.ui.shell.welcome import WelcomeDialog, os_full_name

if TYPE_CHECKING:  # built on first show (shell/lazy_tab.py): their modules load then
    from dispatch_desktop.ui.call_center.panel import CallCenterPanel
    from dispatch_desktop.ui.people.agents import AgentsPage

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

        self.tabs = PageTabs()
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
        self.pages = self.tabs.pages  # the pages built so far, by key
        self._build_pages()
        self.log_dock = self._build_log_dock()
        self.commands = WindowActions(self)
        self.commands.add_menus(self)
        self.toolbar = self.commands.add_toolbar(self)
        self.status_bar = ConsoleStatusBar(console, demo_mode=demo_mode)
        self.setStatusBar(self.status_bar)
        self.status_bar.show_environment(environment_badge(console.config, read_keyring=False))
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
        self._live_refresh, self._deliver = live_refresh, deliver
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
        """The Bookings tab's first (possibly big) load and every other first query, once the window
        has been painted: on workers, but they would hold the GIL while the window is being drawn."""
        if self._first_loads_started:
            return
        self._first_loads_started = True
        self.bookings_page.start_loading()
        if self._live_refresh:
            self.watcher.start()
            for banner in self.banners:
                banner.start()
        else:
            for banner in self.banners:
                banner.poll()
        if self._deliver:
            self.delivery.start()
        self.status_bar.counts.poll()
        self.update_badge()

    # --- pages ----------------------------------------------------------------------------

    def _build_pages(self) -> None:
        console, add = self.console, self.tabs.add
        self.tabs.page_ready.connect(self._page_ready)
        # Its first load starts after the window's first frame (see _start_first_loads).
        self.bookings_page = BookingsPage(console, load_now=False)
        add("bookings", self.bookings_page, self.tr("Boo&kings"))
        add("call_center", LazyTab(lambda: tabs.call_center_panel(console)), self.tr("&Call-center entry"))
        if console.can(Permission.READ):
            add("board", LazyTab(lambda: tabs.board_page(console)), self.tr("B&oard"))
        # Built at once: its tab's title counts the unread texts.
        self.inbox_page = InboxPage(console)
        add("inbox", self.inbox_page, self.tr("Inbox"))
        self.inbox_page.unread_changed.connect(self._show_unread)
        self.inbox_page.open_booking.connect(self.open_booking)
        if console.can(Permission.MANAGE_TIME_OFF):
            add("time_off", LazyTab(lambda: tabs.time_off_page(console)), self.tr("&Time off"))
        if console.can(Permission.MANAGE_AGENTS):
            add("agents", LazyTab(lambda: tabs.agents_page(console)), self.tr("A&gents"))
        if console.can(Permission.MANAGE_OPERATORS):
            add("operators", LazyTab(lambda: tabs.operators_page(console)), self.tr("Operator&s"))
        if console.actor.role == Role.CALL_CENTER:
            self.show_page("call_center")

    def _page_ready(self, _key: str, page: QWidget) -> None:
        if hasattr(page, "status_message"):
            page.status_message.connect(self.show_status)

    @property
    def call_center(self) -> "CallCenterPanel":
        from dispatch_desktop.ui.call_center.panel import CallCenterPanel

        panel = self.tabs.page("call_center")
        assert isinstance(panel, CallCenterPanel)
        return panel

    @property
    def agents_page(self) -> "AgentsPage | None":
        from dispatch_desktop.ui.people.agents import AgentsPage

        page = self.tabs.page("agents")
        assert page is None or isinstance(page, AgentsPage)
        return page

    def _show_unread(self, unread: int) -> None:
        title = self.tr("Inbox (%d)") % unread if unread else self.tr("Inbox")
        self.tabs.setTabText(self.tabs.indexOf(self.inbox_page), title)

    def open_booking(self, booking_id: int) -> None:
        """The Bookings tab with the booking selected and its form open (the inbox's link)."""
        self.show_page("bookings")
        self.bookings_page.select_booking(booking_id)
        self.bookings_page.with_fresh(booking_id, self.bookings_page.edit_booking)

    def tab_titles(self) -> list[str]:
        return self.tabs.titles()

    def show_page(self, key: str) -> bool:
        return self.tabs.show_page(key)

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
        """The environment at once; the SMTP password's note when the keyring answers, off the UI thread."""
        config = self.console.config
        self.status_bar.show_environment(environment_badge(config, read_keyring=False))
        run_for(
            self,
            self.console.ops,
            lambda: environment_badge(config),
            self.status_bar.show_environment,
            lambda _e: None,
            quiet=True,
        )

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
        return shortcut_rows(self.tr)

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
        if self.tabs.current_key() == "call_center":  # a call-taker starts typing the number
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
            self.saved_layout.save(self, self.tabs.current_key())
        except OSError as exc:  # a read-only home must not stop the window from closing
            log.warning("could not save the window layout: %s", exc)
        self._first_loads_started = True  # a window closed before its first paint starts nothing
        self.watcher.stop()
        for banner in self.banners:
            banner.stop()
        self.delivery.stop()
        self.log_dock.detach()
        super().closeEvent(event)
