"""Shared fixtures. Qt runs offscreen; databases are SQLite, and PostgreSQL when configured.

With DISPATCH_TEST_DATABASE_URL set, every test that takes `db` runs on SQLite and on a
fresh PostgreSQL schema; an unreachable server makes those tests fail, never skip.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("FLASK_ENV", None)
for _name in (
    "DISPATCH_DATABASE_URL",
    "DISPATCH_HOME",
    "DISPATCH_OPERATOR",
    "DISPATCH_REDIRECT_TO_PHONE",
    "DISPATCH_REDIRECT_TO_EMAIL",
):
    os.environ.pop(_name, None)

import logging  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from dispatch_desktop.services.context import ServiceContext  # noqa: E402
from dispatch_desktop.services.team_settings import update_team_settings  # noqa: E402
from dispatch_desktop.storage import roles, schema  # noqa: E402
from dispatch_desktop.storage.engine import Database  # noqa: E402

PG_URL = os.environ.get("DISPATCH_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
TEST_TIMEZONE = "America/Chicago"
TEST_BOOKING_DAYS = 3650


def postgres_schema_url(base_url: str, schema_name: str) -> str:
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema_name},public"})
    return url.render_as_string(hide_password=False)


class PostgresSchemas:
    """Fresh schemas in the test database, so tests never see each other's rows."""

    def __init__(self, base_url: str) -> None:
        self.admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
        self.base_url = base_url
        self.created: list[str] = []

    def new_url(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        self.created.append(name)
        return postgres_schema_url(self.base_url, name)

    def drop_all(self) -> None:
        """The schemas, and the cluster-wide group roles `db upgrade` made for them (storage/roles.py)."""
        database = make_url(self.base_url).database or ""
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
                for role in roles.Names(roles.role_prefix(database, name), name).all():
                    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                        conn.execute(text(f'DROP OWNED BY "{role}"'))
                        conn.execute(text(f'DROP ROLE "{role}"'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_schemas() -> Iterator[PostgresSchemas]:
    if not PG_URL:
        pytest.fail("DISPATCH_TEST_DATABASE_URL is not set")
    schemas = PostgresSchemas(PG_URL)
    yield schemas
    schemas.drop_all()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, home: Path) -> str:
    """An empty database: a SQLite file in the home folder, or a new PostgreSQL schema."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_schemas").new_url()
    return f"sqlite:///{home / 'dispatch.db'}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database with the business time zone fixed, so local times are predictable.

    Tests book fixed days (2026-12-01, 2030-03-12), so the booking window is widened to ten
    years either way; tests of the window set it back (tests/core/test_input_rules.py). The clock
    rules (reminders, quiet hours, the customer hold) are off, so a test sees the rows it is about
    whatever the hour it runs at; tests of them turn them on (tests/core/test_time_aware.py).
    """
    database = prepared_database(database_url)
    yield database
    database.dispose()


def prepared_database(url: str) -> Database:
    """The `db` fixture's database at `url`, for a test that needs a second one."""
    database = Database(url)
    schema.upgrade(database)
    update_team_settings(
        ServiceContext(database, "bootstrap"),
        timezone_name=TEST_TIMEZONE,
        region="US",
        booking_days_back=TEST_BOOKING_DAYS,
        booking_days_ahead=TEST_BOOKING_DAYS,
        reminders="off",
        quiet_hours="off",
        customer_hold_seconds=0,
    )
    return database


@pytest.fixture
def ctx(db: Database) -> ServiceContext:
    """Acting on an install with no operators yet: the bootstrap supervisor."""
    return ServiceContext(db, "boss")


@pytest.fixture
def pg_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated PostgreSQL database, for what only PostgreSQL does. Skipped when none is configured."""
    if not PG_URL:
        pytest.skip("PostgreSQL-only: set DISPATCH_TEST_DATABASE_URL")
    database = Database(request.getfixturevalue("pg_schemas").new_url())
    schema.upgrade(database)
    yield database
    database.dispose()


# --- notifier environment and keyring, shared by the notifier and console tests ---------------

import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402

from tests.servers.memory_keyring import MemoryKeyring  # noqa: E402

NOTIFY_ENV = (
    "FLASK_ENV",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_PHONE_NUMBER",
    "TWILIO_API_BASE_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "EMAIL_FROM",
    "SMTP_STARTTLS",
    "SMTP_AUTH",
    "O365_TENANT_ID",
    "O365_CLIENT_ID",
    "O365_CLIENT_SECRET",
    "O365_AUTHORITY",
    "DISPATCH_REDIRECT_TO_PHONE",
    "DISPATCH_REDIRECT_TO_EMAIL",
)


@pytest.fixture
def clean_notify_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No notifier variables from the developer's shell."""
    for name in NOTIFY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def headless_keyring() -> Iterator[None]:
    """No usable keyring, like a headless Linux box; `memory_keyring` replaces it."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(headless_keyring: None) -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture(autouse=True)
def notify_logger() -> Iterator[logging.Logger]:
    """Undo what setup_notification_logging does to the shared notifier logger.

    Commands run in-process (tests call cli.main) set it up; left behind, a later test
    would see each line twice or write to a closed capture stream.
    """
    logger = logging.getLogger("dispatch_desktop.notify")
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    yield logger
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
            handler.close()
    logger.propagate, logger.level = propagate, level
