"""7. A claim's cost with many rows waiting: reminders scheduled ahead, and the started-booking sweep.

Every claim first supersedes the due reminders of bookings that have started (one UPDATE), then
claims. This measures a claim of 50 due rows in an outbox that also holds many scheduled
reminders of future bookings, with the sweep and without it, side by side.
"""

import time
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from sqlalchemy import insert, update

from dispatch_desktop.storage import outbox as store
from dispatch_desktop.storage.engine import Database
from dispatch_desktop.storage.models import Booking, Customer, OutboxMessage
from dispatch_desktop.storage.outbox import claims
from dispatch_desktop.storage.types import utcnow
from tests.bench.common import (
    PgSchemas,
    Table,
    median,
    migrated,
    pg_available,
    pg_schema_url,
    progress,
    queue_outbox,
    ratio,
    sqlite_db,
    temp_dir,
)

NAME = "claims"
DUE = 50


def _fill(db: Database, reminders: int) -> None:
    """`reminders` scheduled rows of future bookings (one booking per two rows), and DUE due rows."""
    now = utcnow()
    bookings = reminders // 2
    with db.write() as session:
        session.execute(insert(Customer), [{"name": "Bench", "phone": "+13125550100", "created_at": now}])
        starts = now + timedelta(days=3)
        common = {"customer_id": 1, "address": "1 Bench St", "service": "Bench", "source": "dispatcher"}
        for first in range(0, bookings, 5000):
            session.execute(
                insert(Booking),
                [
                    {
                        **common,
                        "id": i + 1,
                        "starts_at": starts + timedelta(minutes=i),
                        "ends_at": starts + timedelta(minutes=i + 60),
                        "status": "scheduled",
                        "version": 1,
                        "created_by": "bench",
                        "updated_by": "bench",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(first, min(first + 5000, bookings))
                ],
            )
        rows: list[dict[str, Any]] = [
            {
                "dedupe_key": f"reminder:{i}",
                "event": "booking_reminder",
                "channel": "sms" if i % 2 else "email",
                "recipient": "+13125550100",
                "recipient_kind": "customer",
                "body": "Reminder",
                "booking_id": i // 2 + 1,
                "status": "scheduled",
                "attempts": 0,
                "next_attempt_at": starts + timedelta(minutes=i // 2) - timedelta(hours=24),
                "queued_environment": "production",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(reminders)
        ]
        for first in range(0, len(rows), 5000):
            session.execute(insert(OutboxMessage), rows[first : first + 5000])
    queue_outbox(db, sms=DUE, tag="due")


def _without_sweep() -> Any:
    return patch.object(claims, "supersede_started_reminders", lambda *_args, **_kw: [])


def _claim_ms(db: Database, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        with db.write() as session:
            got = store.claim_due(
                session, worker="bench", now=utcnow(), limit=DUE, channels=["sms"], environment="production"
            )
        times.append((time.perf_counter() - began) * 1000)
        assert len(got) == DUE, len(got)
        with db.write() as session:  # put them back for the next round
            session.execute(
                update(OutboxMessage).where(OutboxMessage.status == "sending").values(status="queued")
            )
    return median(times)


def run(quick: bool) -> Table:
    sizes, rounds = ((2_000, 20_000), 10) if quick else ((20_000, 200_000), 30)
    table = Table(
        f"7. Claiming {DUE} due texts while reminders wait: with the started-booking sweep and without",
        ["database", "scheduled reminders", "claim ms (sweep)", "claim ms (no sweep)", "sweep ÷ no sweep"],
    )
    schemas = PgSchemas() if pg_available() else None
    try:
        with temp_dir("claims") as tmp:
            for size in sizes:
                targets = [("SQLite", sqlite_db(tmp, f"claims-{size}.db"))]
                if schemas is not None:
                    targets.append(("PostgreSQL", migrated(pg_schema_url(schemas.create()))))
                for label, db in targets:
                    progress(f"claims: {label}, {size} reminders")
                    _fill(db, size)
                    _claim_ms(db, 2)  # warm up
                    swept = _claim_ms(db, rounds)
                    with _without_sweep():
                        plain = _claim_ms(db, rounds)
                    table.add(label, size, swept, plain, ratio(swept, plain))
                    db.dispose()
    finally:
        if schemas is not None:
            schemas.close()
    return table
