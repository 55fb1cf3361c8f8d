"""The console's first start on a PostgreSQL database that asks for a password: a small dialog
without echo, the password handed to the login service (which keeps it in the OS keyring once the
server took it, tests/core/test_database_logins.py), then the start again."""

import argparse
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit

from dispatch_desktop.config import Config
from dispatch_desktop.domain.errors import DatabasePasswordNeededError
from dispatch_desktop.services import workstation
from dispatch_desktop.ui.shell.app import Launcher
from tests.ui.conftest import drain

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
URL = "postgresql+psycopg://carla@db.example.com/dispatch"


def test_the_console_asks_for_the_database_password_and_starts_again(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored: list[tuple[str, str | None]] = []

    def store(_home: Path, _config: Config, password: str, url: str | None) -> str:
        stored.append((password, url))
        return "PostgreSQL db.example.com/dispatch"

    monkeypatch.setattr(workstation, "store_login", store)
    launcher = Launcher(argparse.Namespace(home=str(tmp_path), database_url=URL, operator=None, demo=False))
    restarted: list[bool] = []
    launcher.start = lambda: restarted.append(True)  # type: ignore[method-assign]  # the next start opens it
    launcher._fail(
        DatabasePasswordNeededError("database PostgreSQL db.example.com/dispatch asks for a password")
    )
    dialog = launcher.login_dialog
    assert dialog is not None and dialog.isVisible()
    field = dialog.findChild(QLineEdit, "databasePassword")
    assert field.echoMode() == QLineEdit.EchoMode.Password
    field.setText("typed-secret-1")
    dialog.accept()
    qtbot.waitUntil(lambda: restarted == [True], timeout=20_000)
    drain()
    assert stored == [("typed-secret-1", URL)]
    assert not any(
        "typed-secret-1" in p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
    )
