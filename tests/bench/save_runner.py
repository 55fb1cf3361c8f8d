"""Benchmark 1 in its own process: `python -m tests.bench.save_runner DB_URL SAVES NAIVE_SAVES [QUIET_SAVES]`.

QUIET_SAVES more console saves run with the status bar's animated busy bar switched off
(a what-if for the stall it causes while delivery runs).

FLASK_ENV=production and the TWILIO_*/SMTP_* variables point at the slow local servers (set by
bench_save). The console's main window is shown offscreen; each save goes through the real
booking form (Save button logic), then the console delivers the outbox on its worker pool.

UI-thread busy time = CPU time of the UI thread (time.thread_time) from Save until the new row
is painted in the Bookings tab, plus, for the naive handler, the wall time it blocks on the
network. Waiting for the paint blocks in the event loop, so the measuring costs next to nothing.
A 5 ms heartbeat QTimer on the UI thread gives the longest stall until all four notifications
are out (that includes time the UI thread waits for the GIL held by delivery threads).
The naive variant creates the booking and sends the four notifications one by one on the UI
thread (the seed's send_sms/send_email shape: a new SMTP connection per email), then refreshes.
Prints `RESULT {json}`.
"""

import json
import os
import smtplib
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from tests.bench.tables_runner import pin_immortals

pin_immortals()

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import select  # noqa: E402

from dispatch_desktop.config import Config  # noqa: E402
from dispatch_desktop.notify import credentials  # noqa: E402
from dispatch_desktop.notify.smtp_sender import build_message, new_message_id  # noqa: E402
from dispatch_desktop.notify.twilio_sender import TwilioSender  # noqa: E402
from dispatch_desktop.services import agents, bookings, team_settings  # noqa: E402
from dispatch_desktop.services.context import ServiceContext  # noqa: E402
from dispatch_desktop.storage.engine import Database  # noqa: E402
from dispatch_desktop.storage.models import OutboxMessage  # noqa: E402
from dispatch_desktop.ui.kit.changes import Change  # noqa: E402
from dispatch_desktop.ui.kit.console import ConsoleContext  # noqa: E402
from dispatch_desktop.ui.kit.operations import Operations  # noqa: E402

TIMEOUT = 120.0


class SlowEventLog(QApplication):
    """Diagnosis only (DISPATCH_BENCH_SLOW_EVENTS=ms): prints every top-level event that kept
    the UI thread longer than that, with its receiver and slot chain, to stderr."""

    def __init__(self, argv: list[str], threshold_ms: float) -> None:
        super().__init__(argv)
        self.threshold = threshold_ms / 1000
        self.depth = 0
        self.paints: dict[str, float] = {}
        self.painted: list[str] = []  # the widgets painted within the current top-level event

    def notify(self, receiver: QObject, event: QEvent) -> bool:  # type: ignore[override]
        if self.depth:
            if event.type() != QEvent.Type.Paint:
                return super().notify(receiver, event)
            began = time.perf_counter()
            key = f"{type(receiver).__name__}/{type(receiver.parent()).__name__}"
            try:
                return super().notify(receiver, event)
            finally:
                took = time.perf_counter() - began
                self.paints[key] = self.paints.get(key, 0.0) + took
                if took > 0.001:
                    self.painted.append(f"{key} {took * 1000:.1f}")
        self.depth, self.painted = 1, []
        started = time.perf_counter()
        owner = type(receiver.parent()).__name__ if isinstance(receiver, QObject) else "?"
        try:
            return super().notify(receiver, event)
        finally:
            self.depth = 0
            took = time.perf_counter() - started
            if took > self.threshold:
                print(
                    f"SLOW {took * 1000:.1f} ms {event.type().name} -> {type(receiver).__name__} in {owner}"
                    f" [{', '.join(self.painted)}]",
                    file=sys.stderr,
                )


class Heartbeat(QObject):
    """A 5 ms timer on the UI thread; the longest gap between beats is the longest stall."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self, interval=5)
        self.timer.timeout.connect(self.beat)
        self.last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()

    def beat(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last - 0.005)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        self.beat()
        return self.longest


class Painted(QObject):
    def __init__(self, ready: Callable[[], bool]) -> None:
        super().__init__()
        self.ready, self.at = ready, None

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if self.at is None and event.type() == QEvent.Type.Paint and self.ready():
            self.at = time.perf_counter()
        return False


def spin(app: QApplication, done: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Run the event loop until `done()`; blocks between events (the heartbeat wakes it every 5 ms),
    so waiting costs the UI thread next to nothing."""
    deadline = time.perf_counter() + timeout
    while not done():
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        if time.perf_counter() > deadline:
            raise TimeoutError(what)


def outbox_done(db: Database, booking_id: int) -> bool:
    # The save's four notices; a booking far enough ahead also has reminders, scheduled for later.
    saved = (OutboxMessage.booking_id == booking_id) & (OutboxMessage.event == "booking_created")
    with db.read() as session:
        statuses = list(session.scalars(select(OutboxMessage.status).where(saved)))
    return len(statuses) == 4 and all(s in ("sent", "failed", "logged") for s in statuses)


def watch_outbox(db: Database, booking_id: int, done: threading.Event) -> None:
    """Off the UI thread, so the measurement does not stall what it measures."""
    deadline = time.monotonic() + TIMEOUT
    while not outbox_done(db, booking_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()


def main() -> None:
    url, saves, naive_saves = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    quiet = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    slow = os.environ.get("DISPATCH_BENCH_SLOW_EVENTS")
    app = SlowEventLog(sys.argv[:1], float(slow)) if slow else QApplication(sys.argv[:1])
    from dispatch_desktop.ui.kit.lifetime import keep_startup_objects
    from dispatch_desktop.ui.shell.app import make_application
    from dispatch_desktop.ui.shell.main_window import MainWindow

    make_application()  # as the console's: garbage collection on the UI thread only

    db = Database(url)
    ctx = ServiceContext(db, "bench")
    agent = agents.add_agent(ctx, name="Dana Field", phone="+13125550199", email="dana@example.com")
    # Every save texts the agent: the team's cap of 20 texts a day to one number refused the 21st
    # save of the full-size run, so "row shown" never came.
    team_settings.update_team_settings(ctx, sms_per_recipient_per_day=1_000, sms_per_operator_per_hour=10_000)
    console = ConsoleContext(
        ctx=ctx, ops=Operations(), home=Path(os.environ["DISPATCH_HOME"]), config=Config(), actor=ctx.actor()
    )
    window = MainWindow(console, live_refresh=False, deliver=False, first_run_check=False)
    window.resize(1280, 800)
    window.show()
    keep_startup_objects()  # as run_console does once the window shows
    page = window.bookings_page
    spin(app, lambda: page.model.loads > 0 and console.ops.running == 0, "window ready")
    heartbeat = Heartbeat()
    profiler = None
    if os.environ.get("DISPATCH_BENCH_PROFILE"):  # pyinstrument's view of the UI thread, on stderr
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    base = (datetime.now(page.model.settings.zone) + timedelta(days=1)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )

    def await_row(booking_id: Callable[[], int | None]) -> Painted:
        model = page.model

        def shown() -> bool:
            bid = booking_id()
            return bid is not None and model.row_of(bid) is not None and model.cached(bid) is not None

        watcher = Painted(shown)
        page.table.viewport().installEventFilter(watcher)
        return watcher

    keys = (
        "busy",
        "shown",
        "stall",
        "delivered",
        "naive_busy",
        "naive_handler_cpu",
        "naive_shown",
        "naive_stall",
    )
    keys += ("ui_cpu", *("quiet_" + key for key in ("busy", "shown", "stall", "delivered", "ui_cpu")))
    results: dict[str, list[float]] = {key: [] for key in keys}
    for i in range(saves + quiet):
        if i == saves:
            # What-if: the status-bar busy bar stays still while the background delivery runs.
            console.ops.busy_changed.disconnect(window.status_bar.show_busy)
            window.status_bar.busy_timer.stop()
            window.status_bar.busy.hide()
        run = "" if i < saves else "quiet_"
        start = base + timedelta(hours=i % 8, days=i // 8)
        # OpenDialogs.keep calls isVisible() on forms Qt already deleted (WA_DeleteOnClose)
        # and raises; forget them first (reported in docs/benchmarks.md).
        page.dialogs.open = []
        form = page.new_booking(start=start)
        spin(
            app,
            lambda f=form: f.ready and f.availability_loads > 0 and console.ops.running == 0,
            "form ready",
        )
        form.phone.setText(f"+1646555{1000 + i:04d}")
        form.name.setText(f"Customer {i}")
        form.email.setText(f"customer{i}@example.com")
        form.address.setText("1200 W Madison St, Chicago, IL")
        form.service.setText("Furnace repair")
        form.agent.select_agent(agent.id)
        spin(app, lambda: console.ops.running == 0, "lookups done")
        saved: list[int] = []
        form.saved.connect(lambda view, s=saved: s.append(view.id))
        watcher = await_row(lambda s=saved: s[0] if s else None)
        heartbeat.start()
        if profiler is not None:
            profiler.start()
        cpu = time.thread_time()
        began = time.perf_counter()
        form.save()  # the Save button's handler
        try:
            spin(app, lambda w=watcher: w.at is not None, "row shown")
        except TimeoutError:
            bid = saved[0] if saved else None
            row = page.model.row_of(bid) if bid is not None else None
            raise TimeoutError(
                f"row shown: save {i}, booking {bid}, model row {row} of {page.model.rowCount()}, "
                f"cached {bid is not None and page.model.cached(bid) is not None}, selected {page.selected_id()}, "
                f"top row {page.table.rowAt(0)}, bottom row {page.table.rowAt(page.table.viewport().height() - 1)}, "
                f"form says {form.general.text()!r} {[m.text() for m in form.messages.values() if m.text()]}"
            ) from None
        results[run + "busy"].append(time.thread_time() - cpu)
        results[run + "shown"].append(watcher.at - began)
        if profiler is not None and os.environ.get("DISPATCH_BENCH_PROFILE") == "save":
            profiler.stop()
        window.delivery.deliver_now()  # what the console's delivery timer does every few seconds
        done = threading.Event()
        threading.Thread(target=watch_outbox, args=(db, saved[0], done), daemon=True).start()
        spin(app, done.is_set, "delivered")
        if profiler is not None and os.environ.get("DISPATCH_BENCH_PROFILE") != "save":
            profiler.stop()
        results[run + "delivered"].append(time.perf_counter() - began)
        results[run + "ui_cpu"].append(time.thread_time() - cpu)
        results[run + "stall"].append(heartbeat.stop())
        page.table.viewport().removeEventFilter(watcher)

    twilio = credentials.load_twilio(Config())
    smtp_host, smtp_port = os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])
    for i in range(naive_saves):
        k = saves + quiet + i
        start = base + timedelta(hours=k % 8, days=k // 8)
        saved = []
        watcher = await_row(lambda s=saved: s[0] if s else None)
        heartbeat.start()
        cpu = time.thread_time()
        began = time.perf_counter()
        # The naive Save handler: create, then tell everyone, all on the UI thread.
        view = bookings.create_booking(
            ctx,
            customer_name=f"Customer {k}",
            customer_phone=f"+1646555{1000 + k:04d}",
            customer_email=f"customer{k}@example.com",
            address="1200 W Madison St, Chicago, IL",
            service="Furnace repair",
            start=start,
            end=start + timedelta(hours=1),
            agent_id=agent.id,
        )
        with db.write() as session:
            rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.booking_id == view.id)))
            for row in rows:
                if row.channel == "sms":
                    result = TwilioSender(twilio).send(row.recipient, row.body)
                    row.provider_id = result.provider_id
                else:
                    conn = smtplib.SMTP(smtp_host, smtp_port, timeout=30)
                    message_id = new_message_id("dispatch@example.com")
                    conn.send_message(
                        build_message(
                            sender="dispatch@example.com",
                            to=row.recipient,
                            subject=row.subject or "",
                            body=row.body,
                            html_body=row.html_body,
                            message_id=message_id,
                            intended=row.recipient,
                        )
                    )
                    conn.quit()
                    row.provider_id = message_id
                row.status = "sent"
        saved.append(view.id)
        console.ops.changed.emit(Change.BOOKINGS)
        handler = time.perf_counter() - began  # the UI thread was blocked all along
        cpu_in_handler = time.thread_time() - cpu
        cpu = time.thread_time()
        spin(app, lambda w=watcher: w.at is not None, "naive row shown")
        results["naive_busy"].append(handler + time.thread_time() - cpu)
        results["naive_handler_cpu"].append(cpu_in_handler)
        results["naive_shown"].append(watcher.at - began)
        results["naive_stall"].append(heartbeat.stop())
        page.table.viewport().removeEventFilter(watcher)

    if isinstance(app, SlowEventLog):
        for key, spent in sorted(app.paints.items(), key=lambda kv: -kv[1])[:12]:
            print(f"PAINT {spent * 1000:8.1f} ms {key}", file=sys.stderr)
    if profiler is not None:
        text = profiler.output_text(unicode=False, color=False, show_all=True, short_mode=False)
        print(text, file=sys.stderr, flush=True)
    print("RESULT " + json.dumps(results), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
