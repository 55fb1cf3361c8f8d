"""Fixtures for the main window, bookings, booking form, call-center and live-refresh tests.

Console B's pane tests import their own fixtures from tests/ui/_support.py; the names here differ.
"""

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from dispatch_desktop.config import Config
from dispatch_desktop.services import demo, operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.lifetime import MainThreadGarbageCollector
from dispatch_desktop.ui.kit.operations import Operations

DeskFactory = Callable[..., ConsoleContext]
DEMO_DAY = date(2030, 3, 14)  # a future day, so nothing is overdue unless a test wants it


def drain() -> None:
    """Let background jobs finish and deliver their results before widgets go away."""
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()


@pytest.fixture(scope="session", autouse=True)
def collect_garbage_on_the_ui_thread(qapp: QApplication) -> Iterator[None]:
    """As the console does: a widget freed by GC on a worker thread crashes the whole run."""
    collector = MainThreadGarbageCollector(qapp)
    yield
    collector.stop()
    collector.deleteLater()


@pytest.fixture
def desk(qapp: QApplication, db: Database, home: Path) -> Iterator[DeskFactory]:
    """`desk(username=None, role=None)`: a console acting as that operator (added when missing).

    Without arguments it is the bootstrap supervisor of an install with no operators.
    """
    made: list[Operations] = []

    def factory(
        username: str | None = None,
        role: str | None = None,
        *,
        config: Config | None = None,
    ) -> ConsoleContext:
        ctx = ServiceContext(db, username or "boss")
        if role is not None:
            boss = ServiceContext(db, "boss")
            if not operators.has_operators(boss):
                operators.add_operator(boss, name="Boss Person", username="boss", role="supervisor")
            known = {op.username for op in operators.list_operators(boss)}
            if ctx.username not in known:
                operators.add_operator(boss, name=f"{role.title()} Person", username=ctx.username, role=role)
        ops = Operations()
        made.append(ops)
        return ConsoleContext(ctx=ctx, ops=ops, home=home, config=config or Config(), actor=ctx.actor())

    yield factory
    drain()


@pytest.fixture
def demo_db(db: Database) -> Database:
    """The demo team and working day (acting user "boss" becomes a supervisor too)."""
    demo.load_demo_data(ServiceContext(db, "boss"), DEMO_DAY, os_name="Boss Person")
    return db
