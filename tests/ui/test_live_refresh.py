"""A change saved on another workstation shows up without a click."""

import time
from datetime import datetime, timedelta

import pytest

from dispatch_desktop.services import bookings, revision
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.ui.kit.changes import Change
from dispatch_desktop.ui.shell.live_refresh import RevisionWatcher
from dispatch_desktop.ui.shell.main_window import MainWindow
from tests.ui.conftest import drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

START = datetime(2030, 3, 14, 9, 0)


def _create(ctx: ServiceContext, name: str, phone: str):
    return bookings.create_booking(
        ctx,
        customer_name=name,
        customer_phone=phone,
        customer_email=None,
        address="1 Elm St",
        service="Radiator",
        start=START,
        end=START + timedelta(hours=1),
        call_center=True,
    )


def test_a_booking_saved_on_another_workstation_appears_within_two_seconds(qtbot, desk, db, database_url):
    console = desk("dana", "dispatcher")
    window = MainWindow(console, deliver=False, first_run_check=False)
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    page = window.bookings_page
    qtbot.waitUntil(lambda: page.model.loads >= 1 and window.watcher.last is not None, timeout=10_000)
    assert page.model.rowCount() == 0

    # Another workstation: its own engine and sessions on the same database.
    from dispatch_desktop.services.workstation import open_database_url

    other = open_database_url(database_url, "boss")
    try:
        saved_at = time.monotonic()
        view = _create(other, "Remote Rae", "+13125550120")
        qtbot.waitUntil(
            lambda: page.model.rowCount() == 1 and page.model.index(0, 0).data() == view.reference,
            timeout=2_000,
        )
        assert time.monotonic() - saved_at < 2.0
        assert page.model.index(0, 2).data() == "Remote Rae"

        # An edit of a row already on screen is shown too.
        bookings.change_status(other, view.id, "cancelled", reason="Called back to cancel")
        qtbot.waitUntil(lambda: page.model.index(0, 7).data() == "cancelled", timeout=2_000)
    finally:
        other.db.dispose()


def test_the_watcher_broadcasts_only_real_changes(qtbot, desk, db):
    console = desk()
    watcher = RevisionWatcher(console, interval_ms=50)
    heard: list[Change] = []
    console.ops.changed.connect(heard.append)
    watcher.start()
    qtbot.waitUntil(lambda: watcher.polls >= 3, timeout=5_000)
    assert heard == []
    _create(ServiceContext(db, "boss"), "Quiet Quinn", "+13125550121")
    qtbot.waitUntil(lambda: heard == [Change.ALL], timeout=5_000)
    assert watcher.last == revision.current_revision(console.ctx)
    watcher.stop()
