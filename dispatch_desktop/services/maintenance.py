"""Database administration: schema versions and backups."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dispatch_desktop.domain.errors import PermissionDeniedError
from dispatch_desktop.domain.roles import Permission
from dispatch_desktop.services.context import ServiceContext, Unit
from dispatch_desktop.storage import roles, schema
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


def connection_security(db: Database) -> str | None:
    """Whether this PostgreSQL connection is encrypted and the server verified (None on SQLite)."""
    if not db.is_postgresql:
        return None
    with db.read() as session:
        row = session.execute(
            text("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        ).first()
        raw: Any = session.connection().connection.dbapi_connection
        mode = raw.info.get_parameters().get("sslmode", "prefer")
    if row is None or not row.ssl:
        return f"connection not encrypted (sslmode={mode})"
    if mode in ("verify-ca", "verify-full"):
        what = "certificate and host name" if mode == "verify-full" else "certificate"
        return f"connection encrypted ({row.version}), server {what} verified (sslmode={mode})"
    return f"connection encrypted ({row.version}), server NOT verified (sslmode={mode}; use verify-full)"


def schema_status(db: Database) -> SchemaStatus:
    return SchemaStatus(db.description, schema.current_revision(db), schema.head_revision(db))


def _require_administrator(ctx: ServiceContext, current: str | None) -> None:
    """A supervisor, once the database has a schema; before that there are no operators to ask."""
    if current is None:
        return
    with ctx.db.read() as session:
        Unit(session, ctx.resolve(session)).require(Permission.ADMINISTER_DATABASE)


def _require_database_owner(db: Database) -> None:
    """On PostgreSQL the schema belongs to the database owner: anyone else would own half of it."""
    query = text(
        "SELECT current_user, pg_catalog.pg_get_userbyid(d.datdba),"
        " (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)"
        " FROM pg_catalog.pg_database d WHERE d.datname = current_database()"
    )
    with db.read() as session:
        user, owner, superuser = session.execute(query).one()
    if user != owner and not superuser:
        raise PermissionDeniedError(
            f"db upgrade on PostgreSQL must run as the database owner {owner!r}, not {user!r}: "
            f"put {owner} in the database URL"
        )


def upgrade_schema(ctx: ServiceContext) -> tuple[str | None, str | None]:
    """Bring the schema to this program's version; returns (before, after).

    Only a supervisor may, and on PostgreSQL only as the database owner, who then also brings
    the roles, grants and triggers up to date (storage/roles.py).
    """
    db = ctx.db
    if db.is_postgresql:
        _require_database_owner(db)
    before = schema.current_revision(db)
    _require_administrator(ctx, before)
    schema.upgrade(db)
    if db.is_postgresql:
        with db.engine.begin() as connection:
            roles.apply(connection)
    return before, schema.current_revision(db)


def backup(ctx: ServiceContext, target: Path) -> Path:
    """An online copy of the SQLite database; only a supervisor may take one."""
    _require_administrator(ctx, schema.current_revision(ctx.db))
    return backup_sqlite(ctx.db, target)
