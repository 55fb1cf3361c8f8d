"""A database blip during a production run: every message reaches its server once, none ends in doubt.

600 rows (300 texts, 300 emails) are delivered by one run while the database goes away under
it: PostgreSQL through a TCP proxy the test cuts (restarted, stopped for 10 s), PostgreSQL with
the outbox table locked, SQLite held under an exclusive lock past its busy timeout (15 s).
Two rarer cases are forced exactly: a claim, and an outcome, that committed on the server
while the connection dropped before the reply.
"""

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, make_url, text
from sqlalchemy.orm import Session

from dispatch_desktop.config import Config
from dispatch_desktop.domain.errors import DatabaseUnavailableError
from dispatch_desktop.notify.delivery import DeliveryReport, deliver_due
from dispatch_desktop.storage import schema
from dispatch_desktop.storage.engine import Database
from tests.bench.common import queue_outbox
from tests.conftest import PG_URL, PostgresSchemas
from tests.notify.helpers import rows
from tests.notify.tcp_proxy import TcpProxy
from tests.servers.smtp_fake import FakeSmtp
from tests.servers.twilio_fake import FakeTwilio

Env = Callable[..., None]
Lines = Callable[[], list[str]]
TEXTS = EMAILS = 300
FAULT_AFTER = 100  # messages at the servers when the database goes away


class Delivery:
    """deliver_due on a thread of its own, as the headless notifier runs it."""

    def __init__(self, db: Database) -> None:
        self.report: DeliveryReport | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(db,), name="outage-run")
        self._thread.start()

    def _run(self, db: Database) -> None:
        try:
            self.report = deliver_due(db, Config(), worker_id="outage")
        except BaseException as exc:
            self.error = exc

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the run did not finish"


def _wait_for_traffic(twilio: FakeTwilio, smtp: FakeSmtp, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(twilio.messages) + len(smtp.messages) < count:
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.01)


def _run_through(
    db: Database,
    twilio: FakeTwilio,
    smtp: FakeSmtp,
    fault: Callable[[], None],
    log_lines: Lines,
    *,
    steps_fail: bool = True,
) -> None:
    queue_outbox(db, sms=TEXTS, email=EMAILS, tag="outage")
    run = Delivery(db)
    _wait_for_traffic(twilio, smtp, FAULT_AFTER)
    sent_before = len(twilio.messages) + len(smtp.messages)
    fault()
    run.join(120)
    assert run.error is None, run.error
    assert run.report is not None and run.report.counts == {"sent": TEXTS + EMAILS}

    assert sent_before < TEXTS + EMAILS, "the fault came after the run"
    waited = [line for line in log_lines() if "waits for the database" in line]
    assert bool(waited) is steps_fail, waited  # a supervisor sees the wait in the log pane
    texts, mails = Counter(twilio.sent_to()), Counter(smtp.recipients())
    assert len(texts) == TEXTS and set(texts.values()) == {1}
    assert len(mails) == EMAILS and set(mails.values()) == {1}
    final = rows(db)
    assert Counter(r.status for r in final) == {"sent": TEXTS + EMAILS}
    assert not any("stopped" in (r.last_error or "") for r in final)


@pytest.fixture
def servers(production: None, twilio: FakeTwilio, smtp: FakeSmtp, use_env: Env) -> None:
    use_env(twilio.env(), smtp.env())


# --- SQLite ----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(home: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{home / 'outage.db'}")
    schema.upgrade(database)
    yield database
    database.dispose()


def test_sqlite_locked_for_15_s_past_its_busy_timeout(
    sqlite_db: Database, servers: None, twilio: FakeTwilio, smtp: FakeSmtp, log_lines: Lines
) -> None:
    def lock_for_15_s() -> None:
        # Another workstation (a backup, a stuck editor) holds the write lock: claims and
        # outcomes wait 10 s in SQLite's busy handler, fail, and must be tried again.
        other = sqlite3.connect(str(sqlite_db.url.database), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        time.sleep(15)
        other.execute("ROLLBACK")
        other.close()

    _run_through(sqlite_db, twilio, smtp, lock_for_15_s, log_lines)


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def pg(request: pytest.FixtureRequest) -> Iterator[tuple[Database, TcpProxy, str]]:
    """A migrated schema reached through a proxy the test controls; also its direct URL."""
    if not PG_URL:
        pytest.skip("PostgreSQL-only: set DISPATCH_TEST_DATABASE_URL")
    schemas: PostgresSchemas = request.getfixturevalue("pg_schemas")
    direct = schemas.new_url()
    server = make_url(direct)
    with TcpProxy(server.host or "127.0.0.1", server.port or 5432) as proxy:
        database = Database(server.set(host="127.0.0.1", port=proxy.port))
        schema.upgrade(database)
        yield database, proxy, direct
        database.dispose()


@pytest.mark.parametrize("down_for", [0.5, 10.0], ids=["restarted", "stopped-10s"])
def test_postgresql_restarted_or_stopped(
    pg: tuple[Database, TcpProxy, str],
    servers: None,
    twilio: FakeTwilio,
    smtp: FakeSmtp,
    log_lines: Lines,
    down_for: float,
) -> None:
    db, proxy, _direct = pg

    def outage() -> None:
        proxy.cut()  # sessions end mid-statement, mid-commit; connecting is refused
        time.sleep(down_for)
        proxy.restore()

    _run_through(db, twilio, smtp, outage, log_lines)
    assert proxy.cuts == 1


def test_postgresql_outbox_locked(
    pg: tuple[Database, TcpProxy, str], servers: None, twilio: FakeTwilio, smtp: FakeSmtp, log_lines: Lines
) -> None:
    """PostgreSQL has no lock timeout here: the run waits, and nothing may fail or be doubted."""
    db, _proxy, direct = pg
    locker = Database(direct)

    def lock_for_3_s() -> None:
        # Shorter than SQLite's 15 s: with no lock timeout, a longer lock only waits longer.
        with locker.write() as session:
            session.execute(text("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"))
            time.sleep(3)

    try:
        _run_through(db, twilio, smtp, lock_for_3_s, log_lines, steps_fail=False)
    finally:
        locker.dispose()


class _ReplyLost(Database):
    """Once armed, one write commits on the server, then its connection drops before the reply."""

    armed, lost = False, 0

    def _drop_once(self) -> None:
        if self.armed and not self.lost:
            self.lost += 1
            raise DatabaseUnavailableError("database unavailable (test): server closed the connection")


class ClaimReplyLost(_ReplyLost):
    """The run's first Session write is its first claim."""

    @contextmanager
    def write(self) -> Iterator[Session]:
        with super().write() as session:
            yield session
        self._drop_once()


class OutcomeReplyLost(_ReplyLost):
    """Outcomes are written on connect_writer's connections."""

    def connect_writer(self) -> Connection:
        connection = super().connect_writer()
        begin = connection.begin

        @contextmanager
        def commit_then_drop() -> Iterator[object]:
            with begin() as transaction:
                yield transaction
            self._drop_once()

        connection.begin = commit_then_drop  # type: ignore[assignment,method-assign]
        return connection


@pytest.mark.parametrize(
    ("database", "waited"),
    [(ClaimReplyLost, "claiming due messages"), (OutcomeReplyLost, "recording the outcome for customer0@")],
    ids=["claim", "outcome"],
)
def test_a_write_whose_reply_was_lost_is_neither_repeated_nor_left_undone(
    home: Path, servers: None, smtp: FakeSmtp, log_lines: Lines, database: type[_ReplyLost], waited: str
) -> None:
    db = database(f"sqlite:///{home / 'lost.db'}")
    schema.upgrade(db)
    queue_outbox(db, email=30, tag="lost")
    db.armed = True
    try:
        report = deliver_due(db, Config(), worker_id="w")
        # The claim's 20 rows are sent, not left `sending`; the outcome is counted, not written twice.
        assert db.lost == 1 and report.counts == {"sent": 30}
        assert Counter(r.status for r in rows(db)) == {"sent": 30}
    finally:
        db.dispose()
    assert sorted(Counter(smtp.recipients()).values()) == [1] * 30
    assert any(waited in line and "waits for the database" in line for line in log_lines())
