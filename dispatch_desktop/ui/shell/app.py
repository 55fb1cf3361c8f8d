"""Starting the console: the application, its window, then the database (opened on a worker) and the tabs.

The window shows first (shell/opening.py), before the services and SQLAlchemy are imported: they
load on the worker that opens the database, because a PostgreSQL server may take seconds to
answer and the window must stay responsive meanwhile. The main window with the operator's tabs
then takes its place. Problems (unreachable server, schema out of date, unknown operator) are
shown in the window and as a dialog over it with the one-line reason and a Retry button.
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from dispatch_desktop import __version__
from dispatch_desktop.config import Config, ResourcesUnavailableError, load_config, resolve_home, resources
from dispatch_desktop.domain.errors import (
    DatabasePasswordNeededError,
    DatabaseUnavailableError,
    DispatchError,
    PermissionDeniedError,
)
from dispatch_desktop.ui.kit.lifetime import MainThreadGarbageCollector, keep_startup_objects
from dispatch_desktop.ui.kit.operations import Operations, one_line
from dispatch_desktop.ui.kit.plain import message_box
from dispatch_desktop.ui.shell.login_dialog import LoginDialog
from dispatch_desktop.ui.shell.opening import OpeningWindow

if TYPE_CHECKING:  # loaded once the window shows (see the module's text)
    from dispatch_desktop.services.context import Actor, ServiceContext
    from dispatch_desktop.ui.shell.main_window import MainWindow

APP_NAME = "Dispatch Desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def tr(text: str) -> str:
    return QCoreApplication.translate("app", text)


def application_icon() -> QIcon:
    icon = QIcon()
    try:
        folder = resources() / "icons"
    except ResourcesUnavailableError:  # the window still opens; --self-check and the first message say why
        return icon
    for size in ICON_SIZES:
        entry = folder / f"dispatch-desktop-{size}.png"
        pixmap = QPixmap()
        if entry.is_file() and pixmap.loadFromData(entry.read_bytes()):
            icon.addPixmap(pixmap)
    return icon


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("dispatch-desktop")
    app.setDesktopFileName("dispatch-desktop")
    icon = application_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    if app.findChild(MainThreadGarbageCollector) is None:
        MainThreadGarbageCollector(app)
    return app


@dataclass(frozen=True)
class Opened:
    ctx: "ServiceContext"
    actor: "Actor"
    loaded_demo: bool
    window_type: type["MainWindow"]


class Launcher(QObject):
    """Resolves home, config and database like the command line, then builds the window."""

    opened = Signal(object)  # MainWindow
    failed = Signal(str)

    def __init__(
        self, args: argparse.Namespace, ops: Operations | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.args = args
        self.ops = ops or Operations(parent=self)
        self.demo = bool(getattr(args, "demo", False))
        given_home = getattr(args, "home", None)
        if self.demo:
            from dispatch_desktop.services.workstation import demo_home

            # Never the real home: an empty one would be filled with sample data.
            self.home: Path = demo_home(resolve_home(given_home) if given_home else None)
        else:
            self.home = resolve_home(given_home)
        self.config: Config | None = None
        self.window: MainWindow | None = None
        self.frame = OpeningWindow(self.home)
        self.frame.setWindowTitle(
            tr("Opening {0}").format(tr("the demo database") if self.demo else self.home)
        )
        self.frame.quit_requested.connect(self._quit_while_opening)
        self.error_box: QMessageBox | None = None
        self.login_dialog: LoginDialog | None = None
        self.exit_code = 1
        self.quit_on_give_up = False  # run_console sets it: closing the error box ends the program

    def start(self) -> None:
        self.frame.say(tr("Opening the database…"), tr("Home folder: {0}").format(self.home))
        self.frame.show()
        try:
            self.config = load_config(self.home)
        except DispatchError as exc:
            self._fail(exc)
            return
        home, config, demo_mode = self.home, self.config, self.demo
        url = getattr(self.args, "database_url", None)
        operator = getattr(self.args, "operator", None)

        def work() -> Opened:
            # Here, on the worker: these imports (SQLAlchemy, the models) are most of the wait.
            from dispatch_desktop.services import operators
            from dispatch_desktop.services.workstation import (
                close_workstation,
                open_workstation,
                start_notification_log,
            )

            # The main window's modules too (they define classes, create no Qt objects): on the UI
            # thread their import stalled the window ~250 ms, here it shares the GIL 5 ms at a time.
            from dispatch_desktop.ui.shell.main_window import MainWindow

            start_notification_log(home, config)
            ctx = open_workstation(home, None if demo_mode else url, operator, config)
            try:
                loaded = False
                if demo_mode and not operators.has_operators(ctx):
                    from dispatch_desktop.services import demo  # only here: not part of every start-up
                    from dispatch_desktop.ui.shell.welcome import os_full_name

                    demo.load_into_demo_home(ctx, home, os_name=os_full_name())
                    loaded = True
                return Opened(ctx, ctx.actor(), loaded, MainWindow)
            except BaseException:
                close_workstation(ctx)  # a Retry opens a fresh connection pool
                raise

        self.ops.run(work, self._opened, self._fail)

    def _opened(self, opened: Opened) -> None:
        from dispatch_desktop.services.workstation import file_warnings
        from dispatch_desktop.ui.kit.console import ConsoleContext

        assert self.config is not None
        console = ConsoleContext(
            ctx=opened.ctx, ops=self.ops, home=self.home, config=self.config, actor=opened.actor
        )
        self.window = opened.window_type(console, demo_mode=self.demo)
        self.frame.hand_over(self.window)
        if opened.loaded_demo:
            self.window.show_status(tr("Demo data loaded into {0}").format(self.home))
        warnings = file_warnings(
            self.home, self.config, None if self.demo else getattr(self.args, "database_url", None)
        )
        if warnings:
            self.window.show_status(tr("Warning: {0}").format(warnings[0]))
        self.opened.emit(self.window)

    def _ask_password(self, error: DatabasePasswordNeededError) -> None:
        """Ask for the database password, keep it in the keyring once the server takes it, start again."""
        from dispatch_desktop.services import workstation

        home, config = self.home, self.config or load_config(self.home)
        url = getattr(self.args, "database_url", None)
        where = workstation.login_url(home, config, url).render_as_string(hide_password=True)
        self.frame.say(tr("The database asks for a password"), where)
        dialog = LoginDialog(where, self.frame)
        self.login_dialog = dialog

        def answered(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                self._fail(DatabaseUnavailableError(str(error)), ask=False)
                return
            password = dialog.password()
            self.ops.run(
                lambda: workstation.store_login(home, config, password, url),
                lambda _where: self.start(),
                self._fail,
            )

        dialog.finished.connect(answered)
        dialog.open()

    def _fail(self, error: Exception, *, ask: bool = True) -> None:
        if ask and isinstance(error, DatabasePasswordNeededError):
            self._ask_password(error)
            return
        self.exit_code = getattr(error, "exit_code", 1)
        message = one_line(error)
        title = tr("Dispatch Desktop cannot start")
        box = message_box(self.frame, QMessageBox.Icon.Critical, title, message)
        if isinstance(error, PermissionDeniedError):
            what_to_do = tr("Ask a supervisor to add you as an operator, or start with --as USERNAME.")
        else:
            what_to_do = tr("Home folder: {0}").format(self.home)
        box.setInformativeText(what_to_do)
        self.frame.say(title, f"{message}\n\n{what_to_do}", message)
        box.setStandardButtons(QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close)
        box.setDefaultButton(QMessageBox.StandardButton.Retry)
        box.finished.connect(lambda result: self._after_error(result))
        self.error_box = box
        self.failed.emit(message)
        box.open()

    def _after_error(self, result: int) -> None:
        if result == QMessageBox.StandardButton.Retry:
            self.start()
        elif self.quit_on_give_up:
            QApplication.exit(self.exit_code)

    def _quit_while_opening(self) -> None:
        if self.quit_on_give_up:
            QApplication.exit(self.exit_code if self.error_box is not None else 0)


def run_console(args: argparse.Namespace) -> int:
    """The window on the configured database (or the demo home with --demo); returns the exit code."""
    app = make_application()
    launcher = Launcher(args)
    launcher.quit_on_give_up = True
    # Until the main window is up, closing the opening window (it quits) or an error box must not
    # end the program by itself.
    app.setQuitOnLastWindowClosed(False)
    launcher.opened.connect(lambda _window: app.setQuitOnLastWindowClosed(True))
    launcher.opened.connect(lambda _window: keep_startup_objects())
    launcher.start()
    code = app.exec()
    if launcher.window is not None:
        launcher.window.console.ctx.db.dispose()
    return code
