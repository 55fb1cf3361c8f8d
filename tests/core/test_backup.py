import sqlite3
from pathlib import Path

import pytest

from dispatch_desktop.cli import main
from dispatch_desktop.services import bookings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage import schema
from dispatch_desktop.storage.engine import Database
from tests.core.helpers import add_booking


@pytest.fixture
def sqlite_db(home: Path) -> Database:
    db = Database(f"sqlite:///{home / 'dispatch.db'}")
    schema.upgrade(db)
    ctx = ServiceContext(db, "boss")
    for hour in range(9, 15):
        add_booking(ctx, f"{hour:02d}:00", f"{hour:02d}:30", phone=f"312-555-01{hour:02d}")
    return db


def test_backup_while_another_workstation_is_writing(
    sqlite_db: Database, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backup.db"
    with sqlite_db.write() as session:  # a console mid-transaction holds the write lock
        session.connection()
        code = main(["--home", str(home), "db", "backup", str(target)])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip().endswith(f"to {target}")
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM bookings").fetchone() == (6,)
    copy.close()
    assert len(bookings.list_bookings(ServiceContext(sqlite_db, "boss"))) == 6


def test_backup_refuses_to_overwrite(
    sqlite_db: Database, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = home / "old.db"
    existing.write_bytes(b"keep me")
    assert main(["--home", str(home), "db", "backup", str(existing)]) == 2
    assert capsys.readouterr().err == f"error: {existing} already exists; choose a new file name\n"
    assert existing.read_bytes() == b"keep me"
