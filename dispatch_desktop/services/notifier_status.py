"""Who delivers notifications, and what waits with nobody able to deliver it.

Each `notifier run` and each delivering console renews a heartbeat row in the shared database;
every workstation reads them back for `notifier status`, its status bar and its red banner.
"""

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dispatch_desktop.domain.outbox import SENT_OR_LOGGED
from dispatch_desktop.notify.delivery import EMAIL, SMS, DeliveryReport
from dispatch_desktop.notify.notifier import MISSING_CREDENTIALS, PRODUCTION
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage import heartbeat
from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.types import utcnow

# Renewed at most this often while idle (an idle poll should not take SQLite's write lock every run).
HEARTBEAT_EVERY = timedelta(seconds=30)
# Nothing able to send a channel seen for this long, with its production rows due: a red banner.
SEEN_WITHIN = timedelta(minutes=2)
# Keyed by str: the channels looked up come from outbox rows and heartbeats, as stored.
CHANNEL_NAMES: dict[str, str] = {SMS: "SMS", EMAIL: "email"}
MESSAGE_WORDS: dict[str, str] = {SMS: "text", EMAIL: "email"}


def age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


@dataclass(frozen=True)
class NotifierView:
    worker: str
    kind: str  # "notifier" or "console"
    host: str
    pid: int
    environment: str
    channels: tuple[str, ...]
    started_at: datetime
    last_seen: datetime
    last_delivery: datetime | None

    def who(self, now: datetime) -> str:
        """'notifier on dispatch-srv, 4 s ago'"""
        return f"{self.kind} on {self.host}, {age(now - self.last_seen)} ago"

    def can_send(self, channel: str, now: datetime) -> bool:
        return self.environment == PRODUCTION and channel in self.channels and self.fresh(now)

    def fresh(self, now: datetime) -> bool:
        return now - self.last_seen <= SEEN_WITHIN

    def to_json(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "kind": self.kind,
            "host": self.host,
            "pid": self.pid,
            "environment": self.environment,
            "channels": list(self.channels),
            "started_at": self.started_at.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "last_delivery": self.last_delivery.isoformat() if self.last_delivery else None,
        }


def list_notifiers(ctx: ServiceContext) -> list[NotifierView]:
    """Every notifier and delivering console seen in the last days, the most recent first."""
    with ctx.reading() as unit:
        return [_view(row) for row in heartbeat.seen(unit.session)]


def sending_channels(ctx: ServiceContext, now: datetime | None = None) -> frozenset[str]:
    """The channels some production notifier or console seen within SEEN_WITHIN can send."""
    at = now or utcnow()
    return frozenset(
        channel for view in list_notifiers(ctx) for channel in view.channels if view.can_send(channel, at)
    )


def _view(row: Any) -> NotifierView:
    return NotifierView(
        worker=row.id,
        kind=row.kind,
        host=row.host,
        pid=row.pid,
        environment=row.environment,
        channels=tuple(name for name in row.channels.split(",") if name),
        started_at=row.started_at,
        last_seen=row.last_seen,
        last_delivery=row.last_delivery,
    )


def deliverable_channels(report: DeliveryReport) -> list[str]:
    """What a delivery run could deliver: everything in development, the channels with credentials in production."""
    return [channel for channel in (SMS, EMAIL) if channel not in report.missing]


def running_total(environment: str) -> DeliveryReport:
    """An empty report for a long-running notifier to add each run's report to (`add_run`)."""
    return DeliveryReport(environment)


def add_run(total: DeliveryReport, report: DeliveryReport) -> None:
    for status, count in report.counts.items():
        total.counts[status] = total.counts.get(status, 0) + count
    total.held += report.held
    total.recovered += report.recovered
    total.skipped += report.skipped
    total.missing = report.missing  # what the latest run lacked, not every run's


class Heartbeat:
    """One process's heartbeat: written on its first run, then when it delivered something, its
    channels changed, or HEARTBEAT_EVERY passed."""

    def __init__(self, db: Database, *, kind: str, name: str) -> None:
        self.db = db
        self.kind = kind
        self.host = socket.gethostname()
        self.worker = f"{kind}:{name}@{self.host}"[:200]
        self._last: tuple[datetime, str, tuple[str, ...]] | None = None

    def beat(self, report: DeliveryReport, now: datetime | None = None) -> bool:
        """Record this run; returns whether a row was written."""
        at = now or utcnow()
        channels = tuple(deliverable_channels(report))
        # A delivery is a message that went out (or was logged, in development), not a failure.
        delivered = sum(report.counts.get(status, 0) for status in SENT_OR_LOGGED) > 0
        if not delivered and self._last is not None:
            last_at, *last_state = self._last
            if last_state == [report.environment, channels] and at - last_at < HEARTBEAT_EVERY:
                return False
        with self.db.write() as session:
            heartbeat.beat(
                session,
                worker=self.worker,
                kind=self.kind,
                host=self.host,
                pid=os.getpid(),
                environment=report.environment,
                channels=list(channels),
                now=at,
                delivered=delivered,
            )
        self._last = (at, report.environment, channels)
        return True


@dataclass(frozen=True)
class DeliveryHealth:
    """What a workstation shows about delivery: red banner lines, and who delivers."""

    alerts: list[str]
    deliverer: str  # "notifier on dispatch-srv, 4 s ago", or that none was seen
    deliverer_missing: bool  # production and nothing able to send seen lately


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def delivery_health(ctx: ServiceContext, now: datetime | None = None) -> DeliveryHealth:
    """Due rows this workstation's environment never delivers, production rows waiting for
    credentials, and production rows that nothing able to send them has been seen for SEEN_WITHIN."""
    at = now or utcnow()
    environment = ctx.environment
    with ctx.reading() as unit:
        due = store.due_summary(unit.session, now=at, held_prefix=MISSING_CREDENTIALS)
        beats = [_view(row) for row in heartbeat.seen(unit.session)]
    production = [row for row in due if row.queued_environment == PRODUCTION]
    alerts = [
        *_foreign_alerts(due, environment),
        *_held_alerts(production),
        *_unsent_alerts(production, beats, at),
    ]
    return _deliverer(beats, environment, at, alerts)


def _foreign_alerts(due: list[Any], environment: str) -> list[str]:
    foreign: dict[str, int] = {}
    for row in due:
        if row.queued_environment != environment:
            foreign[row.queued_environment] = foreign.get(row.queued_environment, 0) + row.count
    return [
        f"{_plural(count, f'{other} notification')} waiting, but this workstation is {environment}: "
        f"it never delivers them; only a {other} notifier or console does"
        for other, count in sorted(foreign.items())
    ]


def _held_alerts(production: list[Any]) -> list[str]:
    held: dict[str, tuple[int, set[str]]] = {}
    for row in production:
        if row.held:
            count, reasons = held.get(row.channel, (0, set()))
            held[row.channel] = (count + row.count, reasons | {row.held})
    return [
        f"{_plural(count, f'production {MESSAGE_WORDS[channel]}')} waiting for credentials "
        f"({'; '.join(sorted(reasons))}): set them where a notifier runs "
        f"('dispatch-desktop credentials set', or Settings)"
        for channel, (count, reasons) in sorted(held.items())
    ]


def _unsent_alerts(production: list[Any], beats: list[NotifierView], at: datetime) -> list[str]:
    due: dict[str, int] = {}
    for row in production:
        due[row.channel] = due.get(row.channel, 0) + row.count
    alerts = []
    for channel, count in sorted(due.items()):
        if any(beat.can_send(channel, at) for beat in beats):
            continue
        name = CHANNEL_NAMES[channel]
        seen = [beat for beat in beats if beat.environment == PRODUCTION]
        able = [beat for beat in seen if channel in beat.channels]
        if able:
            last = f"last: {able[0].who(at)}"
        elif seen:
            last = f"{seen[0].who(at)}, has no {name} credentials"
        else:
            last = "none ever seen"
        alerts.append(
            f"{_plural(count, f'production {MESSAGE_WORDS[channel]}')} due, and nothing able to send "
            f"{name} has been seen for {age(SEEN_WITHIN)} ({last}): start "
            f"'dispatch-desktop notifier run' with FLASK_ENV=production and credentials"
        )
    return alerts


def _deliverer(
    beats: list[NotifierView], environment: str, at: datetime, alerts: list[str]
) -> DeliveryHealth:
    able = [beat for beat in beats if beat.environment == environment and beat.channels]
    fresh = [beat for beat in able if beat.fresh(at)]
    # A headless notifier is who the team relies on; a console delivers only while it is open.
    chosen = sorted(fresh, key=lambda beat: beat.kind != "notifier") or able
    if chosen:
        return DeliveryHealth(alerts, chosen[0].who(at), not fresh and environment == PRODUCTION)
    return DeliveryHealth(alerts, f"no {environment} notifier seen", environment == PRODUCTION)
