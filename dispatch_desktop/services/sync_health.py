"""Whether Twilio answers the provider sync, told to every workstation through the shared database.

The sync leader records each pass in the sync's heartbeat row (storage/heartbeat.SYNC_WORKER):
when it ran, and when Twilio last answered. Workstations that do not lead read that row, so each
shows the red line once Twilio has not answered for `STALE_PASSES` sync intervals.
"""

import os
import socket
from datetime import datetime, timedelta

from dispatch_desktop.config import Config
from dispatch_desktop.domain.outbox import Channel
from dispatch_desktop.services.context import ServiceContext
from dispatch_desktop.storage import heartbeat
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.types import utcnow

STALE_PASSES = 3
PRODUCTION = "production"


def record_pass(db: Database, *, answered: bool, now: datetime) -> None:
    """The leader's pass at `now`; `answered` when Twilio answered every question it asked."""
    with db.write() as session:
        heartbeat.beat(
            session,
            worker=heartbeat.SYNC_WORKER,
            kind=heartbeat.SYNC_KIND,
            host=socket.gethostname(),
            pid=os.getpid(),
            environment=PRODUCTION,
            channels=[Channel.SMS],
            now=now,
            delivered=answered,
        )


def sync_alerts(ctx: ServiceContext, config: Config, now: datetime | None = None) -> list[str]:
    """The red line while the leader's passes fail and Twilio last answered over 3 intervals ago."""
    at = now or utcnow()
    stale = timedelta(seconds=STALE_PASSES * config.sync_interval_seconds)
    with ctx.reading() as unit:
        row = heartbeat.sync_seen(unit.session)
        zone = unit.settings.zone
    if row is None:
        return []
    answered = row.last_delivery or row.started_at  # never answered: since its first pass
    if row.last_delivery == row.last_seen or at - answered <= stale:
        return []
    since = answered.astimezone(zone)
    when = f"{since:%H:%M}" if since.date() == at.astimezone(zone).date() else f"{since:%a %d %b %H:%M}"
    return [
        f"Twilio has not answered the delivery check since {when}: receipts and replies are not being read"
    ]
