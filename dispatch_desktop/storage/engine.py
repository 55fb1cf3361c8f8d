"""Engines and sessions for the shared database: SQLite (embedded) or PostgreSQL (shared)."""

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from dispatch_desktop.domain.errors import (
    DatabasePasswordNeededError,
    DatabaseUnavailableError,
    PermissionDeniedError,
    ValidationError,
)
from dispatch_desktop.storage.files import check_local_path, private_file, private_folder

SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 5
# psycopg's own option, read from the URL query: `none` for a pooler in transaction mode
# (PgBouncer), which hands each transaction to any server connection, where prepared
# statements of other clients collide with this one's.
PREPARE_THRESHOLD = "prepare_threshold"
# What a transaction pooler does to prepared statements: "already exists", "does not exist".
PREPARED_STATEMENT_CLASHES = ("42P05", "26000")
INSUFFICIENT_PRIVILEGE = "42501"


# A password in a URL would sit in argv, shell history, the environment or the config file.
PASSWORD_IN_URL = (
    "a password in the database URL is refused: run 'dispatch-desktop login' to keep it in the OS "
    "keyring, or use ~/.pgpass, a client certificate or GSSAPI"
)
_URL_PASSWORD = re.compile(r"(://[^/:@\s]*:)\S*@")
_QUERY_PASSWORD = re.compile(r"(?i)(\bpassword=)[^&\s]*")


def mask_url(raw: str) -> str:
    """`raw` with any password in it replaced by ***, for every message that shows a URL."""
    return _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", raw))


def has_password(url: URL) -> bool:
    return url.password is not None or any(key.lower() == "password" for key in url.query)


def login_key(url: URL) -> str:
    """The OS keyring entry of this URL's database password: one per login, server and database."""
    import getpass

    user = url.username or os.environ.get("PGUSER") or getpass.getuser()
    return f"database {user}@{url.host or 'localhost'}:{url.port or 5432}/{url.database or user}"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def parse_url(raw: str) -> URL:
    try:
        url = make_url(raw)
        url.port  # noqa: B018  a port such as 5432x fails here, not at the first connection
    except (ArgumentError, ValueError):
        raise ValidationError(
            f"database URL {mask_url(raw)!r} is not a URL (e.g. postgresql+psycopg://user@host/db)"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValidationError(
            f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql+psycopg"
        )
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        url = url.set(drivername="postgresql+psycopg")
    _check_options(url)
    if url.get_backend_name() == "postgresql":
        _pg_connect_args(url)  # a bad option is the user's error now, not at the first query
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        check_local_path(Path(url.database), "SQLite database", folder=False)
    return url


def _prepare_threshold(raw: str | tuple[str, ...]) -> int | None:
    """The URL's `prepare_threshold`: `none` turns server-side prepared statements off."""
    value = raw[-1] if isinstance(raw, tuple) else raw
    if value.strip().lower() == "none":
        return None
    if value.strip().isdigit():
        return int(value)
    raise ValidationError(
        f"database URL option {PREPARE_THRESHOLD}={value!r} must be 'none' (for PgBouncer in "
        "transaction mode) or a whole number"
    )


def _pg_connect_args(url: URL, password: str | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "dispatch-desktop"}
    if password is not None:  # from the OS keyring: never part of the URL
        args["password"] = password
    if PREPARE_THRESHOLD in url.query:  # otherwise psycopg's default
        args[PREPARE_THRESHOLD] = _prepare_threshold(url.query[PREPARE_THRESHOLD])
    return args


def _check_options(url: URL) -> None:
    if url.get_backend_name() == "sqlite":
        allowed: set[str] = set()
    else:
        from psycopg import pq

        allowed = {option.keyword.decode() for option in pq.Conninfo.get_defaults()} | {PREPARE_THRESHOLD}
    unknown = sorted(set(url.query) - allowed)
    if unknown:
        where = "SQLite URLs take no options" if not allowed else "not a PostgreSQL connection option"
        raise ValidationError(f"database URL option(s) {', '.join(unknown)}: {where}")


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


def _read_only_sqlite(path: Path) -> Any:
    """A connection factory for a database in a folder this process cannot write (read-only home).

    WAL needs its -shm file; when none exists and none can be created, the file is read as
    immutable, which is right because nobody can be writing it through this folder.
    """
    shm = path.with_name(path.name + "-shm")
    uri = f"file:{quote(str(path))}?mode=ro" + ("" if shm.exists() else "&immutable=1")
    return lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)


def _unwritable(path: Path) -> bool:
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def make_engine(url: URL, *, read_only: bool = False, password: str | None = None) -> Engine:
    if url.get_backend_name() == "sqlite":
        path = Path(url.database) if url.database and url.database != ":memory:" else None
        extra: dict[str, Any] = {}
        if path is not None and read_only and _unwritable(path):
            extra["creator"] = _read_only_sqlite(path)
        elif path is not None:
            private_file(private_folder(path.parent) / path.name)  # its -wal and -shm get its mode
        engine = create_engine(url, poolclass=NullPool if url.database == ":memory:" else None, **extra)
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url.difference_update_query([PREPARE_THRESHOLD]),
        pool_pre_ping=True,
        connect_args=_pg_connect_args(url, password),
    )


class Database:
    """One shared database. Hands out a fresh Session per operation; never share one across threads."""

    def __init__(self, url: URL | str, *, read_only: bool = False, password: str | None = None) -> None:
        """read_only: the caller only reads, so a SQLite file in a read-only folder can still be opened.
        password: PostgreSQL's, from the OS keyring, kept out of the URL."""
        self.url = parse_url(url) if isinstance(url, str) else url
        self.engine = make_engine(self.url, read_only=read_only, password=password)
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
        if "password" in reason:  # "no password supplied", "password authentication failed"
            raise DatabasePasswordNeededError(
                f"database {describe(url)} asks for a password: {reason}; run 'dispatch-desktop login'"
            ) from None
        raise DatabaseUnavailableError(f"database unavailable ({describe(url)}): {reason}") from None
    except DatabaseError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate == INSUFFICIENT_PRIVILEGE:
            raise PermissionDeniedError(
                f"the database role in the URL may not do this ({describe(url)}): {reason}"
            ) from None
        if sqlstate in PREPARED_STATEMENT_CLASHES:
            raise DatabaseUnavailableError(
                f"database unavailable ({describe(url)}): {reason}; behind PgBouncer in transaction mode, "
                f"add ?{PREPARE_THRESHOLD}=none to the database URL"
            ) from None
        # Exactly sqlite3.DatabaseError: the file is not a database, or a damaged one.
        if type(exc.orig) is not sqlite3.DatabaseError:
            raise
        raise DatabaseUnavailableError(f"{describe(url)} cannot be used: {reason}") from None
