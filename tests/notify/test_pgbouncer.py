"""A team's PostgreSQL behind a real PgBouncer in transaction pooling (Debian's `pgbouncer`).

In transaction mode consecutive transactions of one client run on different server
connections, so psycopg's automatic prepared statements and any session-level SET collide.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dispatch_desktop.domain.errors import DatabaseUnavailableError
from dispatch_desktop.services import bookings
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage.engine import Database
from tests.conftest import PG_URL, PostgresSchemas
from tests.notify.helpers import CUSTOMER_EMAIL
from tests.servers.smtp_fake import FakeSmtp, free_port
from tests.servers.twilio_fake import FakeTwilio

PGBOUNCER = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/local/sbin")
QUEUED_BETWEEN = 4
BOOKINGS = 3 * QUEUED_BETWEEN + 2

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="PostgreSQL-only: set DISPATCH_TEST_DATABASE_URL"),
    pytest.mark.skipif(PGBOUNCER is None, reason="needs PgBouncer (apt-get install pgbouncer)"),
]


def _pgbouncer_ini(folder: Path, port: int, schema_name: str) -> Path:
    server = make_url(PG_URL or "")
    auth = folder / "users.txt"
    auth.write_text(f'"{server.username or "postgres"}" ""\n', encoding="utf-8")
    ini = folder / "pgbouncer.ini"
    # The test fixtures' `options=-csearch_path` startup parameter is refused by PgBouncer, so
    # the pooled database puts each new server connection on the test's schema instead.
    ini.write_text(
        "[databases]\n"
        f"dispatch = host={server.host or '127.0.0.1'} port={server.port or 5432} "
        f"dbname={server.database} user={server.username or 'postgres'} "
        f"connect_query='SET search_path={schema_name},public'\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {auth}\n"
        "pool_mode = transaction\n"
        # One server connection serves every client in turn, as a busy pool does.
        "default_pool_size = 1\n"
        "max_client_conn = 50\n",
        encoding="utf-8",
    )
    for path in (folder, auth, ini):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return ini


@pytest.fixture
def pgbouncer(pg_schemas: PostgresSchemas) -> Iterator[str]:
    """The URL of a fresh schema reached through a PgBouncer of the test's own, in transaction mode."""
    pg_schemas.new_url()
    schema_name = pg_schemas.created[-1]
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    command = [str(PGBOUNCER), str(_pgbouncer_ini(folder, port, schema_name))]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        command[1:1] = ["-u", "nobody"]
    log = folder / "pgbouncer.log"
    with log.open("w") as output:  # a file, not a pipe: a full pipe would stall PgBouncer
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"pgbouncer did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/dispatch?prepare_threshold=none"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def _another_program_prepares_a_statement(url: str) -> None:
    """Any psycopg program on the same pooler: its `_pg3_0` stays on the server connection."""
    pooled = make_url(url)
    with psycopg.connect(
        host=pooled.host, port=pooled.port, dbname=pooled.database, user=pooled.username
    ) as neighbour:
        neighbour.execute("SELECT 1", prepare=True)


def _command(home: Path, url: str, *argv: str) -> list[str]:
    return [sys.executable, "-m", "dispatch_desktop", "--home", str(home), "--database-url", url, *argv]


def _booking(number: int) -> tuple[str, ...]:
    return (
        "booking",
        "add",
        "--customer-name",
        f"Customer {number}",
        "--customer-phone",
        f"+1312555{number:04d}",
        "--customer-email",
        CUSTOMER_EMAIL,
        "--address",
        "12 Elm Street, Chicago",
        "--service",
        "Boiler service",
        "--start",
        f"2026-12-{number:02d} 09:00",
        "--end",
        f"2026-12-{number:02d} 10:00",
        "--call-center",
    )


def test_bookings_and_two_concurrent_notifiers_through_pgbouncer_in_transaction_mode(
    pgbouncer: str, home: Path, twilio: FakeTwilio, smtp: FakeSmtp
) -> None:
    env = {**os.environ, **twilio.env(), **smtp.env(), "FLASK_ENV": "production"}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _command(home, pgbouncer, *argv), env=env, capture_output=True, text=True, timeout=120
        )

    def book(*options: str) -> None:
        added = run(*_booking(next(numbers)), *options)
        assert added.returncode == 0, added.stderr
        assert "Traceback" not in added.stderr

    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    _another_program_prepares_a_statement(pgbouncer)
    numbers = iter(range(1, BOOKINGS + 1))
    # A booking add that delivers a backlog repeats its statements often enough for psycopg to
    # prepare them, on the one server connection every later client also gets.
    for _ in range(2):
        for _ in range(QUEUED_BETWEEN):
            book("--queue-only")
        book()
    for _ in range(QUEUED_BETWEEN):
        book("--queue-only")

    notifiers = [
        subprocess.Popen(
            _command(home, pgbouncer, "notifier", "run", "--once", "--worker", f"w{n}"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    results = [(notifier.wait(120), *notifier.communicate()) for notifier in notifiers]
    for code, _out, err in results:
        assert code == 0, err
        assert "prepared statement" not in err and "Traceback" not in err
    phones = [f"+1312555{number:04d}" for number in range(1, BOOKINGS + 1)]
    assert sorted(twilio.sent_to()) == phones  # each SMS once, none lost to a crashed notifier
    assert smtp.recipients() == [CUSTOMER_EMAIL] * BOOKINGS
    counted = run("outbox", "counts", "--json")
    assert counted.returncode == 0, counted.stderr
    counts = {status: n for status, n in json.loads(counted.stdout).items() if n}
    assert counts == {"sent": 2 * BOOKINGS}

    # The console's bookings table streams ids through a server-side cursor, inside one transaction.
    db = Database(pgbouncer)
    try:
        ids = bookings.booking_ids(ServiceContext(db, "boss"), bookings.BookingQuery())
    finally:
        db.dispose()
    assert ids == list(range(1, BOOKINGS + 1))


def test_without_the_url_option_a_clash_is_one_error_line_naming_the_fix(pgbouncer: str) -> None:
    _another_program_prepares_a_statement(pgbouncer)
    db = Database(pgbouncer.replace("?prepare_threshold=none", ""))
    try:
        with pytest.raises(DatabaseUnavailableError) as raised, db.read() as session:
            for _ in range(6):  # psycopg prepares on the fifth, as `_pg3_0`
                session.execute(text("SELECT 2"))
    finally:
        db.dispose()
    assert str(raised.value).endswith(
        'prepared statement "_pg3_0" already exists; behind PgBouncer in transaction mode, '
        "add ?prepare_threshold=none to the database URL"
    )
