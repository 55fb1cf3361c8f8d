"""Heartbeats in the shared database: which notifiers and delivering consoles are alive, and where.

The provider sync has one heartbeat row too, whoever leads it (`SYNC_WORKER`): `last_seen` is its
last pass, `last_delivery` the last pass Twilio answered. It is no deliverer, so `seen` leaves it out.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, case, delete, select
from sqlalchemy.orm import Session

from dispatch_desktop.storage.models import NotifierHeartbeat
from dispatch_desktop.storage.upsert import dialect_insert

T = NotifierHeartbeat.__table__
# A heartbeat nobody has renewed for this long is history, not a notifier: it is removed.
FORGET_AFTER = timedelta(days=7)
SYNC_KIND = "sync"
SYNC_WORKER = "sync:provider-sync"


def beat(
    session: Session,
    *,
    worker: str,
    kind: str,
    host: str,
    pid: int,
    environment: str,
    channels: list[str],
    now: datetime,
    delivered: bool,
) -> None:
    """Insert or renew this worker's row; `delivered` also moves last_delivery to `now`."""
    values = {
        "kind": kind,
        "host": host,
        "pid": pid,
        "environment": environment,
        "channels": ",".join(channels),
        "last_seen": now,
    }
    statement = dialect_insert(session)(T).values(
        id=worker, started_at=now, last_delivery=now if delivered else None, **values
    )
    renew: dict[str, object] = dict(values)
    # Restarted (another process, same worker and host): it started now.
    renew["started_at"] = case((T.c.pid != statement.excluded.pid, now), else_=T.c.started_at)
    if delivered:
        renew["last_delivery"] = now
    session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=renew))
    session.execute(delete(T).where(T.c.last_seen < now - FORGET_AFTER))


def seen(session: Session) -> list[Row[Any]]:
    """Every deliverer's heartbeat, the most recently seen first."""
    return list(
        session.execute(select(T).where(T.c.kind != SYNC_KIND).order_by(T.c.last_seen.desc(), T.c.id))
    )


def sync_seen(session: Session) -> Row[Any] | None:
    """The provider sync's heartbeat, if a pass ever ran."""
    return session.execute(select(T).where(T.c.id == SYNC_WORKER)).first()
