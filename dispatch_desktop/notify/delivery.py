"""The delivery engine: claim due outbox rows, send them, record what happened. Qt-free.

The product reaches `deliver_due` only through notify.async_notifier.send_notifications_async,
so the console and the command line get the same claiming, sending, logging and bookkeeping.
The environment is decided once per run and the credentials loaded once per run.
"""

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypedDict, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dispatch_desktop.config import Config
from dispatch_desktop.domain.errors import DatabaseUnavailableError, DispatchError
from dispatch_desktop.domain.outbox import Channel, OutboxStatus
from dispatch_desktop.notify import credentials as creds
from dispatch_desktop.notify.log_line import (
    FAILED,
    PERMANENT,
    RETRY,
    SKIPPED,
    Notice,
    environment_tag,
    escape_newlines,
    log_notice,
)
from dispatch_desktop.notify.notifier import (
    DEVELOPMENT,
    PRODUCTION,
    Outcome,
    SendResult,
    environment_decision,
    missing_credentials,
    send_email,
    send_sms,
)
from dispatch_desktop.notify.secrets import scrub
from dispatch_desktop.notify.smtp_sender import SmtpBatch, message_id_domain
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.engine import Database, unavailable_as_error
from dispatch_desktop.storage.outbox import suppressions
from dispatch_desktop.storage.types import utcnow

if TYPE_CHECKING:  # twilio and requests load only when a production run sends texts (start-up time)
    from dispatch_desktop.notify.twilio_sender import RateLimiter, TwilioSender

log = logging.getLogger("dispatch_desktop.notify")

SMS, EMAIL = Channel.SMS, Channel.EMAIL
BATCH_SIZE = 50
# Emails go one after another on one connection; 20 at the 15 s timeout stay well inside a claim's life.
EMAIL_BATCH_SIZE = 20
# Texts in flight at once: each sender thread claims one text, sends it, records it, and claims the next.
SMS_CONCURRENCY = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
MIN_RETRY_AFTER = timedelta(seconds=1)
# A claim older than this belongs to a worker that died (sends time out long before).
CLAIM_STALE_AFTER = timedelta(minutes=15)
STOPPED_MID_SEND = "the sending process stopped during the send"
# A database blip (PostgreSQL restarting or down, SQLite busy past its timeout) is waited out:
# the step is tried again after DB_RETRY_FIRST seconds, doubling up to DB_RETRY_MAX.
DB_RETRY_FIRST = 0.05
DB_RETRY_MAX = 2.0
# Claiming waits this long for the database before the run ends (nothing is held while claiming);
# recording a send's outcome waits as long as it takes, so a sent message never turns into a doubt.
CLAIM_PATIENCE = 60.0

_R = TypeVar("_R")


class DeliveryStoppedError(DispatchError):
    """A delivery run ended early; the rows it held were put back with the reason."""


@dataclass
class DeliveryReport:
    environment: str = DEVELOPMENT
    counts: dict[str, int] = field(default_factory=dict)
    held: int = 0  # production rows waiting for credentials
    recovered: int = 0  # rows found in `sending` from a worker that died
    skipped: int = 0  # skip records logged in this run
    missing: dict[str, list[str]] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def processed(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, object]:
        return {
            "environment": self.environment,
            "counts": dict(self.counts),
            "held": self.held,
            "recovered": self.recovered,
            "skipped": self.skipped,
            "missing_credentials": {channel: list(names) for channel, names in self.missing.items()},
        }

    def summary(self) -> str:
        parts = [f"{count} {status}" for status, count in sorted(self.counts.items())]
        if self.held:
            parts.append(f"{self.held} waiting for credentials")
        if self.recovered:
            parts.append(f"{self.recovered} recovered from a dead or silent worker")
        return f"[{environment_tag(self.environment)}] delivered: " + (", ".join(parts) or "nothing due")


def claimer_id(worker_id: str) -> str:
    return f"{worker_id}@{socket.gethostname()}:{os.getpid()}"[:120]


def claimer_is_dead(claimed_by: str | None) -> bool:
    """Only provable on this host: the claiming process no longer exists."""
    if not claimed_by or os.name != "posix" or "@" not in claimed_by:
        return False
    host, _, pid = claimed_by.rsplit("@", 1)[1].rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_MAX)


def redirect_targets(config: Config) -> tuple[str | None, str | None]:
    phone = os.environ.get("DISPATCH_REDIRECT_TO_PHONE") or config.redirect_to_phone
    email = os.environ.get("DISPATCH_REDIRECT_TO_EMAIL") or config.redirect_to_email
    return (phone or None), (email or None)


def recover_stale(db: Database, *, now: datetime, stale_after: timedelta = CLAIM_STALE_AFTER) -> int:
    """Rows left in `sending` by a worker that died.

    An SMS may or may not have reached Twilio, and a Twilio send is not idempotent, so it
    becomes `unknown` for a person to retry or dismiss. An email goes back to `retry`: a lost
    email is worse than a duplicate, and the resend carries the same Message-ID, which mail
    systems use to fold duplicates. Rows claimed in development never left the machine.
    """
    recovered = 0
    with db.read() as session:
        if not store.in_flight(session):
            return 0
    with db.write() as session:
        for row in store.in_flight(session):
            dead = claimer_is_dead(row.claimed_by)
            if not (dead or row.claimed_at is None or row.claimed_at <= now - stale_after):
                continue
            # Only a process proven gone "stopped"; one on another host may be alive and merely silent.
            why = STOPPED_MID_SEND if dead else _silent_claim(row.claimed_by, stale_after)
            if row.environment != PRODUCTION:
                status, error = OutboxStatus.QUEUED, f"{why} (development: nothing was sent); queued again"
            elif row.channel == SMS:
                status = OutboxStatus.UNKNOWN
                error = f"{why}; it may have been delivered: check Twilio, then retry or dismiss"
            else:
                status, error = OutboxStatus.RETRY, f"{why}; sending again with the same Message-ID"
            if store.release_stale(session, row.id, row.claimed_by, status=status, error=error, now=now):
                recovered += 1
                _log_failure(row.environment, row.channel, row.recipient, error, status)
    return recovered


def _silent_claim(claimed_by: str | None, stale_after: timedelta) -> str:
    minutes = stale_after.total_seconds() / 60
    return f"{claimed_by or 'a worker'} recorded no outcome within {minutes:g} minutes of claiming it"


def _log_failure(environment: str | None, channel: str, recipient: str, error: str, status: str) -> None:
    """A failure the engine itself meets (not a send's): `status` is what the row became."""
    log_notice(Notice(environment or DEVELOPMENT, channel, FAILED, recipient, error=error, failure=status))


@dataclass
class _Run:
    db: Database
    config: Config
    production: bool
    worker: str
    report: DeliveryReport
    twilio: "TwilioSender | None" = None
    # Paces the claims of texts at the configured rate, so a text waits for its turn before it is
    # claimed, not while claimed (the sender's own limiter then holds the rate at the request).
    sms_pacer: "RateLimiter | None" = None
    smtp: creds.SmtpCredentials | None = None
    redirect_phone: str | None = None
    redirect_email: str | None = None
    # SQLite has one writer: threads that queue on the busy handler sleep up to 100 ms each time,
    # so this process's sending threads take turns here instead.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    report_lock: threading.Lock = field(default_factory=threading.Lock)
    # Claimed and not yet recorded (guarded by report_lock): what an unexpected error puts back.
    held: dict[int, store.Claimed] = field(default_factory=dict)
    started_sms: set[int] = field(default_factory=set)  # texts whose request may have gone out
    stamps: set[datetime] = field(default_factory=set)  # each claim's claimed_at, unique in the run

    @property
    def environment(self) -> str:
        return PRODUCTION if self.production else DEVELOPMENT

    @property
    def tag(self) -> str:
        return environment_tag(self.environment)


def deliver_due(
    db: Database,
    config: Config,
    *,
    worker_id: str = "worker",
    limit: int | None = None,
    now: Callable[[], datetime] = utcnow,
    stale_after: timedelta = CLAIM_STALE_AFTER,
) -> DeliveryReport:
    """Send (production) or log (development) every due row, at most `limit`; return what happened.

    Transient failures stay in `retry` for a later run; nothing here raises for a send failure,
    and a database blip is waited out. Anything else that goes wrong ends the run with one
    DispatchError (DeliveryStoppedError once rows it held were put back with the reason, or for
    an error that is not a DispatchError itself). Logging is set up by the caller.
    """
    decision = environment_decision(config)
    run = _Run(db, config, decision.production, claimer_id(worker_id), DeliveryReport(decision.name))
    try:
        started = now()
        run.report.recovered = recover_stale(db, now=started, stale_after=stale_after)
        _announce_skips(run, started)
        channels: Sequence[str] = [SMS, EMAIL]
        if run.production:
            channels = _prepare_production(run, started)
        _claim_and_send(run, channels, limit, started, now)
    except Exception as exc:
        # Whatever went wrong, no row stays `sending` behind a live process, and the caller (a
        # command that has already committed, the headless notifier) gets one DispatchError.
        if isinstance(exc, DispatchError):
            reason = f"delivery stopped: {exc}"
        else:
            reason = f"delivery stopped by an unexpected error: {type(exc).__name__}: {exc}"
        reason = scrub(escape_newlines(reason))[:300]
        put_back = _give_back(run, reason, now)
        if isinstance(exc, DispatchError) and not put_back:
            raise
        raise DeliveryStoppedError(f"{reason}; {put_back} message(s) put back to be sent later") from exc
    return run.report


def _give_back(run: _Run, reason: str, now: Callable[[], datetime]) -> int:
    """Rows the run still holds go back with the reason: to `retry`, except a text whose request
    may have reached Twilio, which becomes `unknown` (a text is never resent blindly)."""
    with run.report_lock:
        held = list(run.held.values())
    put_back = 0
    for row in held:
        doubt = row.channel == SMS and row.id in run.started_sms and run.production
        status = Outcome.UNKNOWN if doubt else Outcome.RETRY
        try:
            if _record(run, row, SendResult(status, error=reason), now, patience=CLAIM_PATIENCE):
                put_back += 1
                _log_failure(run.environment, row.channel, row.recipient, reason, status.value)
        except DispatchError:
            break  # the database stayed away: recover_stale releases them once this process is gone
    return put_back


class _Budget:
    """How many more rows this run may claim (`limit`), shared by the SMS and email lanes."""

    def __init__(self, limit: int | None) -> None:
        self._left = limit
        self._lock = threading.Lock()

    def take(self, wanted: int) -> int:
        with self._lock:
            if self._left is None:
                return wanted
            granted = min(wanted, self._left)
            self._left -= granted
            return granted

    def give_back(self, unused: int) -> None:
        with self._lock:
            if self._left is not None:
                self._left += unused


def _claim_and_send(
    run: _Run, channels: Sequence[str], limit: int | None, started: datetime, now: Callable[[], datetime]
) -> None:
    budget = _Budget(limit)
    if not run.production:
        _lane(run, channels, BATCH_SIZE, budget, started, now, _deliver_in_order)
        return
    # SMS and email each have their own lane, so a slow mail server never holds up texts.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="dispatch-lane") as lanes:
        futures = []
        if SMS in channels:
            futures.append(lanes.submit(_sms_window, run, budget, started, now))
        if EMAIL in channels:
            futures.append(lanes.submit(_email_lane, run, budget, started, now))
        for future in futures:
            future.result()


def _sms_window(run: _Run, budget: _Budget, started: datetime, now: Callable[[], datetime]) -> None:
    """A sliding window of SMS_CONCURRENCY texts in flight.

    Each sender thread claims ONE text, sends it, records it, then claims the next, so a new
    send starts as soon as any finishes. A text is claimed (committed) just before its send: if
    this process dies, only the texts really in flight are left in doubt (`unknown`), never
    ones that had not started.
    """
    if not _has_due(run, started, [SMS]):
        return  # an idle run never takes SQLite's write lock
    drained = threading.Event()
    senders = SMS_CONCURRENCY
    with ThreadPoolExecutor(max_workers=senders, thread_name_prefix="dispatch-sms") as pool:
        futures = [pool.submit(_sms_sender, run, budget, started, now, drained) for _ in range(senders)]
    for future in futures:
        future.result()


def _sms_sender(
    run: _Run, budget: _Budget, started: datetime, now: Callable[[], datetime], drained: threading.Event
) -> None:
    """One slot of the window: claim one due text, send it, record it, until none is left."""
    try:
        while not drained.is_set():
            if run.sms_pacer is not None:
                run.sms_pacer.wait()
                if drained.is_set():
                    return
            if budget.take(1) == 0:
                return
            claimed = _claim_text(run, started, now)
            if claimed is None:
                budget.give_back(1)
                drained.set()
                return
            row, suppressed = claimed
            _deliver_sms(run, row, suppressed, now)
    except BaseException:
        drained.set()  # the other slots stop claiming too; the error surfaces from deliver_due
        raise


def _claim_text(
    run: _Run, started: datetime, now: Callable[[], datetime]
) -> tuple[store.Claimed, set[str]] | None:
    batch, suppressed = _claim(run, [SMS], 1, started, now, sms=True)
    return (batch[0], suppressed) if batch else None


def _has_due(run: _Run, started: datetime, channels: Sequence[str]) -> bool:
    def read(_again: bool) -> bool:
        with run.db.read() as session:
            return store.has_due(session, now=started, channels=channels, environment=run.environment)

    return _patiently(run, read, what="looking for due messages", patience=CLAIM_PATIENCE)


def _claim(
    run: _Run,
    channels: Sequence[str],
    limit: int,
    started: datetime,
    now: Callable[[], datetime],
    *,
    sms: bool = False,
) -> tuple[list[store.Claimed], set[str]]:
    """Claim up to `limit` rows due as of the run's start (a row this run put back for later is
    not taken again by it), with the STOP suppressions among their numbers when `sms`.

    Waits out a database blip. When a try fails after its commit may have reached the server,
    the next one first looks for rows under this claim's stamp: they are this run's to send.
    """
    with run.report_lock:
        stamp = now()
        while stamp in run.stamps:
            stamp += timedelta(microseconds=1)
        run.stamps.add(stamp)

    def suppressions(session: Session, rows: list[store.Claimed]) -> set[str]:
        return _suppressed_in(session, run, [row.recipient for row in rows]) if sms and rows else set()

    def attempt(again: bool) -> tuple[list[store.Claimed], set[str]]:
        if again:
            with run.db.read() as session:
                landed = store.claimed_at(session, worker=run.worker, at=stamp)
                if landed:
                    return landed, suppressions(session, landed)
        with _serialized(run), run.db.write() as session:
            batch = store.claim_due(
                session,
                worker=run.worker,
                now=stamp,
                due_by=started,
                limit=limit,
                channels=channels,
                environment=run.environment,
            )
            return batch, suppressions(session, batch)

    batch, suppressed = _patiently(run, attempt, what="claiming due messages", patience=CLAIM_PATIENCE)
    with run.report_lock:
        run.held.update((row.id, row) for row in batch)
    return batch, suppressed


def _patiently(run: _Run, step: Callable[[bool], _R], *, what: str, patience: float | None) -> _R:
    """`step`, tried again with backoff while the database is unavailable, for at most `patience`
    seconds (None: until it succeeds). Each engine reconnects on its own (pre-ping, invalidation).

    `step(again)` is told when an earlier try failed: its commit may have reached the server
    before the connection dropped, so it checks what landed before writing anything twice.
    """
    delay, waiting_since = DB_RETRY_FIRST, None
    while True:
        try:
            result = step(waiting_since is not None)
        except DatabaseUnavailableError as exc:
            if waiting_since is None:
                waiting_since = time.monotonic()
                log.warning("[%s] %s waits for the database: %s", run.tag, what, exc)
            elif patience is not None and time.monotonic() - waiting_since >= patience:
                raise
            time.sleep(delay)
            delay = min(delay * 2, DB_RETRY_MAX)
            continue
        if waiting_since is not None:
            waited = time.monotonic() - waiting_since
            log.info("[%s] %s went through after %.1f s waiting for the database", run.tag, what, waited)
        return result


def _email_lane(run: _Run, budget: _Budget, started: datetime, now: Callable[[], datetime]) -> None:
    """Claimed batches of emails over one SMTP connection for the whole lane (connect, STARTTLS and
    sign-in once), reconnecting only when the server has dropped it."""
    assert run.smtp is not None
    with SmtpBatch(run.smtp) as connection, closing(_Writer(run.db, keep=True)) as writer:
        _lane(
            run,
            [EMAIL],
            EMAIL_BATCH_SIZE,
            budget,
            started,
            now,
            partial(_deliver_emails, connection=connection, writer=writer),
        )


def _lane(
    run: _Run,
    channels: Sequence[str],
    size: int,
    budget: _Budget,
    started: datetime,
    now: Callable[[], datetime],
    deliver: Callable[[_Run, list[store.Claimed], Callable[[], datetime]], None],
) -> None:
    while True:
        wanted = budget.take(size)
        if wanted == 0:
            return
        batch = _claim(run, channels, wanted, started, now)[0] if _has_due(run, started, channels) else []
        budget.give_back(wanted - len(batch))
        if not batch:
            return
        deliver(run, batch, now)


def _announce_skips(run: _Run, now: datetime) -> None:
    with run.db.read() as session:
        if not store.has_unannounced_skips(session, run.environment):
            return
    with run.db.write() as session:
        rows = store.announce_skips(session, environment=run.environment, now=now)
    for row in rows:
        log_notice(
            Notice(
                run.environment,
                row.channel,
                SKIPPED,
                row.recipient_name or "",
                error=row.last_error,
                recipient_kind=row.recipient_kind,
            )
        )
    run.report.skipped = len(rows)


def _prepare_production(run: _Run, now: datetime) -> list[str]:
    """Load credentials fresh (so waiting rows go as soon as they exist); hold channels without them."""
    run.redirect_phone, run.redirect_email = redirect_targets(run.config)
    twilio, smtp = creds.load_twilio(run.config), creds.load_smtp(run.config)
    channels: list[str] = []
    for channel, missing in ((SMS, twilio.missing()), (EMAIL, smtp.missing())):
        if not missing:
            channels.append(channel)
            continue
        run.report.missing[channel] = missing
        with run.db.write() as session:
            held = store.hold_for_credentials(
                session, channel=channel, error=missing_credentials(missing), now=now, environment=PRODUCTION
            )
        run.report.held += len(held)
        for row in held:
            error = missing_credentials(missing)
            log_notice(Notice(PRODUCTION, channel, FAILED, row.recipient, error=error, failure=RETRY))
    if SMS in channels:
        from dispatch_desktop.notify.twilio_sender import RateLimiter, TwilioSender

        run.twilio = TwilioSender(twilio)
        rate = twilio.rate_limit_per_second
        run.sms_pacer = RateLimiter(rate) if rate and rate > 0 else None
    if EMAIL in channels:
        run.smtp = smtp
    return channels


def _deliver_in_order(run: _Run, batch: list[store.Claimed], now: Callable[[], datetime]) -> None:
    """Development: nothing leaves the machine, so log in row order and the console reads like the outbox."""
    suppressed = _suppressed(run, [row.recipient for row in batch if row.channel == SMS])
    for row in batch:
        if row.channel == SMS:
            _deliver_sms(run, row, suppressed, now)
        else:
            _deliver_emails(run, [row], now)


def _suppressed(run: _Run, phones: list[str]) -> set[str]:
    def read(_again: bool) -> set[str]:
        with run.db.read() as session:
            return _suppressed_in(session, run, phones)

    return _patiently(run, read, what="reading STOP suppressions", patience=CLAIM_PATIENCE)


def _suppressed_in(session: Session, run: _Run, phones: list[str]) -> set[str]:
    targets = set(phones)
    if run.redirect_phone:
        targets.add(run.redirect_phone)
    return suppressions.suppressed_among(session, targets)


def _deliver_sms(run: _Run, row: store.Claimed, suppressed: set[str], now: Callable[[], datetime]) -> None:
    actual = run.redirect_phone or row.recipient
    if row.recipient in suppressed or actual in suppressed:
        number = row.recipient if row.recipient in suppressed else actual
        error = f"{number} replied STOP and is suppressed; clear the suppression to send again"
        log_notice(Notice(run.environment, SMS, FAILED, row.recipient, error=error, failure=PERMANENT))
        _record(run, row, SendResult(Outcome.FAILED, error=error), now)
        return
    with run.report_lock:
        run.started_sms.add(row.id)
    result = send_sms(
        row.recipient,
        row.body,
        production=run.production,
        sender=run.twilio,
        redirect_to=run.redirect_phone,
        attempt=row.attempts,
        max_attempts=run.config.max_attempts,
    )
    _record(run, row, result, now, suppress_phone=actual if result.suppress else None)


def _deliver_emails(
    run: _Run,
    rows: list[store.Claimed],
    now: Callable[[], datetime],
    *,
    connection: SmtpBatch | None = None,
    writer: "_Writer | None" = None,
) -> None:
    if connection is not None:
        connection.start_batch()
    from_address = run.smtp.from_address.value if run.smtp is not None else None
    for row in rows:
        result = send_email(
            row.recipient,
            row.subject or "",
            row.body,
            row.html_body,
            production=run.production,
            sender=connection,
            redirect_to=run.redirect_email,
            message_id=outbox_message_id(row, from_address),
            calendar=row.calendar,
            attempt=row.attempts,
            max_attempts=run.config.max_attempts,
        )
        # Recorded as soon as the server has replied, before the next send: a process killed
        # mid-batch resends at most the one email that was on the wire.
        _record(run, row, result, now, writer=writer)


@contextmanager
def _serialized(run: _Run) -> Iterator[None]:
    if not run.db.is_sqlite:
        yield
        return
    with run.write_lock:
        yield


class _Writer:
    """Outcome writes on a Core connection, half a Session's cost; with `keep` (the email lane,
    which records once per email) the connection stays open between writes."""

    def __init__(self, db: Database, *, keep: bool) -> None:
        self._db, self._keep = db, keep
        self._connection: Connection | None = None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with unavailable_as_error(self._db.url):
                if self._connection is None:
                    self._connection = self._db.connect_writer()
                with self._connection.begin():
                    yield self._connection
        except DispatchError:
            self.close()  # a connection that failed is dropped; the next try connects afresh
            raise
        finally:
            if not self._keep:
                self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def outbox_message_id(row: store.Claimed, from_address: str | None) -> str:
    """Stable per row, so a resend after a crash carries the same Message-ID as the first try; the
    row's creation time makes it unique beyond this database (RFC 5322 asks for a worldwide unique
    one), so a team's new database never repeats the ID of a mail its old one sent."""
    digest = hashlib.sha256(f"{row.dedupe_key}|{row.created_at.isoformat()}".encode()).hexdigest()[:16]
    return f"<outbox-{row.id}-{digest}@{message_id_domain(from_address)}>"


class _RetryValues(TypedDict, total=False):
    next_attempt_at: datetime
    attempts: int


def _retry_values(row: store.Claimed, result: SendResult, at: datetime) -> _RetryValues:
    """When a retried row is due again, and its attempts when the failure was not the message's fault."""
    extra: _RetryValues = {}
    if result.outcome is Outcome.RETRY:
        tries = row.attempts if result.counts_attempt else 1
        wait = backoff(tries)
        if result.retry_after is not None:
            wait = max(timedelta(seconds=result.retry_after), MIN_RETRY_AFTER)
        extra["next_attempt_at"] = at + wait
        if not result.counts_attempt:
            extra["attempts"] = max(0, row.attempts - 1)
    return extra


def _record(
    run: _Run,
    row: store.Claimed,
    result: SendResult,
    now: Callable[[], datetime],
    *,
    suppress_phone: str | None = None,
    patience: float | None = None,
    writer: "_Writer | None" = None,
) -> bool:
    """Record a send's outcome while this worker still owns the row; returns whether it did.

    The outcome stays in memory through a database blip and is written as soon as the database
    answers again, so a message that went out is never left for recover_stale to doubt.
    """
    status = result.outcome.value
    writer = writer or _Writer(run.db, keep=False)

    def write(again: bool) -> bool:
        at = now()
        with _serialized(run), writer.transaction() as connection:
            recorded = store.finish(
                connection,
                row,
                status=status,
                now=at,
                error=result.error,
                provider_id=result.provider_id,
                sent_to=result.sent_to,
                **_retry_values(row, result, at),
            )
            if recorded and suppress_phone:
                suppressions.suppress(connection, suppress_phone, result.error or "replied STOP", at)
            return recorded or (again and store.recorded_as(connection, row, status))

    recorded = _patiently(run, write, what=f"recording the outcome for {row.recipient}", patience=patience)
    with run.report_lock:
        run.held.pop(row.id, None)
        if recorded:
            run.report.add(status)
    return recorded
