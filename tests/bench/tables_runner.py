"""One big-table measurement in a fresh process, so its peak RSS is its own.

    python -m tests.bench.tables_runner URL lazy|naive

lazy: the console's Bookings tab (BookingsPage: BookingsModel holding ids, pages fetched on workers).
naive: a QTableWidget filled with every booking up front (list_bookings, one item per cell).
Prints `RESULT {json}` with milliseconds for first rows painted, a text filter and scrolling to
the end, and the peak RSS in MB.
"""

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


def pin_immortals() -> None:
    """Only under PySide6 6.12.0 on CPython 3.11 (the project now pins <6.12): its wrappers of void
    methods (processEvents, QThreadPool.start, QTableWidget.setItem, ...) return None without a
    new reference and waitForDone does the same with True/False, so after some thousands of
    calls Python aborts with "none_dealloc". Raise those refcounts once so a measurement can
    finish. (3.12+ made these objects immortal.)"""
    import ctypes

    import PySide6

    if sys.version_info < (3, 12) and PySide6.__version__.startswith("6.12."):
        for obj in (None, True, False):
            ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


pin_immortals()

from PySide6.QtCore import QEvent, QObject, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem, QWidget  # noqa: E402

from dispatch_desktop.config import Config  # noqa: E402
from dispatch_desktop.services import bookings  # noqa: E402
from dispatch_desktop.services.bookings import BookingQuery  # noqa: E402
from dispatch_desktop.services.context import ServiceContext  # noqa: E402
from dispatch_desktop.storage.engine import Database  # noqa: E402
from dispatch_desktop.ui.kit.console import ConsoleContext  # noqa: E402
from dispatch_desktop.ui.kit.operations import Operations  # noqa: E402

SEARCH = "kowalski"
TIMEOUT = float(os.environ.get("DISPATCH_BENCH_STEP_TIMEOUT", "600"))


class PaintClock(QObject):
    """Notes the first paint of the watched widget at which `ready()` holds: the data is on screen."""

    def __init__(self) -> None:
        super().__init__()
        self.ready: Callable[[], bool] | None = None
        self.shown_at: float | None = None

    def watch(self, ready: Callable[[], bool]) -> None:
        self.ready, self.shown_at = ready, None

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        watching = self.ready is not None and self.shown_at is None
        if watching and event.type() == QEvent.Type.Paint and self.ready():  # type: ignore[misc]
            self.shown_at = time.perf_counter()
        return False


def spin_until(app: QApplication, done: Callable[[], bool], what: str) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not done():
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        time.sleep(0.0005)


def painted_after(
    app: QApplication, clock: PaintClock, ready: Callable[[], bool], what: str, view: QWidget
) -> float:
    """Wait for the first paint that shows what `ready()` describes; return its time."""
    clock.watch(ready)
    view.update()
    spin_until(app, lambda: clock.shown_at is not None, what)
    assert clock.shown_at is not None
    return clock.shown_at


def lazy(app: QApplication, db: Database) -> dict[str, float]:
    from dispatch_desktop.ui.bookings.page import BookingsPage

    ctx = ServiceContext(db, "bench")
    console = ConsoleContext(ctx=ctx, ops=Operations(), home=Path("/tmp"), config=Config(), actor=ctx.actor())
    total = bookings.count_bookings(ctx, BookingQuery())
    clock = PaintClock()
    started = time.perf_counter()
    page = BookingsPage(console)
    page.table.viewport().installEventFilter(clock)
    page.resize(1280, 800)
    page.show()
    model = page.model

    def first_row_shown() -> bool:
        booking_id = model.booking_id(0)
        return model.loads > 0 and booking_id is not None and model.cached(booking_id) is not None

    first = painted_after(app, clock, first_row_shown, "first rows", page.table.viewport()) - started
    rows = total

    loads = model.loads
    page.filters.search.setText(SEARCH)
    started = time.perf_counter()
    page.apply_filters()  # what Enter does; typing waits SEARCH_DELAY_MS first, on purpose
    filtered = (
        painted_after(
            app,
            clock,
            lambda: model.loads > loads and (not model.ids or model.cached(model.ids[0]) is not None),
            "filter",
            page.table.viewport(),
        )
        - started
    )
    matches = len(model.ids)

    loads = model.loads
    page.filters.search.setText("")
    page.apply_filters()
    # Scroll only once the whole id list is in: a model that shows its first page first would
    # otherwise scroll to the end of that page.
    spin_until(
        app,
        lambda: model.loads > loads and len(model.ids) == total and model.cached(model.ids[0]) is not None,
        "unfilter",
    )
    started = time.perf_counter()
    page.table.scrollToBottom()
    last = len(model.ids) - 1
    scrolled = (
        painted_after(
            app, clock, lambda: model.cached(model.ids[last]) is not None, "scroll", page.table.viewport()
        )
        - started
    )
    QThreadPool.globalInstance().waitForDone(30_000)
    return {"first": first, "filter": filtered, "scroll": scrolled, "rows": rows, "matches": matches}


def naive(app: QApplication, db: Database) -> dict[str, float]:
    """What a first version would do: load every booking, one QTableWidgetItem per cell, on the UI thread."""
    ctx = ServiceContext(db, "bench")
    clock = PaintClock()
    started = time.perf_counter()
    views = bookings.list_bookings(ctx, BookingQuery())
    settings = ctx.team_settings()
    headers = ["Reference", "Start", "Customer", "Phone", "Address", "Service", "Agent", "Status", "Source"]
    table = QTableWidget(len(views), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.viewport().installEventFilter(clock)
    texts = []
    for row, v in enumerate(views):
        cells = (
            v.reference,
            settings.local(v.start),
            v.customer_name,
            v.customer_phone,
            v.address,
            v.service,
            v.agent_name or "unassigned",
            v.status,
            v.source,
        )
        texts.append(" ".join((cells[0], cells[2], cells[3], cells[4])).lower())
        for column, value in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(value))
    table.resize(1280, 800)
    table.show()
    first = painted_after(app, clock, lambda: True, "first rows", table.viewport()) - started

    started = time.perf_counter()
    matches = 0
    for row, line in enumerate(texts):
        hit = SEARCH in line
        matches += hit
        table.setRowHidden(row, not hit)
    filtered = painted_after(app, clock, lambda: True, "filter", table.viewport()) - started
    for row in range(table.rowCount()):
        table.setRowHidden(row, False)
    app.processEvents()
    started = time.perf_counter()
    table.scrollToBottom()
    scrolled = painted_after(app, clock, lambda: True, "scroll", table.viewport()) - started
    return {"first": first, "filter": filtered, "scroll": scrolled, "rows": len(views), "matches": matches}


def main() -> None:
    url, kind = sys.argv[1], sys.argv[2]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = Database(url)
    profiler = None
    if os.environ.get("DISPATCH_BENCH_PROFILE"):  # pyinstrument's view of the UI thread, on stderr
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    result = (lazy if kind == "lazy" else naive)(app, db)  # type: ignore[arg-type]
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False), file=sys.stderr, flush=True)
    result = {k: (v * 1000 if k in ("first", "filter", "scroll") else v) for k, v in result.items()}
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db.dispose()
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)  # skip Qt teardown of a million items


if __name__ == "__main__":
    main()
