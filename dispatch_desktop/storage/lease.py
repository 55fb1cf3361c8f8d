"""Leases: one holder at a time across the shared database for a named job (the provider sync).

A lease is a row (name, holder, expires_at). Taking it is one conditional upsert: it lands only
when nobody holds the lease, the caller already holds it, or the holder let it expire. On SQLite
the upsert runs under the write lock (BEGIN IMMEDIATE); on PostgreSQL the row lock of ON CONFLICT
DO UPDATE orders two takers, and the second sees the first's holder. A row (rather than an
advisory lock on a connection) expires by the clock even when the holder's machine hangs or
drops off the network with its connection half open, and `holder` says who leads.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, or_, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from dispatch_desktop.storage.models import Lease
from dispatch_desktop.storage.upsert import dialect_insert

T = Lease.__table__


@dataclass(frozen=True)
class LeaseState:
    held: bool  # the caller holds it now
    holder: str  # who holds it (the caller, when held)
    expires_at: datetime


def take(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> LeaseState:
    """Take or renew `name` for `holder` until now + ttl, unless another holder's lease is still valid."""
    statement = dialect_insert(session)(T).values(name=name, holder=holder, expires_at=now + ttl)
    taken = session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "expires_at": now + ttl},
            where=or_(T.c.holder == holder, T.c.expires_at <= now),
        ).returning(T.c.holder)
    ).first()
    if taken is not None:
        return LeaseState(True, holder, now + ttl)
    current = session.execute(select(T.c.holder, T.c.expires_at).where(T.c.name == name)).one()
    return LeaseState(False, current.holder, current.expires_at)


def current(session: Session, name: str) -> LeaseState | None:
    """Who holds `name` and until when (held: False, as the caller is not known here); None if nobody."""
    row = session.execute(select(T.c.holder, T.c.expires_at).where(T.c.name == name)).first()
    return None if row is None else LeaseState(False, row.holder, row.expires_at)


def release(session: Session, name: str, holder: str) -> bool:
    """Give the lease up at once (a clean stop), if `holder` still holds it."""
    result = session.execute(delete(T).where(T.c.name == name, T.c.holder == holder))
    return bool(cast(CursorResult[Any], result).rowcount)
