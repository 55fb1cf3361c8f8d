"""Cold start, as `dispatch-desktop --home H --database-url URL` would run, timed from outside.

    python -m tests.bench.coldstart_runner console HOME URL   # the real console
    python -m tests.bench.coldstart_runner minimal            # an empty QMainWindow: the floor

Prints `SHOWN <time.time()>` once the main window has been shown and its first frame
processed, then `ROWS <time.time()>` when the Bookings tab shows its first rows (or the table is
known to be empty), and exits. The parent notes time.time() just before starting the process.
"""

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

PROFILER = None
if os.environ.get("DISPATCH_BENCH_PROFILE"):  # pyinstrument's view of start-up, on stderr at the end
    from pyinstrument import Profiler

    PROFILER = Profiler(interval=0.0005)
    PROFILER.start()


def _done() -> None:
    if PROFILER is not None:
        PROFILER.stop()
        print(PROFILER.output_text(unicode=False, color=False, show_all=False), file=sys.stderr, flush=True)
    os._exit(0)


def minimal() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()

    def shown() -> None:
        print(f"SHOWN {time.time()}", flush=True)
        print(f"ROWS {time.time()}", flush=True)
        os._exit(0)

    QTimer.singleShot(0, shown)
    app.exec()


def console(home: str, url: str) -> None:
    # In the order the `dispatch-desktop` script imports them: the command line (and with it the
    # services and SQLAlchemy) first, Qt only once the console starts. PySide6 reads the source of
    # every module imported after it (its `__feature__` check), so the order is part of the cost.
    from dispatch_desktop.cli import main  # isort: skip

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import dispatch_desktop.ui.shell.app as app_module

    base = app_module.MainWindow

    class TimedMainWindow(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs["first_run_check"] = False  # the welcome dialog is not part of showing the window
            super().__init__(*args, **kwargs)
            self._timed = False

        def showEvent(self, event: object) -> None:
            super().showEvent(event)  # type: ignore[arg-type]
            if not self._timed:
                self._timed = True
                QTimer.singleShot(0, self._first_frame)

        def _first_frame(self) -> None:
            print(f"SHOWN {time.time()}", flush=True)
            self._rows_timer = QTimer(self, interval=2)
            self._rows_timer.timeout.connect(self._check_rows)
            self._rows_timer.start()

        def _check_rows(self) -> None:
            model = self.bookings_page.model
            if model.loads and (not model.ids or model.cached(model.ids[0]) is not None):
                print(f"ROWS {time.time()}", flush=True)
                _done()

    app_module.MainWindow = TimedMainWindow
    QTimer.singleShot(60_000, lambda: (print("TIMEOUT", flush=True), QApplication.exit(1)))
    sys.exit(main(["--home", home, "--database-url", url]))


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        console(sys.argv[2], sys.argv[3])
