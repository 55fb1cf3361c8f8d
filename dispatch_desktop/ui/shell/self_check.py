"""`dispatch-desktop --self-check`: open the real window, check the installation, report, exit.

Used by CI on the built app: it proves the bundle starts, finds its resources and
migrations, and can reach its database and keyring, without anyone at the screen.
"""

import argparse
import sys
import time

from PySide6.QtCore import QTimer

from dispatch_desktop.services.self_check import Check, run_checks
from dispatch_desktop.ui.shell.app import Launcher, make_application
from dispatch_desktop.ui.shell.main_window import MainWindow

GIVE_UP_AFTER_MS = 60_000


def run_self_check(args: argparse.Namespace) -> int:
    app = make_application()
    app.setQuitOnLastWindowClosed(False)
    launcher = Launcher(args)
    started = time.monotonic()
    checks: list[Check] = []

    def finish(extra: list[Check]) -> None:
        checks.extend(extra)
        print(f"dispatch-desktop self-check ({launcher.home})")
        for check in checks:
            print(f"  {check.line()}")
        failed = [c.name for c in checks if not c.ok]
        print("result: " + (f"FAILED ({', '.join(failed)})" if failed else "ok"))
        sys.stdout.flush()
        app.exit(1 if failed else 0)

    def opened(window: MainWindow) -> None:
        seconds = time.monotonic() - started
        checks.append(Check("window", window.isVisible(), f"main window shown in {seconds:.2f} s"))
        ctx = window.console.ctx
        launcher.ops.run(
            lambda: run_checks(ctx), finish, lambda exc: finish([Check("checks", False, str(exc))])
        )

    launcher.opened.connect(opened)
    launcher.failed.connect(lambda message: finish([Check("start", False, message)]))
    QTimer.singleShot(GIVE_UP_AFTER_MS, lambda: finish([Check("window", False, "not shown within 60 s")]))
    launcher.start()
    code = app.exec()
    if launcher.window is not None:
        launcher.window.close()
        launcher.window.console.ctx.db.dispose()
    return code
