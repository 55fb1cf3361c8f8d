"""Engines and sessions for the shared database: SQLite (embedded) or PostgreSQL (shared)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from dispatch_desktop.domain.errors import DatabaseUnavailableError, ValidationError

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 5


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def parse_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ValidationError(
            f"database URL {raw!r} is not a URL (e.g. postgresql+psycopg://user@host/db)"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValidationError(
            f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql+psycopg"
        )
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    return url


def describe(url: URL) -> str:
    """Where the data lives, for people: the SQLite file or host/database, never a password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"PostgreSQL {url.host or 'localhost'}{':' + str(url.port) if url.port else ''}/{url.database}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE can be issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front, so a check and the write it guards
        # cannot interleave with another workstation's.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool if url.database == ":memory:" else None)
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "dispatch-desktop"},
    )


class Database:
    """One shared database. Hands out a fresh Session per operation; never share one across threads."""

    def __init__(self, url: URL | str) -> None:
        self.url = parse_url(url) if isinstance(url, str) else url
        self.engine = make_engine(self.url)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = self.engine.execution_options(sqlite_immediate=True) if self.is_sqlite else self.engine
        self._writes = sessionmaker(self._writer, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def description(self) -> str:
        return describe(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with unavailable_as_error(self.url), self._reads() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits when the block ends and rolls back on any error."""
        with unavailable_as_error(self.url), self._writes() as session, session.begin():
            yield session

    def connect_writer(self) -> Connection:
        """A connection to keep for many short write transactions (`with conn.begin():`), each
        like `write()` (BEGIN IMMEDIATE on SQLite) at half a Session's cost. The caller closes it
        and maps errors (`unavailable_as_error`)."""
        return self._writer.connect()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def unavailable_as_error(url: URL) -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        if "locked" in reason or "busy" in reason:
            raise DatabaseUnavailableError(
                f"database is busy ({describe(url)}): {reason}; try again"
            ) from None
        raise DatabaseUnavailableError(f"database unavailable ({describe(url)}): {reason}") from None
