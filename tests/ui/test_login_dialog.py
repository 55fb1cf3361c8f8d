"""The console's first start on a PostgreSQL database that asks for a password: a small dialog,
the password into the OS keyring once the server took it, then the start again."""

import argparse
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QLineEdit

from dispatch_desktop.domain.errors import DatabasePasswordNeededError
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.ui.shell.app import Launcher
from tests.conftest import PG_URL
from tests.ui.conftest import drain
from tests.servers.memory_keyring import MemoryKeyring

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="PostgreSQL-only: set DISPATCH_TEST_DATABASE_URL"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def test_the_console_asks_for_the_database_password_and_keeps_it(
    qtbot, tmp_path: Path, pg_db: Database, memory_keyring: MemoryKeyring
) -> None:
    url = pg_db.url.render_as_string(hide_password=False)
    launcher = Launcher(argparse.Namespace(home=str(tmp_path), database_url=url, operator="boss", demo=False))
    launcher.config = None
    launcher._fail(DatabasePasswordNeededError("database asks for a password"))
    dialog = launcher.login_dialog
    assert dialog is not None and dialog.isVisible()
    field = dialog.findChild(QLineEdit, "databasePassword")
    assert field.echoMode() == QLineEdit.EchoMode.Password
    field.setText("typed-secret-1")
    with qtbot.waitSignal(launcher.opened, timeout=30_000) as opened:
        dialog.accept()
    assert (
        keyring.get_password("dispatch-desktop", "database postgres@127.0.0.1:5432/test") == "typed-secret-1"
    )
    assert not any(
        "typed-secret-1" in p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
    )
