"""Demo data, bulk rows, starting the console, and the layering rule for ui/."""

import argparse
import ast
import itertools
import logging
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from dispatch_desktop.domain.statuses import BookingStatus
from dispatch_desktop.notify.notifier import LOGGER_NAME
from dispatch_desktop.services import bookings, operators, timeoff
from dispatch_desktop.services.bookings import BookingQuery
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.services.demo import DEMO_OPERATORS, load_demo_data
from dispatch_desktop.ui.shell.app import Launcher
from tests.bench.bulk import generate_bookings
from tests.ui.conftest import DEMO_DAY, drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

UI_DIR = Path(__file__).resolve().parents[2] / "dispatch_desktop" / "ui"


@pytest.fixture(autouse=True)
def restore_notify_logging():
    """The launcher sets up this workstation's notification log; later tests get theirs back."""
    logger = logging.getLogger(LOGGER_NAME)
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    yield
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.propagate, logger.level = propagate, level


def test_demo_day_has_every_status_and_time_off_both_pending_and_approved(db):
    ctx = ServiceContext(db, "boss")
    summary = load_demo_data(ctx, DEMO_DAY, os_name="Boss Person")
    views = bookings.list_bookings(ctx)
    assert len(views) == summary.bookings
    assert set(Counter(v.status for v in views)) == {s.value for s in BookingStatus}
    assert {v.source for v in views} == {"dispatcher", "call-center"}
    assert all(v.agent_id is None for v in views if v.status == "pending")
    leave = Counter(t.status for t in timeoff.list_time_off(ctx))
    assert leave["pending"] >= 2 and leave["approved"] >= 2 and leave["denied"] == 1
    team = {op.username: op.role for op in operators.list_operators(ctx)}
    assert team["boss"] == "supervisor"
    assert {username: role.value for _, username, role, *_ in DEMO_OPERATORS}.items() <= team.items()
    # The audit trail reads like real work: several steps for a completed job.
    completed = next(v for v in views if v.status == "completed")
    assert len(bookings.booking_history(ctx, completed.id)) >= 5


BEFORE_START = {"pending", "scheduled", "confirmed", "en_route", "cancelled"}
OVER = {"completed", "no_show", "cancelled"}


@pytest.mark.parametrize("hour", [7, 13, 22])
def test_the_demo_day_agrees_with_the_clock_at_any_hour(db, hour):
    ctx = ServiceContext(db, "boss")
    zone = ctx.team_settings().zone
    now = datetime.now(zone).replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)
    load_demo_data(ctx, now=now, os_name="Boss Person")
    at = now.replace(tzinfo=zone)
    views = bookings.list_bookings(ctx)
    ahead = {v.reference: v.status for v in views if v.start > at}
    over = {v.reference: v.status for v in views if v.end <= at}
    on = {v.reference: v.status for v in views if v.start <= at < v.end}
    assert ahead and set(ahead.values()) <= BEFORE_START, ahead
    assert set(over.values()) <= OVER, over
    assert set(on.values()) <= {"en_route", "in_progress", "cancelled"}, on
    assert all(v.start > at for v in views if v.status == "pending")  # a request waits, never overdue
    customers = {v.customer_phone: v for v in views}
    assert len(customers) == len(views)  # one customer a booking, each with their own number
    assert len({v.customer_name for v in views}) == len(views)
    area_codes = {phone[2:5] for phone in customers}
    assert len(area_codes) >= 4 and all(phone[5:10] == "55501" for phone in customers)
    with_email = sum(1 for v in views if v.customer_email) / len(views)
    assert 0.7 <= with_email < 1


def test_demo_as_a_demo_operator_keeps_their_role(db):
    load_demo_data(ServiceContext(db, "carla"), DEMO_DAY)
    assert ServiceContext(db, "carla").actor().role == "call-center"


def test_bulk_bookings_are_fast_and_never_double_book(db):
    ctx = ServiceContext(db, "boss")
    assert generate_bookings(ctx, 5_000, agent_count=20, customer_count=1_000) == 5_000
    assert bookings.count_bookings(ctx, BookingQuery()) == 5_000
    assert bookings.count_bookings(ctx, BookingQuery(unassigned=True)) == 5_000 // 6
    # Spot-check: an agent's active bookings never overlap.
    views = bookings.list_bookings(ctx, BookingQuery(agent_id=1, limit=400))
    active = sorted((v.start, v.end) for v in views if v.status not in ("cancelled", "no_show"))
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(active))


def test_the_product_ships_no_bulk_generator():
    """Benchmark rows are test tooling (tests/bench/bulk.py); the demo writes through the services only."""
    from dispatch_desktop.services import demo

    tree = ast.parse(Path(demo.__file__).read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert [name for name in imported if name.startswith(("sqlalchemy", "dispatch_desktop.storage"))] == []
    assert not hasattr(demo, "generate_bookings")


def _args(
    home: Path, *, database_url: str | None = None, operator: str = "boss", demo: bool = False
) -> argparse.Namespace:
    return argparse.Namespace(home=str(home), database_url=database_url, operator=operator, demo=demo)


def test_demo_opens_a_window_on_a_filled_demo_home(qtbot, tmp_path):
    launcher = Launcher(_args(tmp_path, demo=True, operator="dana"))
    assert launcher.home == tmp_path / "demo"  # beside the real home's data, never in it
    with qtbot.waitSignal(launcher.opened, timeout=30_000) as opened:
        launcher.start()
    window = opened.args[0]
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    assert (tmp_path / "demo" / "dispatch.db").exists()
    assert window.status_bar.demo_badge.isVisible()
    assert "[demo]" in window.windowTitle() and "(dispatcher)" in window.windowTitle()
    qtbot.waitUntil(lambda: window.bookings_page.model.rowCount() > 30, timeout=10_000)
    window.close()
    drain()
    window.console.ctx.db.dispose()


def test_an_unreachable_database_is_explained_with_retry(qtbot, tmp_path):
    args = _args(tmp_path / "home", database_url="postgresql+psycopg://nobody@127.0.0.1:9/nothing")
    launcher = Launcher(args)
    with qtbot.waitSignal(launcher.failed, timeout=20_000) as failed:
        launcher.start()
    assert failed.args[0].startswith("database unavailable (PostgreSQL 127.0.0.1:9/nothing)")
    box = launcher.error_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == failed.args[0]
    assert box.standardButtons() & QMessageBox.StandardButton.Retry
    assert launcher.exit_code == 5
    box.close()


def test_an_unknown_operator_is_told_to_ask_a_supervisor(qtbot, tmp_path, db, database_url):
    operators.add_operator(ServiceContext(db, "boss"), name="Boss", username="boss", role="supervisor")
    args = _args(tmp_path / "home", operator="stranger", database_url=database_url)
    launcher = Launcher(args)
    with qtbot.waitSignal(launcher.failed, timeout=20_000) as failed:
        launcher.start()
    assert "unknown operator 'stranger'" in failed.args[0]
    assert "supervisor" in launcher.error_box.informativeText()
    assert launcher.exit_code == 4
    launcher.error_box.close()


def test_ui_never_imports_storage_or_sqlalchemy():
    offenders = []
    for path in sorted(UI_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith(("sqlalchemy", "dispatch_desktop.storage", "alembic")):
                    offenders.append(f"{path.relative_to(UI_DIR).as_posix()}: {name}")
    assert offenders == []


def test_a_database_from_a_newer_program_is_refused_with_the_reason(qtbot, tmp_path):
    from sqlalchemy import text

    from dispatch_desktop.storage import schema
    from dispatch_desktop.storage.engine import Database

    home = tmp_path / "home"
    database = Database(f"sqlite:///{home / 'dispatch.db'}")
    schema.upgrade(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    database.dispose()
    launcher = Launcher(_args(home))
    with qtbot.waitSignal(launcher.failed, timeout=20_000) as failed:
        launcher.start()
    assert "newer than this program knows" in failed.args[0]
    assert launcher.exit_code == 5
    launcher.error_box.close()
