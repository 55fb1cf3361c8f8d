"""Screenshots of the dispatch board, the time-off approve dialog, the notification log and settings.

    python -m tests.screenshots_more docs/screenshots

tests/screenshots.py adds MORE_SHOTS to its own list, so `python -m tests.screenshots` renders
these too. This module must not import tests.screenshots at import time (that one imports us).
"""

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from dispatch_desktop.services import bookings, timeoff
from dispatch_desktop.services.board import business_today
from dispatch_desktop.services.workstation import deliver_outbox


def _settle(seconds: float = 0.5, until: Callable[[], bool] | None = None, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while until is not None and not until() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def board(window: QWidget) -> QWidget:
    window.show_page("board")  # type: ignore[attr-defined]
    page = window.pages["board"]  # type: ignore[attr-defined]
    page.go_today()
    _settle(1.0, lambda: page.data is not None and page.load_count > 0)
    return window


def time_off_approve(window: QWidget) -> QWidget:
    """The approve dialog for a request that clashes with bookings, with a free agent offered."""
    console = window.console  # type: ignore[attr-defined]
    ctx = console.ctx
    pending = timeoff.list_time_off(ctx, status="pending")
    request = next((r for r in pending if timeoff.conflicting_bookings(ctx, r.id)), None)
    if request is None:
        today = business_today(ctx)
        zone = ctx.team_settings().zone
        day = [
            b
            for b in bookings.list_bookings(ctx)
            if b.agent_id is not None and b.start.astimezone(zone).date() == today and b.status == "scheduled"
        ]
        busiest = max({b.agent_id for b in day}, key=lambda agent: sum(b.agent_id == agent for b in day))
        first = min(b.start for b in day if b.agent_id == busiest)
        request = timeoff.request_time_off(
            ctx,
            agent_id=busiest,
            start=first - timedelta(minutes=30),
            end=first + timedelta(hours=5),
            reason="Family emergency",
        )
        console.ops.changed.emit("time_off")
    window.show_page("time_off")  # type: ignore[attr-defined]
    page = window.pages["time_off"]  # type: ignore[attr-defined]
    _settle(0.5, lambda: page.model.row_of(lambda r: r.id == request.id) >= 0)
    page.select_request(request.id)
    dialog = page.approve_selected()
    _settle(1.0, lambda: dialog.loaded > 0 and dialog.reassign_to.count() > 0)
    return dialog


def log_pane(window: QWidget) -> QWidget:
    console = window.console  # type: ignore[attr-defined]
    dock = window.log_dock  # type: ignore[attr-defined]
    dock.show()
    deliver_outbox(console.ctx, console.config, console.home, limit=None)
    console.ops.changed.emit("outbox")
    _settle(2.5, lambda: dock.poll_count > 1)
    return window


def settings(window: QWidget) -> QWidget:
    dialog = window.open_settings()  # type: ignore[attr-defined]
    _settle(0.8, lambda: dialog.load_count > 0)
    return dialog


MORE_SHOTS: list[tuple[str, Callable[[QWidget], QWidget]]] = [
    ("dispatch-board", board),
    ("time-off-approve", time_off_approve),
    ("notification-log", log_pane),
    ("settings", settings),
]


def main(argv: list[str]) -> int:
    from tests import screenshots

    if len(argv) != 1:
        print("usage: python -m tests.screenshots_more OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    screenshots.make_application()
    with tempfile.TemporaryDirectory() as tmp:
        window = screenshots.open_demo_window(Path(tmp))
        for name, take in MORE_SHOTS:
            widget = take(window)
            path = out / f"{name}.png"
            widget.grab().save(str(path))
            print(path)
            if widget is not window:
                widget.close()
            _settle(0.2)
        window.close()
        QThreadPool.globalInstance().waitForDone(10_000)
        window.console.ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
