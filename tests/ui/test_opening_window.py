"""The console's window shows before the database opens: what it says, what it loaded, what takes its place."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox

from dispatch_desktop.services import operators
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.shell.app import Launcher
from tests.ui.conftest import drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ROOT = Path(__file__).resolve().parents[2]

# Started as `dispatch-desktop --home H` is; at the opening window's first show it prints what is loaded.
PROBE = """
import json, os, sys
from dispatch_desktop.ui.shell.opening import OpeningWindow

shown = OpeningWindow.showEvent

def show_event(self, event):
    shown(self, event)
    print(json.dumps({
        "title": self.windowTitle(),
        "headline": self.headline.text(),
        "status": self.statusBar().currentMessage(),
        "menus": [action.text() for action in self.menuBar().actions()],
        "loaded": sorted(m for m in sys.modules if m.startswith(("sqlalchemy", "alembic", "dispatch_desktop"))),
    }), flush=True)
    os._exit(0)

OpeningWindow.showEvent = show_event
from dispatch_desktop.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_window_shows_before_the_services_and_sqlalchemy_are_imported(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    env.pop("DISPATCH_DATABASE_URL", None)
    home = tmp_path / "home"
    run = subprocess.run(
        [sys.executable, "-c", PROBE, "--home", str(home)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(run.stdout.splitlines()[-1])
    assert seen["headline"] == seen["status"] == "Opening the database…"
    assert seen["title"].startswith(f"Opening {home}")
    assert seen["menus"] == ["&File"]
    loaded = seen["loaded"]
    assert [m for m in loaded if m.startswith(("sqlalchemy", "alembic", "dispatch_desktop.services"))] == []
    assert [m for m in loaded if m.startswith("dispatch_desktop.storage.")] == [
        "dispatch_desktop.storage.files"
    ]
    assert "dispatch_desktop.ui.shell.main_window" not in loaded
    assert not (home / "dispatch.db").exists()  # the database is opened only after the window shows


def _args(home: Path, url: str | None = None, operator: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(home=str(home), database_url=url, operator=operator, demo=False)


def test_the_main_window_takes_the_opening_windows_place(qtbot, tmp_path, db: Database, database_url):
    operators.add_operator(ServiceContext(db, "boss"), name="Dana Lee", username="dana", role="dispatcher")
    launcher = Launcher(_args(tmp_path / "home", database_url, "dana"))
    frame = launcher.frame
    with qtbot.waitSignal(launcher.opened, timeout=30_000) as opened:
        launcher.start()
        assert frame.isVisible() and frame.headline.text() == "Opening the database…"
    window = opened.args[0]
    qtbot.addWidget(window, before_close_func=lambda _w: drain())
    assert isinstance(window, QMainWindow) and window.isVisible() and not frame.isVisible()
    assert window.screen() is frame.screen()
    assert window.windowTitle().startswith("Dana Lee (dispatcher)")
    assert "bookings" in window.pages
    window.close()
    drain()
    window.console.ctx.db.dispose()


def test_an_unreachable_database_is_said_in_the_window_with_what_to_do(qtbot, tmp_path):
    home = tmp_path / "home"
    launcher = Launcher(_args(home, "postgresql+psycopg://nobody@127.0.0.1:9/nothing"))
    qtbot.addWidget(launcher.frame)
    with qtbot.waitSignal(launcher.failed, timeout=20_000) as failed:
        launcher.start()
    frame = launcher.frame
    assert frame.isVisible()
    assert frame.headline.text() == "Dispatch Desktop cannot start"
    assert frame.detail.text() == f"{failed.args[0]}\n\nHome folder: {home}"
    assert frame.statusBar().currentMessage() == failed.args[0]
    box = launcher.error_box
    assert isinstance(box, QMessageBox) and box.parent() is frame and box.isVisible()
    box.close()


def test_quitting_while_the_database_opens_ends_the_program(qtbot, tmp_path, monkeypatch):
    exits: list[int] = []
    monkeypatch.setattr("dispatch_desktop.ui.shell.app.QApplication.exit", lambda code=0: exits.append(code))
    launcher = Launcher(_args(tmp_path / "home"))
    launcher.quit_on_give_up = True
    qtbot.addWidget(launcher.frame)
    launcher.frame.show()
    [quit_action] = launcher.frame.menuBar().actions()[0].menu().actions()
    assert quit_action.text() == "&Quit"
    quit_action.trigger()
    assert exits == [0] and not launcher.frame.isVisible()
