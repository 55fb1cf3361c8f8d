"""Database administration: schema versions and backups."""

from dataclasses import dataclass
from pathlib import Path

from dispatch_desktop.storage import schema
from dispatch_desktop.storage.backup import backup_sqlite
from dispatch_desktop.storage.engine import Database


@dataclass(frozen=True)
class SchemaStatus:
    database: str
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_status(db: Database) -> SchemaStatus:
    return SchemaStatus(db.description, schema.current_revision(db), schema.head_revision(db))


def upgrade_schema(db: Database) -> tuple[str | None, str | None]:
    """Bring the schema to this program's version; returns (before, after)."""
    before = schema.current_revision(db)
    schema.upgrade(db)
    return before, schema.current_revision(db)


def backup(db: Database, target: Path) -> Path:
    return backup_sqlite(db, target)
