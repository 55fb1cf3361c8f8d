"""The provider sync: ask Twilio what became of the texts it accepted, and settle `unknown` ones.

One pass (`run_sync_pass`) is a list of steps, each a function of one `SyncRun` (the database,
the Twilio reader, the config, the pass's `now`) returning its own report; `SyncReport.steps`
holds them by name: receipts, `unknown` texts, then the texts people sent the team
(services/inbound.pull_inbound, which stores and applies each one once).

Only the lease holder polls Twilio: every console and headless notifier may run a pass, the
first to take the lease leads until it stops renewing it (two sync intervals). Each write is
conditional, so a pass that overlaps another changes nothing the other already changed. In
development nothing is asked and nothing connects.
"""

import os
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from dispatch_desktop.config import Config
from dispatch_desktop.domain.delivery import NOT_REACHED, Delivery, delivery_of, reason_for
from dispatch_desktop.domain.outbox import Channel, OutboxStatus
from dispatch_desktop.services import inbound, sync_health
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage import lease
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.outbox import receipts
from dispatch_desktop.storage.types import utcnow

if TYPE_CHECKING:  # twilio loads only when a production pass asks it something
    from dispatch_desktop.notify.twilio_reader import ProviderMessage, TwilioReader

LEASE_NAME = "provider-sync"
NO_SYNC = "development: no provider sync"
PRODUCTION = "production"
# More pending receipts than this are read with the Messages list, fewer one by one.
HANDFUL = 5
# The DateSent lower bound starts this much before the oldest pending send (clocks differ a little).
CLOCK_SLACK = timedelta(minutes=5)
# The search for an unknown text starts this much before its claim.
CLAIM_SLACK = timedelta(minutes=1)
# A pending text the list did not show (Twilio gives a text that never went out no DateSent) is
# fetched by SID once it is this old, at most HANDFUL per pass.
STRAGGLER_AFTER = timedelta(minutes=10)
FOUND_NOTE = "found in Twilio's log"
ABSENT_NOTE = "not in Twilio's log: will resend"


class StepReport(Protocol):
    """What one step of a pass learnt."""

    def to_json(self) -> dict[str, object]: ...

    def summary(self) -> str:
        """One clause for the pass's summary line; empty when the step learnt nothing."""
        ...

    def changes(self) -> int:
        """Rows the step changed (a console then refreshes what shows them)."""
        ...


@dataclass
class ReceiptReport:
    checked: int = 0  # sent texts whose delivery was not final
    updated: dict[str, int] = field(default_factory=dict)  # rows changed, per delivery state

    def to_json(self) -> dict[str, object]:
        return {"checked": self.checked, "updated": dict(sorted(self.updated.items()))}

    def summary(self) -> str:
        if not self.updated:
            return f"{self.checked} receipt(s) checked, none changed" if self.checked else ""
        parts = ", ".join(f"{count} {state}" for state, count in sorted(self.updated.items()))
        return f"receipts updated: {parts}"

    def changes(self) -> int:
        return sum(self.updated.values())


@dataclass
class UnknownReport:
    found: int = 0  # in Twilio's log: now sent
    released: int = 0  # proven absent after the grace period: sent again by the next run
    waiting: int = 0  # absent, but still within the grace period

    def to_json(self) -> dict[str, object]:
        return {"found": self.found, "released": self.released, "waiting": self.waiting}

    def summary(self) -> str:
        if not (self.found or self.released or self.waiting):
            return ""
        return (
            f"unknown: {self.found} found in Twilio's log, {self.released} released to resend, "
            f"{self.waiting} still waiting"
        )

    def changes(self) -> int:
        return self.found + self.released


@dataclass
class SyncReport:
    environment: str
    leader: bool = False
    holder: str | None = None  # who holds the lease (another holder, when this pass was skipped)
    missing: list[str] = field(default_factory=list)  # Twilio credentials this workstation lacks
    requests: int = 0  # HTTP requests made to Twilio
    steps: dict[str, StepReport] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "environment": self.environment,
            "leader": self.leader,
            "holder": self.holder,
            "missing_credentials": list(self.missing),
            "requests": self.requests,
            **{name: step.to_json() for name, step in self.steps.items()},
        }

    @property
    def changes(self) -> int:
        return sum(step.changes() for step in self.steps.values())

    def summary(self) -> str:
        if self.environment != PRODUCTION:
            return NO_SYNC
        if self.missing:
            return f"production: no provider sync: missing Twilio credentials: {', '.join(self.missing)}"
        if not self.leader:
            return f"provider sync skipped: not the sync leader ({self.holder} leads)"
        said = [text for step in self.steps.values() if (text := step.summary())]
        return f"provider sync ({self.requests} request(s)): " + ("; ".join(said) or "nothing to learn")


@dataclass(frozen=True)
class SyncRun:
    """What every step of one pass works with."""

    db: Database
    reader: "TwilioReader"
    config: Config
    now: datetime
    redirect_phone: str | None  # texts went there instead (DISPATCH_REDIRECT_TO_PHONE)


SyncStep = Callable[[SyncRun], StepReport]


def holder_id(worker: str) -> str:
    """Who leads, as `holder` says it: the worker name, host and process."""
    return f"{worker}@{socket.gethostname()}:{os.getpid()}"[:200]


def lease_ttl(config: Config) -> timedelta:
    """A leader that stopped renewing is replaced after two sync intervals."""
    return timedelta(seconds=2 * config.sync_interval_seconds)


# --- receipts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Receipt:
    row: receipts.Pending
    delivery: Delivery
    error_code: int | None
    reason: str | None


def sync_receipts(run: SyncRun) -> ReceiptReport:
    """Map Twilio's status of every pending sent text to its delivery; log and count the changes."""
    with run.db.read() as session:
        pending = receipts.pending(session, now=run.now, environment=PRODUCTION)
    report = ReceiptReport(checked=len(pending))
    if not pending:
        return report
    by_sid = {row.provider_id: row for row in pending}
    changes = [receipt for message in _read(run, pending) if (receipt := _receipt(by_sid, message))]
    if not changes:
        return report
    with run.db.write() as session:
        landed = [
            change
            for change in changes
            if receipts.record_receipt(
                session,
                change.row.id,
                change.row.provider_id,
                delivery=change.delivery,
                error_code=change.error_code,
                reason=change.reason,
                now=run.now,
            )
        ]
    for change in landed:
        report.updated[change.delivery] = report.updated.get(change.delivery, 0) + 1
        _log_receipt(change.row.recipient, change.row.provider_id, change.delivery, change.reason)
    return report


def _read(run: SyncRun, pending: Sequence[receipts.Pending]) -> Iterable["ProviderMessage"]:
    """The Messages list when more than a handful are pending, else one fetch per text."""
    if len(pending) <= HANDFUL:
        yield from (message for row in pending if (message := run.reader.fetch(row.provider_id)))
        return
    wanted = {row.provider_id for row in pending}
    since = min(row.sent_at for row in pending) - CLOCK_SLACK
    for message in run.reader.sent_since(since):
        if message.sid in wanted:
            wanted.discard(message.sid)
            yield message
    stragglers = [
        row for row in pending if row.provider_id in wanted and row.sent_at <= run.now - STRAGGLER_AFTER
    ]
    for row in stragglers[:HANDFUL]:
        found = run.reader.fetch(row.provider_id)
        if found is not None:
            yield found


def _receipt(by_sid: dict[str, receipts.Pending], message: "ProviderMessage") -> _Receipt | None:
    row = by_sid.get(message.sid)
    delivery = delivery_of(message.status)
    if row is None or delivery is None:
        return None
    if (delivery.value, message.error_code) == (row.delivery, row.delivery_error_code):
        return None
    return _Receipt(row, delivery, message.error_code, reason_for(message.error_code, message.error_message))


def _log_receipt(to: str, sid: str, delivery: str, reason: str | None) -> None:
    from dispatch_desktop.notify.log_line import Notice, log_notice

    log_notice(
        Notice(PRODUCTION, Channel.SMS, OutboxStatus.SENT, to, sid=sid, error=reason, delivery=delivery)
    )


# --- unknown texts -------------------------------------------------------------------------


def resolve_unknown(run: SyncRun) -> UnknownReport:
    """Look each `unknown` text up in Twilio's log: found → sent; absent past the grace → retry."""
    with run.db.read() as session:
        rows = receipts.unknown(session, environment=PRODUCTION)
    report = UnknownReport()
    grace = timedelta(seconds=run.config.unknown_grace_seconds)
    for row in rows:
        if row.claimed_at is None:  # nothing bounds the search: a person decides, as before
            report.waiting += 1
            continue
        to = run.redirect_phone or row.recipient
        candidates = [
            message
            for message in run.reader.to_recipient(to, row.claimed_at - CLAIM_SLACK)
            if message.body == row.body and message.direction.startswith("outbound")
        ]
        _settle(run, row, to, candidates, grace, report)
    return report


def _settle(
    run: SyncRun,
    row: receipts.Unknown,
    to: str,
    candidates: list["ProviderMessage"],
    grace: timedelta,
    report: UnknownReport,
) -> None:
    from dispatch_desktop.notify.log_line import Notice, log_notice

    assert row.claimed_at is not None
    with run.db.write() as session:
        taken = receipts.known_sids(session, [message.sid for message in candidates])
        # Oldest first: the list is newest first, and the first try is the one this claim made.
        match = next((message for message in reversed(candidates) if message.sid not in taken), None)
        if match is not None:
            delivery = delivery_of(match.status)
            reason = reason_for(match.error_code, match.error_message)
            done = receipts.found_sent(
                session,
                row,
                provider_id=match.sid,
                sent_to=to,
                sent_at=match.date_sent or match.date_created or row.claimed_at,
                delivery=delivery.value if delivery else None,
                error_code=match.error_code,
                reason=reason,
                now=run.now,
            )
        elif run.now - row.claimed_at >= grace:
            done = receipts.release_absent(session, row, error=ABSENT_NOTE, now=run.now)
        else:
            report.waiting += 1
            return
    if not done:
        return  # another pass settled it first
    if match is None:
        report.released += 1
        log_notice(Notice(PRODUCTION, Channel.SMS, OutboxStatus.RETRY, to, redirected_from=row.recipient,
                          note=ABSENT_NOTE))  # fmt: skip
        return
    report.found += 1
    log_notice(Notice(PRODUCTION, Channel.SMS, OutboxStatus.SENT, to, redirected_from=row.recipient,
                      sid=match.sid, note=FOUND_NOTE))  # fmt: skip
    if delivery is not None and delivery in NOT_REACHED:
        _log_receipt(to, match.sid, delivery, reason)


def pull_replies(run: SyncRun) -> StepReport:
    """The texts people sent the team's number since the newest stored one, each applied once."""
    return inbound.pull_inbound(ServiceContext(run.db, config=run.config), run.reader, run.now)


STEPS: tuple[tuple[str, SyncStep], ...] = (
    ("receipts", sync_receipts),
    ("unknown", resolve_unknown),
    ("inbound", pull_replies),
)


# --- one pass ------------------------------------------------------------------------------


def run_steps(run: SyncRun, report: SyncReport, steps: Sequence[tuple[str, SyncStep]] = STEPS) -> SyncReport:
    """Each step in turn on one reader; the report counts the requests all of them made."""
    try:
        for name, step in steps:
            report.steps[name] = step(run)
    finally:
        report.requests = run.reader.requests
    return report


def run_sync_pass(
    db: Database,
    config: Config,
    *,
    holder: str,
    now: datetime | None = None,
    steps: Sequence[tuple[str, SyncStep]] = STEPS,
) -> SyncReport:
    """One provider sync pass as `holder`, if it may lead; what it learnt.

    Development returns at once (`development: no provider sync`): no lease, no connection.
    A workstation without Twilio credentials neither leads nor asks. Twilio unreachable or
    refusing raises notify.twilio_reader.ProviderUnavailableError (exit 5) after the steps
    before it have recorded what they learnt; nothing is released on a failed search. Either
    way the pass is recorded for every workstation to see (services/sync_health.py).
    """
    from dispatch_desktop.notify import credentials
    from dispatch_desktop.notify.delivery import redirect_targets
    from dispatch_desktop.notify.notifier import environment_decision

    decision = environment_decision(config)
    if not decision.production:
        return SyncReport(decision.name)
    report = SyncReport(PRODUCTION)
    twilio = credentials.load_twilio(config)
    report.missing = twilio.missing()
    if report.missing:
        return report
    at = now or utcnow()
    with db.read() as session:
        current = lease.current(session, LEASE_NAME)
    if current is not None and current.holder != holder and current.expires_at > at:
        report.holder = current.holder
        return report
    with db.write() as session:
        state = lease.take(session, LEASE_NAME, holder, now=at, ttl=lease_ttl(config))
    report.leader, report.holder = state.held, state.holder
    if not state.held:
        return report
    from dispatch_desktop.notify.twilio_reader import ProviderUnavailableError, TwilioReader

    run = SyncRun(db, TwilioReader(twilio), config, at, redirect_targets(config)[0])
    try:
        run_steps(run, report, steps)
    except ProviderUnavailableError:
        sync_health.record_pass(db, answered=False, now=at)
        raise
    sync_health.record_pass(db, answered=True, now=at)
    return report


def release_leadership(db: Database, holder: str) -> bool:
    """A clean stop: the next pass of another workstation leads at once, not after the lease expires."""
    with db.write() as session:
        return lease.release(session, LEASE_NAME, holder)


def sync_provider(ctx: ServiceContext, config: Config, *, worker: str) -> SyncReport:
    """One pass for the acting operator's command or notifier (a known operator, a ready schema)."""
    ctx.actor()
    return run_sync_pass(ctx.db, config, holder=holder_id(worker))
