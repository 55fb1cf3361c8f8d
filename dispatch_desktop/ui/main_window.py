"""The console's main window: tabs by role, menus and shortcuts, status bar, live refresh."""

import getpass
import importlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dispatch_desktop import __version__
from dispatch_desktop.domain.outbox import OutboxStatus
from dispatch_desktop.domain.roles import Permission, Role
from dispatch_desktop.services import operators, outbox, revision
from dispatch_desktop.services.notifier_status import DeliveryHealth, Heartbeat
from dispatch_desktop.services.workstation import EnvironmentBadge, deliver_outbox, environment_badge
from dispatch_desktop.ui.bookings_page import BookingsPage
from dispatch_desktop.ui.call_center import CallCenterPanel
from dispatch_desktop.ui.console import ConsoleContext
from dispatch_desktop.ui.delivery_alert import DeliveryAlertBanner
from dispatch_desktop.ui.dialogs import TextDialog, show_error
from dispatch_desktop.ui.email_alert import EmailAlertBanner
from dispatch_desktop.ui.lifetime import is_alive, run_for
from dispatch_desktop.ui.operations import one_line
from dispatch_desktop.ui.plain import PlainLabel, plain_tip
from dispatch_desktop.ui.style import DEMO_BADGE, alert_badge_style, badge_style

log = logging.getLogger("dispatch_desktop.ui")

POLL_INTERVAL_MS = 1_000
DELIVERY_INTERVAL_MS = 5_000
BUSY_DELAY_MS = 400
FIRST_LOAD_FALLBACK_MS = 500  # the first bookings load when no first paint came by then
LAYOUT_FILE = "window.ini"  # per home: size, docks and the open tab, for people who keep it open all day
NO_COUNT = "—"


def optional_class(module: str, name: str) -> type | None:
    """A pane another engineer builds; None until its module exists, so the window still opens."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise
    return getattr(loaded, name, None)


class RevisionWatcher(QObject):
    """Polls the shared change counter; any change anywhere makes every pane reload."""

    unreachable = Signal(str)
    reachable = Signal()

    def __init__(
        self, console: ConsoleContext, interval_ms: int = POLL_INTERVAL_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.console = console
        self.last: int | None = None
        self.polls = 0
        self._in_flight = False
        self._failing = False
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        if self._in_flight:
            return
        self._in_flight = True
        ctx = self.console.ctx
        run_for(
            self,
            self.console.ops,
            lambda: revision.current_revision(ctx),
            self._arrived,
            self._failed,
            quiet=True,  # every second: not work anyone waits for
        )

    def _arrived(self, value: int) -> None:
        self._in_flight = False
        self.polls += 1
        if self._failing:
            self._failing = False
            self.reachable.emit()
        changed = self.last is not None and value != self.last
        self.last = value
        if changed:
            self.console.ops.changed.emit("*")

    def _failed(self, error: Exception) -> None:
        self._in_flight = False
        self._failing = True
        self.unreachable.emit(one_line(error))


class WelcomeDialog(QDialog):
    """First run on an empty database: add me as supervisor, then add agents or load demo data."""

    ADD_AGENTS, LOAD_DEMO, START_EMPTY = "agents", "demo", "empty"
    chosen = Signal(str)

    def __init__(self, console: ConsoleContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.console = console
        self.setWindowTitle(self.tr("Welcome to Dispatch Desktop"))
        self.pages = QStackedWidget()

        first = QWidget()
        intro = PlainLabel(
            self.tr(
                "This database has no operators yet. Add yourself as the team's supervisor; "
                "you can add dispatchers and call-center staff afterwards."
            )
        )
        intro.setWordWrap(True)
        self.name = QLineEdit(_os_full_name())
        self.username = QLineEdit(console.ctx.username.lower())  # usernames are lowercase
        self.username.setReadOnly(True)
        self.username.setToolTip(self.tr("Your login name: the console identifies you by it"))
        self.message = PlainLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Your &name"), self.name)
        form.addRow(self.tr("Username"), self.username)
        self.add_button = QPushButton(self.tr("Add me as supervisor"))
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add_me)
        column = QVBoxLayout(first)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.add_button)

        second = QWidget()
        done = PlainLabel(self.tr("You are set up as supervisor. What next?"))
        self.agents_button = QPushButton(self.tr("Add my field agents"))
        self.demo_button = QPushButton(self.tr("Load demo data (sample agents, bookings, time off)"))
        self.empty_button = QPushButton(self.tr("Start with an empty database"))
        self.agents_button.clicked.connect(lambda: self._choose(self.ADD_AGENTS))
        self.demo_button.clicked.connect(lambda: self._choose(self.LOAD_DEMO))
        self.empty_button.clicked.connect(lambda: self._choose(self.START_EMPTY))
        column2 = QVBoxLayout(second)
        for widget in (done, self.agents_button, self.demo_button, self.empty_button):
            column2.addWidget(widget)

        self.pages.addWidget(first)
        self.pages.addWidget(second)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(buttons)

    def add_me(self) -> None:
        ctx, name, username = self.console.ctx, self.name.text(), self.username.text()
        self.add_button.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: (
                operators.add_operator(ctx, name=name, username=username, role=Role.SUPERVISOR.value),
                ctx.actor(),
            )[1],
            self._added,
            self._refused,
            changes="operators",
        )

    def _added(self, actor: Any) -> None:
        self.console.actor = actor
        self.pages.setCurrentIndex(1)
        self.demo_button.setFocus()

    def _refused(self, error: Exception) -> None:
        self.add_button.setEnabled(True)
        self.message.setText(one_line(error))

    def _choose(self, choice: str) -> None:
        self.accept()
        self.chosen.emit(choice)


def _os_full_name() -> str:
    try:
        import pwd

        gecos = pwd.getpwnam(getpass.getuser()).pw_gecos.split(",")[0].strip()
        if gecos:
            return gecos
    except (ImportError, KeyError):
        pass
    return getpass.getuser()


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
        self.dialogs: list[QWidget] = []
        self.outbox_counts: dict[str, int] | None = None
        self.setObjectName("mainWindow")
        self.resize(1280, 800)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Emails failing to sign in (Office 365 retired the password) show across the top, above the tabs.
        self.email_alert = EmailAlertBanner(console)
        self.email_alert.status_message.connect(self.show_status)
        # Notifications waiting with nobody able to deliver them, on every workstation.
        self.delivery_alert = DeliveryAlertBanner(console)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.email_alert)
        column.addWidget(self.delivery_alert)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, QWidget] = {}
        self._build_pages()
        self.log_dock = self._build_log_dock()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.delivery_alert.health_changed.connect(self._health_arrived)
        self.update_title()
        self.layout_file = console.home / LAYOUT_FILE
        self._restore_layout()

        self.watcher = RevisionWatcher(console, parent=self)
        self.watcher.unreachable.connect(self._database_unreachable)
        self.watcher.reachable.connect(self._database_reachable)
        console.ops.changed.connect(self._data_changed)
        console.ops.failed.connect(self.show_status)
        console.ops.busy_changed.connect(self._busy_changed)
        self._delivering = False
        self._deliver_again = False
        self._report_delivery = False
        self.heartbeat = Heartbeat(console.ctx.db, kind="console", name=console.ctx.username)
        self.delivery_timer = QTimer(self, interval=DELIVERY_INTERVAL_MS)
        self.delivery_timer.timeout.connect(self.deliver_now)
        if live_refresh:
            self.watcher.start()
            self.email_alert.start()
            self.delivery_alert.start()
        else:
            self.email_alert.poll()
            self.delivery_alert.poll()
        if deliver:
            self.delivery_timer.start()
        self.refresh_outbox_counts()
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
        self._add_page("bookings", self.bookings_page, self.tr("&Bookings"))
        self.call_center = CallCenterPanel(console)
        self._add_page("call_center", self.call_center, self.tr("&Call-center entry"))
        optional = [
            ("board", "dispatch_desktop.ui.board", "BoardPage", self.tr("Bo&ard"), Permission.READ),
            (
                "time_off",
                "dispatch_desktop.ui.timeoff_page",
                "TimeOffPage",
                self.tr("&Time off"),
                Permission.MANAGE_TIME_OFF,
            ),
            (
                "agents",
                "dispatch_desktop.ui.agents_page",
                "AgentsPage",
                self.tr("A&gents"),
                Permission.MANAGE_AGENTS,
            ),
            (
                "operators",
                "dispatch_desktop.ui.operators_page",
                "OperatorsPage",
                self.tr("&Operators"),
                Permission.MANAGE_OPERATORS,
            ),
        ]
        for key, module, name, title, permission in optional:
            if not console.can(permission):
                continue
            page_class = optional_class(module, name)
            if page_class is not None:
                self._add_page(key, page_class(console), title)
        if console.actor.role == Role.CALL_CENTER:
            self.tabs.setCurrentWidget(self.call_center)

    def _add_page(self, key: str, page: QWidget, title: str) -> None:
        page.setObjectName(f"page_{key}")
        self.pages[key] = page
        self.tabs.addTab(page, title)
        if hasattr(page, "status_message"):
            page.status_message.connect(self.show_status)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i).replace("&", "") for i in range(self.tabs.count())]

    def show_page(self, key: str) -> bool:
        page = self.pages.get(key)
        if page is None:
            return False
        self.tabs.setCurrentWidget(page)
        return True

    def _build_log_dock(self) -> QWidget | None:
        dock_class = optional_class("dispatch_desktop.ui.log_pane", "NotificationLogDock")
        if dock_class is None:
            return None
        dock = dock_class(self.console, self)
        dock.setObjectName("notificationLog")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        if self.console.actor.role != Role.SUPERVISOR:
            dock.hide()
        return dock

    # --- actions, menus, toolbar ----------------------------------------------------------

    def _action(
        self, text: str, shortcut: QKeySequence | str | None, slot: Callable[[], Any], tip: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut) if isinstance(shortcut, str) else shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        can = self.console.can
        self.new_booking_action = self._action(
            self.tr("&New booking…"),
            QKeySequence.StandardKey.New,
            self.new_booking,
            self.tr("Create a booking"),
        )
        self.new_booking_action.setEnabled(can(Permission.CREATE_UNASSIGNED_BOOKING))
        self.call_action = self._action(
            self.tr("New &call"), "F2", self.new_call, self.tr("Take a booking during a phone call")
        )
        self.find_action = self._action(
            self.tr("&Find booking"),
            QKeySequence.StandardKey.Find,
            self.find,
            self.tr("Search by reference, customer, phone or address"),
        )
        self.refresh_action = self._action(
            self.tr("&Refresh"), QKeySequence.StandardKey.Refresh, self.refresh, self.tr("Reload every pane")
        )
        self.next_tab_action = self._action(self.tr("Ne&xt tab"), "Ctrl+Tab", lambda: self._step_tab(1))
        self.previous_tab_action = self._action(
            self.tr("Pre&vious tab"), "Ctrl+Shift+Tab", lambda: self._step_tab(-1)
        )
        self.today_action = self._action(self.tr("&Today's bookings"), "Ctrl+T", self.todays_bookings)
        self.demo_action = self._action(
            self.tr("Load &demo data"),
            None,
            self.load_demo_data,
            self.tr("Add sample agents, bookings and time off"),
        )
        self.demo_action.setEnabled(can(Permission.MANAGE_OPERATORS))
        self.settings_action = self._action(
            self.tr("&Settings…"), QKeySequence.StandardKey.Preferences, self.open_settings
        )
        self.settings_action.setEnabled(
            can(Permission.MANAGE_SETTINGS)
            and optional_class("dispatch_desktop.ui.settings_dialog", "SettingsDialog") is not None
        )
        self.deliver_action = self._action(
            self.tr("Send due &notifications now"),
            None,
            self.send_due_now,
            self.tr("Deliver what is due now"),
        )
        self.quit_action = self._action(self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        self.shortcuts_action = self._action(self.tr("&Keyboard shortcuts"), "F1", self.show_shortcuts)
        self.about_action = self._action(self.tr("&About Dispatch Desktop"), None, self.show_about)
        self.page_actions: list[QAction] = []
        for number in range(1, 10):
            action = self._action(
                self.tr("Tab {0}").format(number), f"Alt+{number}", lambda n=number: self._go_tab(n - 1)
            )
            self.page_actions.append(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.new_booking_action)
        file_menu.addAction(self.call_action)
        file_menu.addSeparator()
        file_menu.addAction(self.demo_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        bookings_menu = bar.addMenu(self.tr("&Bookings"))
        bookings_menu.addAction(self.find_action)
        bookings_menu.addAction(self.today_action)
        bookings_menu.addSeparator()
        for action in (
            self.bookings_page.assign_action,
            self.bookings_page.cancel_action,
            self.bookings_page.history_action,
        ):
            bookings_menu.addAction(action)
        self.bookings_page.cancel_action.setEnabled(self.console.can(Permission.EDIT_UNASSIGNED_BOOKING))
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.next_tab_action)
        view_menu.addAction(self.previous_tab_action)
        if self.log_dock is not None:
            toggle = self.log_dock.toggleViewAction()
            toggle.setText(self.tr("&Notification log"))
            toggle.setShortcut(QKeySequence("Ctrl+L"))
            view_menu.addAction(toggle)
        view_menu.addSeparator()
        view_menu.addAction(self.deliver_action)
        self.deliver_action.setEnabled(self.console.can(Permission.MANAGE_OUTBOX))
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.new_booking_action)
        toolbar.addAction(self.call_action)
        toolbar.addAction(self.find_action)
        toolbar.addAction(self.today_action)
        toolbar.addAction(self.refresh_action)
        if self.log_dock is not None:
            toolbar.addAction(self.log_dock.toggleViewAction())
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.database_label = PlainLabel(self.console.ctx.db.description)
        self.database_label.setObjectName("databaseLabel")
        self.database_label.setToolTip(self.tr("The shared database this console works on"))
        self.operator_label = PlainLabel()
        self.operator_label.setObjectName("operatorLabel")
        self.outbox_label = PlainLabel(self.tr("Outbox: {0}").format(NO_COUNT))
        self.outbox_label.setObjectName("outboxLabel")
        self.outbox_label.setToolTip(self.tr("Notifications queued / waiting to retry / failed"))
        self.deliverer_label = PlainLabel(NO_COUNT)
        self.deliverer_label.setObjectName("delivererLabel")
        self.deliverer_label.setToolTip(self.tr("Who delivers this workstation's notifications, last seen"))
        self.badge = PlainLabel()
        self.badge.setObjectName("environmentBadge")
        self.demo_badge = PlainLabel(self.tr("DEMO DATA"))
        self.demo_badge.setStyleSheet(DEMO_BADGE)
        self.demo_badge.setVisible(self.demo_mode)
        self.busy = QProgressBar()
        self.busy.setObjectName("busyIndicator")
        self.busy.setMaximumWidth(140)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        bar.addWidget(self.database_label)
        bar.addWidget(self.operator_label)
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.deliverer_label)
        bar.addPermanentWidget(self.outbox_label)
        bar.addPermanentWidget(self.demo_badge)
        bar.addPermanentWidget(self.badge)
        self.update_badge()
        self.update_operator()

    # --- status bar -----------------------------------------------------------------------

    def update_title(self) -> None:
        actor = self.console.actor
        demo_note = self.tr(" [demo]") if self.demo_mode else ""
        self.setWindowTitle(
            self.tr("Dispatch Desktop{0} — {1} ({2}) — {3}").format(
                demo_note, actor.name, actor.role.value, self.console.ctx.db.description
            )
        )

    def update_operator(self) -> None:
        actor = self.console.actor
        note = self.tr(" — no operators yet, acting as supervisor") if actor.bootstrap else ""
        self.operator_label.setText(
            self.tr("{0} ({1}) · {2}{3}").format(actor.name, actor.username, actor.role.value, note)
        )

    def environment(self) -> EnvironmentBadge:
        return environment_badge(self.console.config)

    def update_badge(self) -> None:
        badge = self.environment()
        text = badge.tag
        if badge.warning:
            text = self.tr("{0} · {1}").format(badge.tag, badge.warning)
        elif badge.decided_by_flask_env:
            text = self.tr("{0} · set by FLASK_ENV").format(badge.tag)
        elif badge.production:
            text = self.tr("PROD — messages are sent to customers")
        self.badge.setText(text)
        self.badge.setToolTip(plain_tip(self.tr("Notifications: {0}").format(badge.description)))
        self.badge.setStyleSheet(
            alert_badge_style(self.palette())
            if badge.warning
            else badge_style(badge.production, self.palette())
        )
        self.badge.setProperty("production", badge.production)

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8_000)

    def refresh_outbox_counts(self) -> None:
        ctx = self.console.ctx
        run_for(
            self, self.console.ops, lambda: outbox.status_counts(ctx), self._counts_arrived, lambda _e: None
        )

    def _counts_arrived(self, counts: dict[str, int]) -> None:
        self.outbox_counts = counts
        queued, retry = counts.get(OutboxStatus.QUEUED, 0), counts.get(OutboxStatus.RETRY, 0)
        failed = counts.get(OutboxStatus.FAILED, 0) + counts.get(OutboxStatus.UNKNOWN, 0)
        self.outbox_label.setText(
            self.tr("Outbox: {0} queued · {1} retry · {2} failed").format(queued, retry, failed)
        )
        self.outbox_label.setStyleSheet("color: #c62828; font-weight: 600;" if failed else "")

    def _health_arrived(self, health: DeliveryHealth) -> None:
        self.deliverer_label.setText(health.deliverer)
        self.deliverer_label.setStyleSheet(
            "color: #c62828; font-weight: 600;" if health.deliverer_missing else ""
        )

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            if not self._busy_timer.isActive() and not self.busy.isVisible():
                self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy.hide()
            self.busy.setRange(0, 0)

    def _show_busy(self) -> None:
        if self.console.ops.running:
            self.busy.setRange(0, 0)
            self.busy.show()

    def progress(self, done: int, total: int) -> None:
        """Determinate progress for long work (big loads, demo data, bulk retries)."""
        self.busy.setRange(0, max(1, total))
        self.busy.setValue(done)
        self.busy.show()

    def _database_unreachable(self, message: str) -> None:
        self.database_label.setText(
            self.tr("{0} — unreachable, retrying").format(self.console.ctx.db.description)
        )
        self.database_label.setStyleSheet("color: #c62828; font-weight: 600;")
        self.database_label.setToolTip(plain_tip(message))

    def _database_reachable(self) -> None:
        self.database_label.setText(self.console.ctx.db.description)
        self.database_label.setStyleSheet("")
        self.console.ops.changed.emit("*")

    def _data_changed(self, what: str) -> None:
        if what in ("*", "bookings", "outbox", "time_off"):
            self.refresh_outbox_counts()
        if what in ("*", "operators"):
            ctx = self.console.ctx
            run_for(self, self.console.ops, ctx.actor, self._actor_arrived, lambda _e: None)
        if what in ("*", "settings"):
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

    def find(self) -> None:
        self.show_page("bookings")
        self.bookings_page.focus_search()

    def todays_bookings(self) -> None:
        self.show_page("bookings")
        self.bookings_page.show_today()

    def refresh(self) -> None:
        self.console.ops.changed.emit("*")
        self.show_status(self.tr("Refreshed"))

    def _step_tab(self, step: int) -> None:
        count = self.tabs.count()
        if count:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def _go_tab(self, index: int) -> None:
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)

    def send_due_now(self) -> None:
        """The menu command: deliver now, and say in the status bar what the run did."""
        self._report_delivery = True
        if self._delivering:
            self._deliver_again = True  # the timer's run may have started before the rows were due
            return
        self.deliver_now()

    def deliver_now(self) -> None:
        if self._delivering:
            return
        self._delivering = True
        console, heartbeat = self.console, self.heartbeat
        run_for(
            self,
            self.console.ops,
            lambda: deliver_outbox(console.ctx, console.config, console.home, heartbeat=heartbeat),
            self._delivered,
            self._delivery_failed,
            quiet=True,  # the delivery timer's work: slow servers must not animate the busy bar
        )

    def _delivered(self, report: Any) -> None:
        self._delivering = False
        if report.processed or report.held:
            self.console.ops.changed.emit("outbox")
        self._after_delivery(report.summary())

    def _delivery_failed(self, error: Exception) -> None:
        self._delivering = False
        log.warning("notification delivery failed: %s", one_line(error))
        self._after_delivery(self.tr("Notifications not delivered: {0}").format(one_line(error)))

    def _after_delivery(self, summary: str) -> None:
        if self._deliver_again:
            self._deliver_again = False
            self.deliver_now()
        elif self._report_delivery:
            self._report_delivery = False
            self.show_status(summary)

    def load_demo_data(self) -> None:
        from dispatch_desktop.services import demo  # only when asked: not part of every start-up

        ctx = self.console.ctx
        self.show_status(self.tr("Loading demo data…"))
        self.demo_action.setEnabled(False)
        run_for(
            self,
            self.console.ops,
            lambda: demo.load_demo_data(ctx, os_name=_os_full_name()),
            lambda summary: self.show_status(
                self.tr("Demo data loaded: {0} agents, {1} bookings").format(summary.agents, summary.bookings)
            ),
            lambda error: self._keep(show_error(self, error)),
            changes="*",
        )

    def open_settings(self) -> QDialog | None:
        dialog_class = optional_class("dispatch_desktop.ui.settings_dialog", "SettingsDialog")
        if dialog_class is None:
            return None
        dialog = dialog_class(self.console, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self.console.ops.changed.emit("settings"))
        dialog.open()
        return self._keep(dialog)

    def show_shortcuts(self) -> None:
        lines = [
            self.tr("Ctrl+N\tNew booking"),
            self.tr("F2\tNew call (call-center entry)"),
            self.tr("Ctrl+F\tFind a booking"),
            self.tr("Ctrl+T\tToday's bookings"),
            self.tr("F5\tRefresh"),
            self.tr("Ctrl+Tab / Ctrl+Shift+Tab\tNext / previous tab"),
            self.tr("Alt+1 … Alt+9\tGo to tab"),
            self.tr("Ctrl+G\tAssign the selected booking"),
            self.tr("Ctrl+H\tHistory of the selected booking"),
            self.tr("Enter\tOpen the selected booking"),
            self.tr("Ctrl+S or Enter\tSave a form; Esc cancels"),
            self.tr("Ctrl+L\tShow or hide the notification log"),
            self.tr("Ctrl+Q\tQuit"),
        ]
        self._keep(TextDialog(self.tr("Keyboard shortcuts"), "\n".join(lines), self)).open()

    def show_about(self) -> None:
        text = self.tr("Dispatch Desktop {0}\n\nDatabase: {1}\nHome: {2}\nNotifications: {3}").format(
            __version__, self.console.ctx.db.description, self.console.home, self.environment().description
        )
        self._keep(TextDialog(self.tr("About Dispatch Desktop"), text, self)).open()

    def _keep(self, widget: QWidget) -> QWidget:
        self.dialogs = [d for d in self.dialogs if is_alive(d) and d.isVisible()]
        self.dialogs.append(widget)
        return widget

    # --- first run ------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
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
        self.welcome.finished.connect(lambda _r: (self.update_title(), self.update_operator()))
        self.welcome.open()

    def _welcome_chosen(self, choice: str) -> None:
        self.update_title()
        self.update_operator()
        if choice == WelcomeDialog.LOAD_DEMO:
            self.load_demo_data()
        elif choice == WelcomeDialog.ADD_AGENTS and self.show_page("agents"):
            add = getattr(self.pages["agents"], "add", None)
            if add is not None:
                add()

    def _layout_settings(self) -> QSettings:
        return QSettings(str(self.layout_file), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        if not self.layout_file.exists():
            return
        stored = self._layout_settings()
        geometry, state = stored.value("geometry"), stored.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        tab = stored.value("tab")
        if isinstance(tab, str) and self.console.actor.role != Role.CALL_CENTER:
            self.show_page(tab)

    def save_layout(self) -> None:
        stored = self._layout_settings()
        stored.setValue("geometry", self.saveGeometry())
        stored.setValue("state", self.saveState())
        current = next((key for key, page in self.pages.items() if page is self.tabs.currentWidget()), None)
        if current:
            stored.setValue("tab", current)
        stored.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        try:
            self.save_layout()
        except OSError as exc:  # a read-only home must not stop the window from closing
            log.warning("could not save the window layout: %s", exc)
        self.watcher.stop()
        self.email_alert.stop()
        self.delivery_alert.stop()
        self.delivery_timer.stop()
        detach = getattr(self.log_dock, "detach", None)
        if detach is not None:
            detach()
        super().closeEvent(event)
