"""INSERT ... ON CONFLICT in the dialect of the session's database."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session):  # type: ignore[no-untyped-def]
    """`insert` of PostgreSQL or SQLite, both of which have on_conflict_do_*."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
