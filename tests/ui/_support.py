"""Fixtures for the board, people, time-off, log and settings pane tests."""

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from dispatch_desktop.config import Config
from dispatch_desktop.notify.notifier import LOGGER_NAME
from dispatch_desktop.services import operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.kit.console import ConsoleContext
from dispatch_desktop.ui.kit.operations import Operations
from tests.servers.memory_keyring import MemoryKeyring

ConsoleFactory = Callable[..., ConsoleContext]

# The offscreen platform says this whenever a top-level window or dialog is shown.
OFFSCREEN_NOISE = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def _drain() -> None:
    # Let every background job finish and deliver its signal before widgets go away.
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()


@pytest.fixture
def make_console(qapp: QApplication, db: Database, home: Path) -> Iterator[ConsoleFactory]:
    """`make_console(role=None)`: the bootstrap supervisor, or a new operator with that role."""
    made: list[Operations] = []
    boss = ServiceContext(db, "boss")

    def factory(role: str | None = None, *, config: Config | None = None) -> ConsoleContext:
        ctx = boss
        if role is not None:
            username = f"{role.replace('-', '')}{len(made)}"
            if not operators.has_operators(boss):
                operators.add_operator(boss, name="Boss", username="boss", role="supervisor")
            operators.add_operator(boss, name=f"{role} person", username=username, role=role)
            ctx = ServiceContext(db, username)
        ops = Operations()
        made.append(ops)
        return ConsoleContext(ctx=ctx, ops=ops, home=home, config=config or Config(), actor=ctx.actor())

    yield factory
    _drain()


@pytest.fixture
def boss_console(make_console: ConsoleFactory) -> ConsoleContext:
    return make_console()


@pytest.fixture
def notify_env(clean_notify_env: None, headless_keyring: None) -> Iterator[None]:
    """No notifier variables from the developer's shell, and no real OS keyring (a headless box)."""
    logger = logging.getLogger(LOGGER_NAME)
    handlers, level = list(logger.handlers), logger.level
    yield
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(level)


@pytest.fixture
def memory_keyring(notify_env: None, memory_keyring: MemoryKeyring) -> MemoryKeyring:
    """tests/conftest.py's in-memory keyring, with the notifier environment cleaned first."""
    return memory_keyring
