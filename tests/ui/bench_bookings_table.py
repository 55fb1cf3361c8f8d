"""How quickly the bookings table shows its first rows on a big database.

    python -m tests.ui.bench_bookings_table [N]     (default 100 000 bookings, SQLite in a temp dir)

Prints: bulk insert time, time to the id list (row count known), time to the first visible
page of rows, time for a server-side re-sort, a scroll to the middle, and the longest the UI
thread went without handling events meanwhile. Set DISPATCH_BENCH_DATABASE_URL to measure on
another database (PostgreSQL, or a SQLite file kept between runs: rows are only added when it
has fewer than N bookings).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from dispatch_desktop.config import Config
from dispatch_desktop.services.bookings import BookingQuery, count_bookings
from dispatch_desktop.services.workstation import open_database_url
from dispatch_desktop.ui.bookings.model import PLACEHOLDER
from dispatch_desktop.ui.bookings.page import BookingsPage
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.operations import Operations
from tests.bench.bulk import generate_bookings


class UiWatchdog:
    """Ticks every 5 ms on the UI thread; the longest gap is how long the window froze."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now


def wait(condition, timeout: float = 120.0) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError
        QApplication.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - start


def main(n: int) -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DISPATCH_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
        ctx = open_database_url(url, "bench")
        missing = n - count_bookings(ctx, BookingQuery())
        if missing > 0:
            started = time.perf_counter()
            generate_bookings(ctx, missing)
            print(f"insert {missing} bookings: {time.perf_counter() - started:.1f} s")
        console = ConsoleContext(
            ctx=ctx, ops=Operations(), home=Path(tmp), config=Config(), actor=ctx.actor()
        )
        page = BookingsPage(console)
        page.resize(1400, 900)
        started = time.perf_counter()
        page.show()
        model = page.model
        for _ in range(5):  # let the first show and paint happen; the id list is still loading
            QApplication.processEvents()
        watchdog = UiWatchdog()
        wait(lambda: model.loads >= 1)
        ids_at = time.perf_counter() - started
        wait(lambda: model.index(0, 0).data() != PLACEHOLDER)
        print(
            f"ids ({model.rowCount()} rows): {ids_at * 1000:.0f} ms; "
            f"first rows on screen: {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        started = time.perf_counter()
        page.proxy.sort(2, Qt.SortOrder.DescendingOrder)
        wait(lambda: model.loads >= 2)
        wait(lambda: model.index(0, 0).data() != PLACEHOLDER)
        print(f"re-sort by customer (database): {(time.perf_counter() - started) * 1000:.0f} ms")
        middle = model.rowCount() // 2
        started = time.perf_counter()
        page.table.scrollTo(page.proxy.index(middle, 0))
        wait(lambda: model.index(middle, 0).data() != PLACEHOLDER)
        print(
            f"jump to row {middle}: {(time.perf_counter() - started) * 1000:.0f} ms; "
            f"cached rows: {model.cache_size}"
        )
        print(f"longest UI-thread stall while loading: {watchdog.longest * 1000:.0f} ms")
        page.close()
        QThreadPool.globalInstance().waitForDone()
        ctx.db.dispose()
    del app


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
