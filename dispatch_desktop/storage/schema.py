"""Schema versions through Alembic: upgrade, and refuse to work on a mismatched schema."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dispatch_desktop.domain.errors import SchemaMismatchError
from dispatch_desktop.storage.engine import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision(db: Database) -> str:
    head = ScriptDirectory.from_config(_config(db)).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.read() as session:
        return MigrationContext.configure(session.connection()).get_current_revision()


def upgrade(db: Database) -> None:
    config = _config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def check(db: Database) -> None:
    """Raise SchemaMismatchError unless the database is exactly at this program's schema."""
    current, head = current_revision(db), head_revision(db)
    if current == head:
        return
    known = {rev.revision for rev in ScriptDirectory.from_config(_config(db)).walk_revisions()}
    if current is None:
        problem = "has no Dispatch Desktop schema yet"
    elif current in known:
        problem = f"schema {current} is older than this program's {head}"
    else:
        problem = f"schema {current} is newer than this program knows ({head}); upgrade Dispatch Desktop"
        raise SchemaMismatchError(f"database {db.description} {problem}")
    raise SchemaMismatchError(
        f"database {db.description} {problem}; an admin must run 'dispatch-desktop db upgrade'"
    )


def ensure_ready(db: Database) -> None:
    """SQLite databases are created and upgraded in place; PostgreSQL must already match."""
    if db.is_sqlite and current_revision(db) != head_revision(db):
        current = current_revision(db)
        known = {rev.revision for rev in ScriptDirectory.from_config(_config(db)).walk_revisions()}
        if current is None or current in known:
            upgrade(db)
    check(db)
