"""INSERT ... ON CONFLICT in the dialect of the session's database."""

from collections.abc import Callable

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dispatch_desktop.storage.models import Base

DialectInsert = postgresql.Insert | sqlite.Insert


def dialect_insert(session: Session) -> Callable[[type[Base] | Table], DialectInsert]:
    """`insert` of PostgreSQL or SQLite, both of which have on_conflict_do_*."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
