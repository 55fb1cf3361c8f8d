"""Cold start, as `dispatch-desktop --home H --database-url URL` would run, timed from outside.

    python -m tests.bench.coldstart_runner console HOME URL   # the real console
    python -m tests.bench.coldstart_runner minimal            # an empty QMainWindow: the floor

Prints `SHOWN <time.time()>` once the console's window has been shown and its first frame
processed (the opening window, shell/opening.py, for the console), `TABS <time.time()>` once the
main window with the operator's tabs has taken its place, then `ROWS <time.time()>` when the
Bookings tab shows its first rows (or the table is known to be empty), and exits. `GAP <ms>` is the
longest the UI thread left a 5 ms heartbeat waiting from the window's show to the tabs (the
window cannot repaint or answer meanwhile). The parent notes time.time() just before starting the process.
"""

import itertools
import os
import sys
import time
from typing import Any

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
        for mark in ("SHOWN", "TABS", "ROWS"):
            print(f"{mark} {time.time()}", flush=True)
        print("GAP 0", flush=True)
        os._exit(0)

    QTimer.singleShot(0, shown)
    app.exec()


def console(home: str, url: str) -> None:
    # As the `dispatch-desktop` script starts the console: the command line's console path, which
    # loads neither the commands nor the services, then Qt. PySide6 reads the source of every module
    # imported after it (its `__feature__` check), so the order is part of the cost.
    from dispatch_desktop.cli import main  # isort: skip

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from dispatch_desktop.ui.shell.opening import OpeningWindow

    shown_once = OpeningWindow.showEvent
    hand_over = OpeningWindow.hand_over
    beats: list[float] = []
    heartbeat = QTimer(interval=5)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))

    def first_frame_after(mark: str, window: QMainWindow) -> None:
        QTimer.singleShot(0, window, lambda: print(f"{mark} {time.time()}", flush=True))

    def show_event(self: Any, event: Any) -> None:
        shown_once(self, event)
        if not getattr(self, "timed", False):
            self.timed = True
            first_frame_after("SHOWN", self)
            beats.append(time.perf_counter())
            heartbeat.start()

    def handed_over(self: Any, window: Any) -> None:
        window.first_run_check = False  # the welcome dialog is not part of showing the window
        beats.append(time.perf_counter())  # building the main window is part of the wait
        heartbeat.stop()
        print(f"GAP {max(b - a for a, b in itertools.pairwise(beats)) * 1000}", flush=True)
        hand_over(self, window)
        first_frame_after("TABS", window)
        model = window.bookings_page.model

        def check_rows() -> None:
            if model.loads and (not model.ids or model.cached(model.ids[0]) is not None):
                print(f"ROWS {time.time()}", flush=True)
                _done()

        rows_timer = QTimer(window, interval=2)
        rows_timer.timeout.connect(check_rows)
        rows_timer.start()

    OpeningWindow.showEvent = show_event
    OpeningWindow.hand_over = handed_over
    QTimer.singleShot(60_000, lambda: (print("TIMEOUT", flush=True), QApplication.exit(1)))
    sys.exit(main(["--home", home, "--database-url", url]))


if __name__ == "__main__":
    if sys.argv[1] == "minimal":
        minimal()
    else:
        console(sys.argv[2], sys.argv[3])
