"""What every benchmark shares: tables, environments, databases, queued rows and slow servers."""

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Secrets come from the environment in every benchmark; never touch a desktop keyring.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
for _name in (
    "FLASK_ENV",
    "DISPATCH_REDIRECT_TO_PHONE",
    "DISPATCH_REDIRECT_TO_EMAIL",
    "DISPATCH_DATABASE_URL",
):
    os.environ.pop(_name, None)

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from dispatch_desktop.services.context import ServiceContext  # noqa: E402
from dispatch_desktop.services.team_settings import update_team_settings  # noqa: E402
from dispatch_desktop.storage import schema  # noqa: E402
from dispatch_desktop.storage.engine import Database  # noqa: E402
from dispatch_desktop.storage.models import OutboxMessage  # noqa: E402
from dispatch_desktop.storage.types import utcnow  # noqa: E402

PG_BASE_URL = os.environ.get("DISPATCH_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TIMEZONE = "America/Chicago"
CACHE_DIR = Path(os.environ.get("DISPATCH_BENCH_CACHE", "/tmp/dispatch-bench-cache"))
ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


# --- output ----------------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([_cell(cell) for cell in cells])

    def render(self) -> str:
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
        line = "| " + " | ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True)) + " |"
        rule = "| " + " | ".join("-" * w for w in widths) + " |"
        body = [
            "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + " |"
            for row in self.rows
        ]
        out = [f"### {self.title}", "", line, rule, *body]
        if self.notes:
            out += ["", *(f"- {n}" for n in self.notes)]
        return "\n".join(out) + "\n"

    def print(self) -> None:
        print(self.render(), flush=True)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def ratio(a: float, b: float) -> str:
    """a / b as '12.3×', guarding against zero."""
    if not b:
        return "∞×" if a else "–"
    return f"{a / b:.2f}×"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


# --- environment -----------------------------------------------------------------------------


@contextlib.contextmanager
def environ(values: dict[str, str | None]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def quiet_notification_log(home: Path) -> None:
    """The production log (file only): the lines are written as in a real run, not to the terminal."""
    from dispatch_desktop.config import Config
    from dispatch_desktop.notify.notifier import setup_notification_logging

    setup_notification_logging(home, Config(), console=False)


# --- databases -------------------------------------------------------------------------------


def migrated(url: str) -> Database:
    db = Database(url)
    schema.upgrade(db)
    update_team_settings(ServiceContext(db, "bootstrap"), timezone_name=TIMEZONE, region="US")
    return db


def sqlite_db(directory: Path, name: str = "dispatch.db") -> Database:
    return migrated(f"sqlite:///{directory / name}")


def pg_available() -> bool:
    try:
        engine = create_engine(PG_BASE_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def pg_schema_url(name: str) -> str:
    url = make_url(PG_BASE_URL).update_query_dict({"options": f"-csearch_path={name},public"})
    return url.render_as_string(hide_password=False)


class PgSchemas:
    """Fresh PostgreSQL schemas in the bench database, dropped at the end (unless kept as a cache)."""

    def __init__(self) -> None:
        self.admin = create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
        self.created: list[str] = []

    def exists(self, name: str) -> bool:
        with self.admin.connect() as conn:
            return bool(
                conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": name}).scalar()
            )

    def create(self, name: str | None = None, *, keep: bool = False) -> str:
        name = name or f"bench_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        if not keep:
            self.created.append(name)
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))

    def close(self) -> None:
        for name in self.created:
            self.drop(name)
        self.admin.dispose()


@contextlib.contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"dispatch-bench-{prefix}-") as raw:
        yield Path(raw)


# --- queued notifications --------------------------------------------------------------------

EMAIL_TEXT = (
    "Hello {name},\n\nYour booking BK-{ref:06d} for Furnace repair is confirmed for "
    "Tue 2026-11-24 09:00 (America/Chicago) at 1200 W Madison St, Chicago, IL.\n\n"
    "Your technician will call when on the way. Reply to this email to change the time.\n\n"
    "Sent by your service team through Dispatch Desktop.\n"
)
EMAIL_HTML = (
    "<html><body><p>Hello {name},</p><p>Your booking <b>BK-{ref:06d}</b> for Furnace repair is confirmed "
    "for <b>Tue 2026-11-24 09:00</b> (America/Chicago) at 1200 W Madison St, Chicago, IL.</p>"
    "<p>Your technician will call when on the way.</p><p><small>Sent by your service team through "
    "Dispatch Desktop.</small></p></body></html>"
)
SMS_TEXT = (
    "BK-{ref:06d} confirmed: Furnace repair, Tue 2026-11-24 09:00, 1200 W Madison St. Reply STOP to opt out."
)


def email_rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "to": f"customer{i}@example.com",
            "subject": f"Booking Confirmation BK-{i:06d}",
            "body": EMAIL_TEXT.format(name=f"Customer {i}", ref=i),
            "html": EMAIL_HTML.format(name=f"Customer {i}", ref=i),
        }
        for i in range(start, start + n)
    ]


def queue_outbox(
    db: Database, *, sms: int = 0, email: int = 0, tag: str = "bench", mixed: bool = False
) -> None:
    """Insert due outbox rows directly (as services.notices.queue would), `sms` SMS then `email` emails
    (alternating with `mixed`, as a booking's notifications come).

    Every body carries `#<n>` so the servers' logs can be matched back to rows.
    """
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for i in range(sms):
        rows.append(
            _outbox_row(
                f"{tag}:sms:{i}",
                "sms",
                f"+1646{2000000 + i:07d}",
                None,
                SMS_TEXT.format(ref=i) + f" #{i}",
                None,
                now,
            )
        )
    for i, mail in enumerate(email_rows(email)):
        rows.append(
            _outbox_row(
                f"{tag}:email:{i}",
                "email",
                mail["to"],
                mail["subject"],
                mail["body"] + f"#{i}\n",
                mail["html"],
                now,
            )
        )
    if mixed:
        texts, mails = rows[:sms], rows[sms:]
        rows = [row for pair in zip(texts, mails, strict=False) for row in pair]
        rows += texts[len(mails) :] + mails[len(texts) :]
    with db.write() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(OutboxMessage), rows[start : start + 5000])


def _outbox_row(
    key: str, channel: str, recipient: str, subject: str | None, body: str, html: str | None, now: Any
) -> dict[str, Any]:
    return {
        "dedupe_key": key,
        "event": "booking_created",
        "channel": channel,
        "recipient": recipient,
        "recipient_name": "Bench Customer",
        "recipient_kind": "customer",
        "subject": subject,
        "body": body,
        "html_body": html,
        "status": "queued",
        "queued_environment": "production",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def outbox_counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return dict(session.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all())  # type: ignore[arg-type]


# --- servers ---------------------------------------------------------------------------------


def slow_smtp(delay: float) -> Any:
    """A FakeSmtp (plain relay) whose every reply, greeting included, is `delay` seconds late."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    from tests.servers.smtp_fake import FakeSmtp, _Handler

    class SlowSMTP(SMTP):
        async def push(self, status: str) -> None:
            await asyncio.sleep(delay)
            await super().push(status)

    class SlowController(Controller):
        def factory(self) -> SMTP:
            return SlowSMTP(self.handler, **self.SMTP_kwargs)

    class SlowFakeSmtp(FakeSmtp):
        def up(self) -> "SlowFakeSmtp":
            self._controller = SlowController(
                _Handler(self), hostname=self.host, port=self.port, server_hostname="fake-smtp.local"
            )
            self._controller.start()
            return self

    return SlowFakeSmtp()


def production_env(twilio: Any, smtp: Any) -> dict[str, str | None]:
    values: dict[str, str | None] = {"FLASK_ENV": "production"}
    values.update(twilio.env())
    values.update(smtp.env())
    return values


def wait_until(predicate: Any, timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


class ServerProcess:
    """A fake server in its own process (tests.bench.serve); `env` points the notifier at it."""

    def __init__(self, kind: str, *args: str) -> None:
        import json
        import subprocess

        self._json = json
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "tests.bench.serve", kind, *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # aiosmtpd warns about its own deprecated login_data on every AUTH
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {kind} server did not start")
        self.env: dict[str, str] = json.loads(line)

    def ask(self, command: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._json.loads(self.proc.stdout.readline())

    def count(self) -> int:
        return int(self.ask("count"))

    def received_keys(self) -> list[str]:
        return list(self.ask("keys"))

    def times(self) -> list[float]:
        return list(self.ask("times"))

    def clear(self) -> None:
        self.ask("clear")

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            try:
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
