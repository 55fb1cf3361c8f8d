"""Schema versions through Alembic: upgrade, and refuse to work on a mismatched schema.

Alembic (with mako and pygments) costs about 220 ms to import, so it is imported only where a
migration script is read or run. Opening a database that is already at this program's schema
compares `alembic_version` with HEAD_REVISION and never loads Alembic.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from dispatch_desktop.domain.errors import SchemaMismatchError
from dispatch_desktop.storage.engine import Database

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The newest migration in MIGRATIONS_DIR/versions: only the fast path of ensure_ready reads it.
# tests/core/test_schema.py checks it against Alembic's ScriptDirectory head, so adding a
# migration without updating it fails the tests (and a stale value only makes start-up slower:
# anything else than an exact match goes through Alembic).
HEAD_REVISION = "0012"


def _config() -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _script() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def _known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def head_revision(db: Database) -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.read() as session:
        return MigrationContext.configure(session.connection()).get_current_revision()


def _stored_revision(db: Database) -> str | None:
    """`alembic_version.version_num` by plain SQL (None without the table or with several rows)."""
    if db.is_sqlite:
        exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    elif db.is_postgresql:
        exists = "SELECT 1 WHERE to_regclass('alembic_version') IS NOT NULL"
    else:
        return None
    with db.read() as session:
        if session.execute(text(exists)).first() is None:
            return None
        rows = session.execute(text("SELECT version_num FROM alembic_version")).all()
    return rows[0][0] if len(rows) == 1 else None


def upgrade(db: Database) -> None:
    from alembic import command

    config = _config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def check(db: Database) -> None:
    """Raise SchemaMismatchError unless the database is exactly at this program's schema."""
    current, head = current_revision(db), head_revision(db)
    if current == head:
        return
    if current is None:
        problem = "has no Dispatch Desktop schema yet"
    elif current in _known_revisions():
        problem = f"schema {current} is older than this program's {head}"
    else:
        problem = f"schema {current} is newer than this program knows ({head}); upgrade Dispatch Desktop"
        raise SchemaMismatchError(f"database {db.description} {problem}")
    raise SchemaMismatchError(
        f"database {db.description} {problem}; an admin must run 'dispatch-desktop db upgrade'"
    )


def ensure_ready(db: Database) -> None:
    """SQLite databases are created and upgraded in place; PostgreSQL must already match."""
    if _stored_revision(db) == HEAD_REVISION:
        return
    if db.is_sqlite:
        current = current_revision(db)
        if current != head_revision(db) and (current is None or current in _known_revisions()):
            upgrade(db)
    check(db)
