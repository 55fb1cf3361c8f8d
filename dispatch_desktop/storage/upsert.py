"""INSERT ... ON CONFLICT in the dialect of the session's (or connection's) database."""

from collections.abc import Callable

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dispatch_desktop.storage.models import Base

DialectInsert = postgresql.Insert | sqlite.Insert


def dialect_insert(session: Session | Connection) -> Callable[[type[Base] | Table], DialectInsert]:
    """`insert` of PostgreSQL or SQLite, both of which have on_conflict_do_*."""
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    return postgresql.insert if dialect.name == "postgresql" else sqlite.insert
