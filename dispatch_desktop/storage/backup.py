"""Online backups of a SQLite database, safe while consoles keep working on it."""

import sqlite3
from pathlib import Path

from dispatch_desktop.domain.errors import ValidationError
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.files import check_local_path, private_file

PAGES_PER_STEP = 1024


def backup_sqlite(db: Database, target: Path) -> Path:
    """Copy the live database page by page with SQLite's backup API into `target`."""
    if not db.is_sqlite:
        raise ValidationError("db backup is for SQLite; back up PostgreSQL with pg_dump")
    source_path = Path(db.url.database or "")
    check_local_path(target.expanduser(), "backup file", folder=False)
    target = target.expanduser().resolve()
    if target == source_path.resolve():
        raise ValidationError("the backup must not overwrite the live database")
    if target.exists():
        raise ValidationError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise ValidationError(f"folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=10)
    try:
        destination = sqlite3.connect(private_file(partial))
        try:
            source.backup(destination, pages=PAGES_PER_STEP)
        finally:
            destination.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise ValidationError(f"backup failed: {exc}") from None
    finally:
        source.close()
    partial.replace(target)
    return target
